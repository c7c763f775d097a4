"""Fault injection: which authenticated ``/api/v1`` request gets which fault.

The draws come from one seeded RNG in a fixed order per request, so the same ``Faults`` (and
the same request order) give the same faults.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, replace
from typing import NamedTuple


@dataclass
class Faults:
    """Fault switches, applied to authenticated ``/api/v1`` requests after the rate limiter.

    Attributes:
        error_rate: fraction answered 500 (JSON) or 502/503 (HTML, as from a proxy).
        slow_rate: fraction delayed by ``slow_seconds`` before the normal answer.
        drop_rate: fraction whose connection is closed without any response.
        truncate_rate: fraction sent with the full Content-Length but half of the body.
        persistent_status: if set, every request gets this status (JSON error body).
        storm_429: the next N requests get 429 with ``Retry-After: storm_retry_after``.
        seed: seed of the fault RNG.
    """

    error_rate: float = 0.0
    slow_rate: float = 0.0
    slow_seconds: float = 30.0
    drop_rate: float = 0.0
    truncate_rate: float = 0.0
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
