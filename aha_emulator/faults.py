"""Fault injection: which authenticated ``/api/v1`` request gets which fault.

Most draws come from one seeded RNG in a fixed order per request, so the same ``Faults`` and the
same request order give the same faults. Invalid JSON bodies are drawn per URL instead (from the
seed, the URL and how often it was asked): a client's concurrent requests arrive in an order that
varies from run to run, and this keeps which answers are bad reproducible all the same.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass, replace
from typing import NamedTuple

# What may follow a cut-off body: nothing, a crashed worker's padding, a proxy's error page.
_JUNK_TAILS = (b"", b"\x00" * 16, b"\n<html><body><h1>502 Bad Gateway</h1></body></html>\n")


@dataclass
class Faults:
    """Fault switches, applied to authenticated ``/api/v1`` requests after the rate limiter.

    Attributes:
        error_rate: fraction answered 500 (JSON) or 502/503 (HTML, as from a proxy).
        slow_rate: fraction delayed by ``slow_seconds`` before the normal answer.
        drop_rate: fraction whose connection is closed without any response.
        truncate_rate: fraction sent with the full Content-Length but half of the body.
        invalid_json_rate: fraction of 200 answers whose body is complete (Content-Length
            right) but not valid JSON: cut off, or cut off and followed by junk, as from a
            proxy or a crashed worker. Drawn per URL and attempt: a retry may be served well.
        persistent_status: if set, every request gets this status (JSON error body).
        storm_429: the next N requests get 429 with ``Retry-After: storm_retry_after``.
        seed: seed of the fault RNG.
    """

    error_rate: float = 0.0
    slow_rate: float = 0.0
    slow_seconds: float = 30.0
    drop_rate: float = 0.0
    truncate_rate: float = 0.0
    invalid_json_rate: float = 0.0
    persistent_status: int | None = None
    storm_429: int = 0
    storm_retry_after: int = 1
    seed: int = 0


class Draw(NamedTuple):
    """The faults one request gets (the answer applies them in this order of precedence)."""

    storm: bool
    drop: bool
    error: bool
    slow: bool
    truncate: bool
    error_status: int


class FaultInjector:
    """Draws the faults of each request from ``Faults`` (thread-safe)."""

    def __init__(self, faults: Faults) -> None:
        self.faults = replace(faults)
        self._rng = random.Random(faults.seed)
        self._storm_left = faults.storm_429
        self._asked: Counter[str] = Counter()  # URL -> requests so far (for invalid JSON)
        self._lock = threading.Lock()

    def draw(self) -> Draw:
        f = self.faults
        with self._lock:
            storm = self._storm_left > 0
            if storm:
                self._storm_left -= 1
            drop, error, slow, truncate = (
                self._rng.random() < rate
                for rate in (f.drop_rate, f.error_rate, f.slow_rate, f.truncate_rate)
            )
            return Draw(storm, drop, error, slow, truncate, self._rng.choice((500, 502, 503)))

    def garble(self, target: str, body: bytes) -> bytes | None:
        """The invalid body that this request for ``target`` gets instead of ``body``, if any.

        A proper prefix of a JSON object is never valid JSON, with or without a junk tail.
        """
        rate = self.faults.invalid_json_rate
        if rate <= 0 or len(body) < 2:
            return None
        with self._lock:
            self._asked[target] += 1
            attempt = self._asked[target]
        rng = random.Random(f"{self.faults.seed}:{attempt}:{target}")
        if rng.random() >= rate:
            return None
        return body[: rng.randrange(1, len(body))] + rng.choice(_JUNK_TAILS)
