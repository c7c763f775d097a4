"""A local test double of the Aha! (aha.io) REST API v1, for the source-aha connector.

``AhaEmulator`` serves a seeded ``Workspace`` on 127.0.0.1 with Aha!'s envelopes, paging,
filters, bearer auth and rate limits; ``Faults`` injects errors, drops, truncation and delays;
a ``Personality`` (a preset of ``PERSONALITIES``, or several combined with
``personality(...)``) makes it behave as another plausible Aha!.
Run ``python -m aha_emulator --help`` for the command-line server. Not shipped in the
connector's wheel or image: it is test and demo support.
"""

from .common import RecordNotFoundError
from .faults import Faults
from .personality import PERSONALITIES, Personality, personality
from .routes import PLANS
from .server import AhaEmulator
from .stats import RequestRecord, Stats
from .workspace import Workspace

__all__ = [
    "PERSONALITIES",
    "PLANS",
    "AhaEmulator",
    "Faults",
    "Personality",
    "RecordNotFoundError",
    "RequestRecord",
    "Stats",
    "Workspace",
    "personality",
]
