"""The emulator's audits (issue 13): what each mutation writes, ``GET /audits`` (filters, paging,
``after_id``, 12-month retention) and the 7-day recycle bin of ``GET /deletions``.

Expected answers are computed here from ``Workspace.audits()`` with the filters written out
independently, so a wrong filter in the emulator fails.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests
from freezegun import freeze_time

from aha_emulator import AhaEmulator, Workspace
from aha_emulator.audits.records import TYPES

_AUTH = {"Authorization": "Bearer test-api-key"}
JSON = dict[str, Any]


def _parse(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%f%z")


def _year_ago() -> datetime:
    now = datetime.now(timezone.utc)
    return now.replace(year=now.year - 1, day=min(now.day, 28) if now.month == 2 else now.day)


def _busy_workspace(ws: Workspace) -> None:
    """Audits of every action and several types on top of the seeded history."""
    ws.mutate_random(12, seed=3)
    idea = next(i for i in ws.ideas() if i["endorsements_count"] and i["comments_count"])
    ws.add_internal_comment(idea["id"], "<p>triage</p>")
    ws.delete_vote(ws.votes()[0]["id"])
    ws.edit_feature(ws.features()[0]["id"])
    ws.edit_requirement(ws.requirements()[0]["id"])  # associated with a feature, not an idea
    ws.delete_idea(idea["id"])


@pytest.fixture(scope="module")
def emu() -> Iterator[AhaEmulator]:
    with AhaEmulator(ideas=60, seed=11) as emulator:
        _busy_workspace(emulator.workspace)
        yield emulator


def _get(emulator: AhaEmulator, path: str, **params: Any) -> requests.Response:
    return requests.get(f"{emulator.url}/api/v1{path}", params=params, headers=_AUTH, timeout=10)


def _listed(emulator: AhaEmulator) -> list[JSON]:
    """The truth as ``/audits`` should list it: the last 12 months, ascending (created, id)."""
    oldest = _year_ago()
    rows = [a for a in emulator.workspace.audits() if _parse(a["created_at"]) >= oldest]
    return sorted(rows, key=lambda a: (a["created_at"], int(a["id"])))


def _all(emulator: AhaEmulator, **params: Any) -> list[JSON]:
    body = _get(emulator, "/audits", per_page=200, **params).json()
    assert body["pagination"]["total_pages"] <= 1
    rows: list[JSON] = body["audits"]
    return rows


# ------------------------------------------------------------------------------ /audits


def test_audits_list_the_last_12_months_ascending_and_keep_older_ones_out(
    emu: AhaEmulator,
) -> None:
    truth, listed = emu.workspace.audits(), _listed(emu)
    assert _all(emu) == listed
    old = [a for a in truth if _parse(a["created_at"]) < _year_ago()]
    assert old
    assert len(listed) == len(truth) - len(old)
    ids = [int(a["id"]) for a in listed]
    assert ids == sorted(ids)
    assert [a["created_at"] for a in listed] == sorted(a["created_at"] for a in listed)


def test_every_audit_has_the_documented_shape(emu: AhaEmulator) -> None:
    keys = [
        "id",
        "audit_action",
        "created_at",
        "interesting",
        "user",
        "contributors",
        "auditable_type",
        "auditable_id",
        "associated_type",
        "associated_id",
        "description",
        "auditable_url",
        "changes",
    ]
    users = {u["id"]: u for u in emu.workspace.users()}
    for audit in emu.workspace.audits():
        assert list(audit) == keys
        assert audit["id"].isdigit()
        assert audit["audit_action"] in ("create", "update", "destroy")
        user = audit["user"]
        assert set(user) == {"id", "name", "email", "created_at", "updated_at"}
        assert users[user["id"]]["email"] == user["email"]
        assert audit["contributors"] == [{"user": user}]
        assert audit["auditable_type"] in TYPES
        assert audit["auditable_url"].startswith(emu.url)
        assert all(set(c) == {"field_name", "value"} for c in audit["changes"])


def _pick(emu: AhaEmulator) -> dict[str, Callable[[JSON], bool]]:
    """One value of each filter, drawn from the data, and what it must keep."""
    listed = _listed(emu)
    vote = next(a for a in listed if a["auditable_type"] == "idea_endorsement")
    idea_id = vote["associated_id"]
    middle = listed[len(listed) // 2]
    user = next(a["user"]["id"] for a in listed if a["user"]["id"] != listed[-1]["user"]["id"])
    return {
        "audit_action=destroy": lambda a: a["audit_action"] == "destroy",
        "audit_action=update": lambda a: a["audit_action"] == "update",
        "auditable_type=idea_endorsement": lambda a: a["auditable_type"] == "idea_endorsement",
        "auditable_type=Ideas::IdeaComment": lambda a: a["auditable_type"] == "idea_comment",
        "auditable_type=Feature": lambda a: a["auditable_type"] == "feature",
        f"auditable_id={vote['auditable_id']}": lambda a: a["auditable_id"] == vote["auditable_id"],
        "associated_type=Ideas::Idea": lambda a: a["associated_type"] == "idea",
        "associated_type=feature": lambda a: a["associated_type"] == "feature",
        f"associated_id={idea_id}": lambda a: a["associated_id"] == idea_id,
        f"created_since={middle['created_at']}": lambda a: a["created_at"] >= middle["created_at"],
        f"created_before={middle['created_at']}": lambda a: a["created_at"] < middle["created_at"],
        f"after_id={middle['id']}": lambda a: int(a["id"]) > int(middle["id"]),
        f"user_id={user}": lambda a: a["user"]["id"] == user,
    }


def test_each_filter_keeps_exactly_the_matching_audits(emu: AhaEmulator) -> None:
    listed = _listed(emu)
    for query, keep in _pick(emu).items():
        name, _, value = query.partition("=")
        expected = [a for a in listed if keep(a)]
        assert expected, query
        assert _all(emu, **{name: value}) == expected, query


def test_filters_combine_and_unknown_values_match_nothing(emu: AhaEmulator) -> None:
    listed = _listed(emu)
    destroyed_votes = [
        a
        for a in listed
        if a["audit_action"] == "destroy" and a["auditable_type"] == "idea_endorsement"
    ]
    assert len(destroyed_votes) >= 2
    got = _all(emu, audit_action="destroy", auditable_type="IdeaEndorsement")
    assert got == destroyed_votes
    assert _all(emu, auditable_type="Nonsense") == []
    assert _all(emu, audit_action="archive") == []
    assert _get(emu, "/audits", after_id="abc").status_code == 400
    assert _get(emu, "/audits", created_since="yesterday").status_code == 400


def test_paging_and_the_after_id_walk_each_list_every_audit_once(emu: AhaEmulator) -> None:
    listed = _listed(emu)
    paged: list[JSON] = []
    for page in range(1, -(-len(listed) // 7) + 1):
        body = _get(emu, "/audits", per_page=7, page=page).json()
        assert body["pagination"] == {
            "total_records": len(listed),
            "total_pages": -(-len(listed) // 7),
            "current_page": page,
        }
        paged.extend(body["audits"])
    assert paged == listed
    walked: list[JSON] = []
    since, after = listed[0]["created_at"], "0"
    while True:
        rows = _get(emu, "/audits", created_since=since, after_id=after, per_page=5).json()
        if not rows["audits"]:
            break
        walked.extend(rows["audits"])
        since, after = rows["audits"][-1]["created_at"], rows["audits"][-1]["id"]
    assert walked == listed


def test_audits_route_can_be_forbidden_like_a_plan_lacking_it(emu: AhaEmulator) -> None:
    emu.set_forbidden({"GET /api/v1/audits"})
    try:
        assert _get(emu, "/audits").status_code == 403
        assert _get(emu, "/deletions").status_code == 200
    finally:
        emu.set_plan("roadmaps_ideas_advanced")


# -------------------------------------------------------------------- seeded history


def test_seeded_history_deletes_ideas_no_record_has_some_beyond_12_months() -> None:
    ws = Workspace(ideas=40, seed=4)
    audits = ws.audits()
    assert audits
    assert all(a["audit_action"] == "destroy" for a in audits)
    ideas = [a for a in audits if a["auditable_type"] == "idea"]
    listed = {i["id"] for i in ws.ideas(include_spam=True)}
    assert len(ideas) >= 5
    assert not listed & {a["auditable_id"] for a in ideas}
    ages = [_parse(a["created_at"]) for a in ideas]
    assert any(t < _year_ago() for t in ages)
    assert any(t >= _year_ago() for t in ages)
    recent = datetime.now(timezone.utc) - timedelta(days=7)
    assert len(ws.deletions()) == sum(t >= recent for t in ages) >= 1
    assert Workspace(ideas=40, seed=4).audits()[0]["id"] == audits[0]["id"]


def test_retention_and_recycle_bin_follow_the_clock() -> None:
    start = datetime.now(timezone.utc)
    ws = Workspace(ideas=30, seed=2)
    with freeze_time(start + timedelta(days=8)):
        assert ws.deletions() == []
        assert ws.query_audits(0, 200)[0] == sum(
            _parse(a["created_at"]) >= start + timedelta(days=8 - 365) for a in ws.audits()
        )
    with freeze_time(start + timedelta(days=800)):
        assert ws.query_audits(0, 200) == (0, [])
        ws.delete_idea(ws.ideas()[0]["id"])
        total, rows = ws.query_audits(0, 200, auditable_type="idea")
        assert total == 1
        assert rows[0]["created_at"].startswith((start + timedelta(days=800)).strftime("%Y-%m-%d"))
        assert len(ws.deletions()) == 1
