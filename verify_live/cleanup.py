"""Leaves the account as the kit found it: removes what this run made (also after an error or
Ctrl-C, from the runner's `finally`), and sweeps marked ideas an earlier, interrupted run left.

Only records whose name carries `MARKER` are ever swept, so nothing a person made is touched.
"""

from __future__ import annotations

from collections.abc import Sequence

from verify_live import MARKER, MARKER_SEARCH
from verify_live.client import AhaClient, ApiUnreachableError
from verify_live.scenario import Created


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


def sweep(client: AhaClient) -> tuple[list[str], list[str]]:
    """Deletes the marked ideas (their children go with them): (ids deleted, problems)."""
    deleted, problems = [], []
    for idea in marked_ideas(client):
        answer = client.delete(f"/api/v1/ideas/{idea['id']}")
        if answer.ok or answer.status == 404:
            deleted.append(idea["id"])
        else:
            problems.append(answer.describe())
    return deleted, problems
