"""Read-only check of the audits cursor the connector's deletes rely on: `created_since` and
`after_id` in the same request, as Aha!'s docs advise for walking audits.

A window of recent audits that fits on one page is read whole; then the same window is asked
again from a later `created_since` and after an audit's id, and the answer must be exactly the
audits past both bounds.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from verify_live.audits import AUDITS
from verify_live.client import AhaClient, ApiResponse
from verify_live.times import format_ms, parse_time, utc_now
from verify_live.verdicts import Verdict, confirmed, refuted, untested

# Narrower windows for busy accounts, a wider one (within the 12 months kept) for quiet ones.
NARROWER = (timedelta(days=1), timedelta(hours=1))
WIDER = timedelta(days=360)


def _id(audit: dict[str, Any]) -> int:
    text = str(audit.get("id", ""))
    return int(text) if text.isdigit() else -1


def _when(audit: dict[str, Any]) -> datetime:
    return parse_time(audit.get("created_at")) or datetime.min.replace(tzinfo=utc_now().tzinfo)


def _span(span: timedelta) -> str:
    hours = int(span.total_seconds() // 3600)
    return f"{hours // 24} days" if hours >= 48 else f"{hours} hours" if hours > 1 else "hour"


def _window(client: AhaClient) -> tuple[list[dict[str, Any]], str]:
    """A window's audits, every page of it, with three or more rows; or [] and why not."""
    now = utc_now()

    def read(span: timedelta) -> tuple[list[dict[str, Any]], bool, ApiResponse]:
        since = format_ms(now - span)
        return client.pages(AUDITS, "audits", max_pages=1, created_since=since, per_page=200)

    span = timedelta(days=30)
    rows, complete, last = read(span)
    if last.ok and complete and len(rows) < 3:
        span = WIDER
        rows, complete, last = read(span)
    elif last.ok and not complete:
        for span in NARROWER:
            rows, complete, last = read(span)
            if not last.ok or complete:
                break
    if not last.ok:
        return [], last.describe()
    if not complete:
        return [], f"more than 200 audits even in the last {_span(span)}"
    if len(rows) < 3:
        return [], f"only {len(rows)} audits in the last {_span(span)}"
    return sorted(rows, key=lambda a: (_when(a), _id(a))), f"last {_span(span)}"


def _inversion(rows: list[dict[str, Any]]) -> str | None:
    """Two audits (in time order) whose ids go down, described; None when ids grow with time."""
    for earlier, later in itertools.pairwise(rows):
        if _when(earlier) < _when(later) and _id(earlier) > _id(later):
            return (
                f"audit {_id(earlier)} ({earlier.get('created_at')}) has a larger id than the "
                f"later audit {_id(later)} ({later.get('created_at')})"
            )
    return None


def check_audits_cursor(client: AhaClient) -> Verdict:
    """Ids in time order, then `created_since` = an audit's time and `after_id` = a later
    audit's id together (the connector's deletes cursor relies on both)."""
    key = "audits_cursor"
    rows, window = _window(client)
    if not rows:
        return untested(key, window)
    inversion = _inversion(rows)
    if inversion:
        return refuted(key, f"ids do not grow with time: {inversion} ({window})")
    bound, pivot = rows[len(rows) // 3], rows[(2 * len(rows)) // 3]
    since, after = str(bound.get("created_at")), _id(pivot)
    since_at, horizon = _when(bound), max(_when(a) for a in rows)
    got_rows, complete, last = client.pages(
        AUDITS, "audits", created_since=since, after_id=str(after), per_page=200
    )
    if not last.ok:
        return untested(key, last.describe())
    got = {_id(a) for a in got_rows if _when(a) <= horizon}
    strict = {_id(a) for a in rows if _when(a) > since_at and _id(a) > after}
    loose = {_id(a) for a in rows if _when(a) >= since_at and _id(a) > after}
    evidence = (
        f"{len(rows)} audits in the {window}; created_since={since}&after_id={after} -> "
        f"{len(got)} audits (expected {len(strict)}"
        + (f" or {len(loose)} if created_since is inclusive)" if loose != strict else ")")
    )
    if got in (strict, loose):
        kind = (
            ""
            if loose == strict
            else (" (created_since exclusive)" if got == strict else " (created_since inclusive)")
        )
        return confirmed(key, evidence + kind)
    early = sorted(i for i in got if i <= after)[:3]
    missing = sorted(strict - got)[:3]
    problems = []
    if early:
        problems.append(f"ids at or below after_id returned: {early}")
    if any(_when(a) < since_at for a in got_rows):
        problems.append("audits older than created_since returned")
    if missing:
        problems.append(f"audits past both bounds missing: {missing}")
    if not complete:
        problems.append("answer not read to its end")
    return refuted(key, f"{'; '.join(problems)}; {evidence}")
