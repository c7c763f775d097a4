"""Reading Aha!'s audits and recycle bin: the record of deletions the connector's tombstones
come from (`GET /api/v1/audits`, kept 12 months; `GET /api/v1/deletions`, 7 days).

Audits may be written a moment after the change on a live account, so lookups ask again a few
times (with a pause only after a miss) before concluding that an audit does not exist.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any

from source_aha.components import AUDIT_STREAMS, type_key
from verify_live.client import AhaClient, ApiResponse
from verify_live.times import format_ms

AUDITS = "/api/v1/audits"
DELETIONS = "/api/v1/deletions"
ATTEMPTS = 4
PAUSE_SECONDS = 2.0


def destroy_audits(
    client: AhaClient,
    since: datetime,
    wanted: Collection[str],
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[dict[str, dict[str, Any]], ApiResponse | None]:
    """The destroy audits created after `since` whose `auditable_id` is in `wanted`, by that
    id, and the failed answer if `/audits` did not answer."""
    found: dict[str, dict[str, Any]] = {}
    for attempt in range(ATTEMPTS):
        rows, _, last = client.pages(
            AUDITS,
            "audits",
            max_pages=20,
            audit_action="destroy",
            created_since=format_ms(since),
            per_page=200,
        )
        if not last.ok:
            return found, last
        by_id = {str(a.get("auditable_id")): a for a in rows}
        found = {i: a for i, a in by_id.items() if i in wanted}
        if set(wanted) <= set(found) or attempt == ATTEMPTS - 1:
            return found, None
        sleep(PAUSE_SECONDS)
    return found, None


def describe_audit(audit: dict[str, Any]) -> str:
    """The raw values a reader needs: id, action, types and association, time."""
    return (
        f"audit {audit.get('id')} {audit.get('audit_action')} "
        f"auditable_type={audit.get('auditable_type')!r} auditable_id={audit.get('auditable_id')} "
        f"associated_type={audit.get('associated_type')!r} "
        f"associated_id={audit.get('associated_id')} created_at={audit.get('created_at')}"
    )


def audit_problems(audit: dict[str, Any], stream: str, idea_id: str | None) -> list[str]:
    """What keeps the connector from turning this destroy audit into a tombstone in `stream`:
    a type its table (`source_aha.deletes.AUDIT_STREAMS`) does not route there, or, for a
    child of an idea (`idea_id`), an association that does not name that idea."""
    problems = []
    routed = AUDIT_STREAMS.get(type_key(audit.get("auditable_type")), ())
    if stream not in routed:
        problems.append(
            f"the connector routes auditable_type {audit.get('auditable_type')!r} to "
            f"{list(routed) or 'no stream'}, not {stream}"
        )
    if idea_id is not None and not (
        type_key(audit.get("associated_type")) == "idea"
        and str(audit.get("associated_id")) == idea_id
    ):
        problems.append(f"it is not associated with its idea {idea_id}")
    return problems


def recycle_bin_entry(
    client: AhaClient, name: str, sleep: Callable[[float], None] = time.sleep
) -> tuple[dict[str, Any] | None, ApiResponse | None]:
    """The recycle-bin row of the record named `name` (its rows carry no record id)."""
    for attempt in range(ATTEMPTS):
        rows, _, last = client.pages(DELETIONS, "deletions", max_pages=10, per_page=200)
        if not last.ok:
            return None, last
        for row in rows:
            record = row.get("record")
            if not isinstance(record, dict):
                continue
            if record.get("name") == name:
                return row, None
        if attempt < ATTEMPTS - 1:
            sleep(PAUSE_SECONDS)
    return None, None
