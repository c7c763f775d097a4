"""Leaves the account as the kit found it: removes what this run made (also after an error or
Ctrl-C, from the runner's `finally`), and sweeps marked ideas an earlier, interrupted run left.

Only records whose name carries `MARKER` are ever swept, so nothing a person made is touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

from verify_live import MARKER, MARKER_SEARCH
from verify_live.client import AhaClient, ApiUnreachableError
from verify_live.scenario import Created
from verify_live.times import utc_now

IN_PROGRESS = timedelta(hours=1)  # far longer than a run takes


def remove(client: AhaClient, created: Sequence[Created]) -> list[str]:
    """Deletes every record of `created` not yet deleted, newest first; notes what failed."""
    problems = []
    for record in reversed(created):
        if record.deleted:
            continue
        try:
            answer = client.delete(record.delete_path())
        except ApiUnreachableError as error:
            problems.append(f"{record.kind} {record.id}: {error}")
            continue
        if answer.ok or answer.status == 404:
            record.deleted = True
            for child in created:
                if record.kind == "idea" and child.idea_id == record.id:
                    child.deleted = True
        else:
            problems.append(f"{record.kind} {record.id}: {answer.describe()}")
    return problems


def marked_ideas(client: AhaClient) -> list[dict[str, str]]:
    """Ideas whose name starts with the marker (searched with `q=`, then checked by name)."""
    rows, _, _ = client.pages(
        "/api/v1/ideas", "ideas", q=MARKER_SEARCH, fields="id,name,reference_num", per_page=200
    )
    return [
        {"id": str(r.get("id")), "name": str(r.get("name"))}
        for r in rows
        if str(r.get("name", "")).startswith(MARKER)
    ]


def started_at(name: str) -> datetime | None:
    """The UTC start of the run that named an idea `<MARKER> <UTC time>[ (edited)]`."""
    stamp = name.removeprefix(MARKER).strip().split(" ", 1)[0]
    try:
        return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def sweep(client: AhaClient) -> tuple[list[str], list[str]]:
    """Deletes the marked ideas (their children go with them) of runs that started over an
    hour ago, so a run still in progress elsewhere keeps its idea: (ids deleted, problems)."""
    deleted, problems = [], []
    for idea in marked_ideas(client):
        started = started_at(idea["name"])
        if started is not None and utc_now() - started < IN_PROGRESS:
            problems.append(f"idea {idea['id']} left alone: its run started at {started:%H:%M}Z")
            continue
        answer = client.delete(f"/api/v1/ideas/{idea['id']}")
        if answer.ok or answer.status == 404:
            deleted.append(idea["id"])
        else:
            problems.append(answer.describe())
    return deleted, problems
