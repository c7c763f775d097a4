"""Aha!'s rate limits: sliding one-second and one-minute windows per API key."""

from __future__ import annotations

import math
import threading
import time
from collections import deque


class RateLimiter:
    """Sliding 1 s and 60 s windows per API key; rejected requests use no budget."""

    def __init__(self, per_second: int | None, per_minute: int | None) -> None:
        if any(limit is not None and limit < 1 for limit in (per_second, per_minute)):
            raise ValueError("rate limits must be positive (or None for no limit)")
        self.per_second = per_second
        self.per_minute = per_minute
        self._lock = threading.Lock()
        self._hits: dict[str, deque[float]] = {}

    def acquire(self, key: str) -> tuple[bool, dict[str, str]]:
        """Try to take a slot; return (allowed, headers). 429s carry ``Retry-After``."""
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - 60:
                hits.popleft()
            wait = 0.0
            if self.per_minute is not None and len(hits) >= self.per_minute:
                wait = hits[-self.per_minute] + 60 - now
            if self.per_second is not None and self._last_second(hits, now) >= self.per_second:
                wait = max(wait, hits[-self.per_second] + 1 - now)
            allowed = wait <= 0
            if allowed:
                hits.append(now)
            headers = {} if allowed else {"Retry-After": str(max(1, math.ceil(wait)))}
            if self.per_minute is not None:
                reset = time.time() + (hits[0] + 60 - now if hits else 0)
                headers["X-Ratelimit-Limit"] = str(self.per_minute)
                headers["X-Ratelimit-Remaining"] = str(max(0, self.per_minute - len(hits)))
                headers["X-Ratelimit-Reset"] = str(math.ceil(reset))
            return allowed, headers

    def _last_second(self, hits: deque[float], now: float) -> int:
        count = 0
        for t in reversed(hits):
            if t <= now - 1 or count >= (self.per_second or 0):
                break
            count += 1
        return count
