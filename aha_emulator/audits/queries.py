"""Reading audits: the ground truth, ``GET /audits`` (filters, 12-month retention) and the
7-day recycle bin of ``GET /deletions``."""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from ..common import DAY_MS, JSON
from .records import Audit, normalise_type
from .render import audit_json, deletion_json

if TYPE_CHECKING:
    from ..state import State

BIN_DAYS = 7


def now_ms() -> int:
    return int(time.time() * 1000)


def retention_start(now: int) -> int:
    """The oldest moment ``/audits`` still lists: the same instant 12 calendar months ago."""
    moment = datetime.fromtimestamp(now / 1000, tz=timezone.utc)
    day = min(moment.day, 28) if moment.month == 2 else moment.day  # 29 Feb -> 28 Feb
    return int(moment.replace(year=moment.year - 1, day=day).timestamp() * 1000)


def all_audits(st: State) -> list[JSON]:
    """Every stored audit, ascending id, older than the retention window included."""
    return [audit_json(st, a) for a in st.audits]


def query_audits(
    st: State,
    offset: int,
    limit: int,
    *,
    audit_action: str | None = None,
    auditable_type: str | None = None,
    auditable_id: str | None = None,
    associated_type: str | None = None,
    associated_id: str | None = None,
    created_since_us: int | None = None,
    created_before_us: int | None = None,
    after_id: int | None = None,
    user_id: str | None = None,
) -> tuple[int, list[JSON]]:
    """``GET /audits``: the last 12 months, ascending (created_at, id).

    ``created_since`` is inclusive (a time window plus ``after_id`` is the documented cursor:
    audits sharing the cursor's millisecond must stay reachable), ``created_before`` and
    ``after_id`` exclusive. Type filters accept either spelling.
    """
    oldest = retention_start(now_ms())
    rows: Iterable[Audit] = (a for a in st.audits if a.created >= oldest)
    if audit_action is not None:
        rows = (a for a in rows if a.action == audit_action.strip().lower())
    if auditable_type is not None:
        kind = normalise_type(auditable_type)
        rows = (a for a in rows if a.subject.kind == kind)
    if auditable_id is not None:
        rows = (a for a in rows if str(a.subject.id) == auditable_id)
    if associated_type is not None:
        parent = normalise_type(associated_type)
        rows = (a for a in rows if a.subject.associated and a.subject.associated[0] == parent)
    if associated_id is not None:
        rows = (
            a
            for a in rows
            if a.subject.associated and str(a.subject.associated[1]) == associated_id
        )
    if created_since_us is not None:
        rows = (a for a in rows if a.created * 1000 >= created_since_us)
    if created_before_us is not None:
        rows = (a for a in rows if a.created * 1000 < created_before_us)
    if after_id is not None:
        rows = (a for a in rows if a.id > after_id)
    if user_id is not None:
        rows = (a for a in rows if st.users[a.user]["id"] == user_id)
    matches = sorted(rows, key=lambda a: (a.created, a.id))
    return len(matches), [audit_json(st, a) for a in matches[offset : offset + limit]]


def _in_bin(st: State) -> list[Audit]:
    oldest = now_ms() - BIN_DAYS * DAY_MS
    return [a for a in st.audits if a.bin_id is not None and a.created >= oldest]


def deletions(st: State) -> list[JSON]:
    """Recycle-bin rows: records deleted directly (not with their parent) in the last 7 days,
    ascending id."""
    return [deletion_json(st, a) for a in _in_bin(st)]


def query_deletions(st: State, offset: int, limit: int) -> tuple[int, list[JSON]]:
    """``GET /deletions``, paged like every list."""
    rows = _in_bin(st)
    return len(rows), [deletion_json(st, a) for a in rows[offset : offset + limit]]
