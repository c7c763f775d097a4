"""Read-only checks of Aha!'s rate limiting: the `X-Ratelimit-*` headers, and (only when asked
with `--burst N`) what a 429 says about when to retry.

The burst deliberately spends the account's budget (300 requests a minute, 20 a second, shared
by every integration on the account), so it is off by default and runs last, after the write
checks have cleaned up.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from verify_live.client import RETRY_HEADERS, AhaClient, ApiResponse
from verify_live.verdicts import Verdict, confirmed, refuted, untested

LIMIT_HEADERS = ("X-Ratelimit-Limit", "X-Ratelimit-Remaining", "X-Ratelimit-Reset")
PROBE = "/api/v1/products"
BURST_WORKERS = 8  # enough to pass 20 requests a second over a slow link


def _headers(response: ApiResponse, names: tuple[str, ...]) -> dict[str, str]:
    return {name: value for name in names if (value := response.header(name)) is not None}


def check_rate_limit_headers(client: AhaClient) -> Verdict:
    """One ordinary answer must carry all three `X-Ratelimit-*` headers."""
    key = "rate_limit_headers"
    answer = client.get(PROBE, per_page=1)
    found = _headers(answer, LIMIT_HEADERS)
    evidence = f"GET {PROBE} -> {answer.status}: {found or 'no X-Ratelimit-* header'}"
    if not answer.ok:
        return untested(key, answer.describe())
    missing = [name for name in LIMIT_HEADERS if name not in found]
    if missing:
        return refuted(key, f"missing {missing}; {evidence}")
    return confirmed(key, evidence)


def check_retry_after_on_429(client: AhaClient, burst: int | None) -> Verdict:
    """Up to `burst` unpaced GETs from a few threads; the first 429 is read for its retry hint."""
    key = "retry_after_on_429"
    if not burst:
        return untested(key, "no burst: pass --burst N to provoke a 429 (spends up to N requests)")
    stop = threading.Event()
    lock = threading.Lock()
    first: list[tuple[int, ApiResponse]] = []
    sent = [0]
    started = time.monotonic()

    def one(_: int) -> None:
        if stop.is_set():
            return
        with lock:
            sent[0] += 1
            number = sent[0]
        answer = client.request("GET", PROBE, params={"per_page": 1}, paced=False, retry_429=0)
        if answer.status == 429:
            with lock:
                first.append((number, answer))
            stop.set()

    with ThreadPoolExecutor(max_workers=min(BURST_WORKERS, burst)) as pool:
        list(pool.map(one, range(burst)))
    elapsed = time.monotonic() - started
    if not first:
        return untested(key, f"no 429 after {sent[0]} requests in {elapsed:.1f} s: raise --burst")
    number, answer = min(first, key=lambda pair: pair[0])
    hints = _headers(answer, (*RETRY_HEADERS, *LIMIT_HEADERS))
    evidence = f"429 at request {number} of the burst ({elapsed:.1f} s): {hints or 'no headers'}"
    if any(name in hints for name in (*RETRY_HEADERS, "X-Ratelimit-Reset")):
        return confirmed(key, evidence)
    return refuted(key, evidence)
