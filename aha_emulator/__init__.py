"""In-process test double of the Aha! (aha.io) REST API v1 for the source-aha connector.

``AhaEmulator`` serves a seeded ``Workspace`` on 127.0.0.1 with Aha!'s envelopes, paging,
filters, bearer auth and rate limits; ``Faults`` injects errors, drops, truncation and delays.
Run ``python -m aha_emulator --help`` for the command-line server.
"""

from .data import RecordNotFoundError, Workspace
from .server import AhaEmulator, Faults, RequestRecord, Stats

__all__ = ["AhaEmulator", "Faults", "RecordNotFoundError", "RequestRecord", "Stats", "Workspace"]
