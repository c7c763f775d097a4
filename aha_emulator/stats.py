"""Which requests the emulator served: a thread-safe log keyed by route template."""

from __future__ import annotations

import threading
from typing import NamedTuple


class RequestRecord(NamedTuple):
    """One served request; ``status`` is 0 when the connection was dropped, ``fault`` names
    the injected fault ("" for none; see ``AhaEmulator.dispatch``)."""

    t: float  # time.monotonic() at arrival
    method: str
    route: str
    path: str
    status: int
    fault: str = ""


class Stats:
    """Thread-safe log of served (non-admin) requests, keyed by route template."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: list[RequestRecord] = []

    def record(self, record: RequestRecord) -> None:
        with self._lock:
            self._requests.append(record)

    def count(self, route: str) -> int:
        with self._lock:
            return sum(1 for r in self._requests if r.route == route)

    def by_route(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        with self._lock:
            for r in self._requests:
                counts[r.route] = counts.get(r.route, 0) + 1
        return counts

    def status_counts(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        with self._lock:
            for r in self._requests:
                counts[r.status] = counts.get(r.status, 0) + 1
        return counts

    @property
    def total(self) -> int:
        with self._lock:
            return len(self._requests)

    @property
    def requests(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._requests)

    def reset(self) -> None:
        with self._lock:
            self._requests.clear()

    def fault_counts(self) -> dict[str, int]:
        """How many requests got each injected fault."""
        counts: dict[str, int] = {}
        with self._lock:
            for r in self._requests:
                if r.fault:
                    counts[r.fault] = counts.get(r.fault, 0) + 1
        return counts
