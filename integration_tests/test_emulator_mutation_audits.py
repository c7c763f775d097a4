"""What each Workspace mutation writes to the audits (both ``audit_types`` spellings), and what
the deletes leave behind: cascades, counts, ``updated_at``, links and the recycle bin."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from aha_emulator import AhaEmulator, RecordNotFoundError, Workspace
from aha_emulator.audits.records import TYPES

JSON = dict[str, Any]
# (auditable_type, auditable_id, associated_type, associated_id) in snake spelling
Row = tuple[str, str, str | None, str | None]


def _new_audits(ws: Workspace, action: Callable[[], Any]) -> tuple[Any, list[JSON]]:
    before = len(ws.audits())
    result = action()
    return result, ws.audits()[before:]


def _spelled(style: str, kind: str | None) -> str | None:
    return kind if kind is None or style == "snake" else TYPES[kind]


def _idea_with_children(ws: Workspace) -> JSON:
    internal = {c["commentable"]["id"] for c in ws.internal_comments()}
    return next(
        i
        for i in ws.ideas()
        if i["endorsements_count"] and i["comments_count"] and i["id"] in internal
    )


def _cases(ws: Workspace) -> list[tuple[str, Callable[[], Any], str, Callable[[Any], Row]]]:
    """(label, mutation, action, expected subject from the mutation's result)."""
    idea = ws.ideas()[3]["id"]
    vote = ws.votes(proxy=True)[0]
    comment = ws.idea_comments()[0]
    internal = ws.internal_comments()[0]
    feature, release = ws.features()[1], ws.releases()[2]
    task, requirement = ws.tasks()[0], ws.requirements()[0]
    org, product = ws.idea_organizations()[0], ws.products()[0]
    epic = ws.epics()[-1]["id"]

    def child(kind: str) -> Callable[[JSON], Row]:
        return lambda r: (kind, r["id"], "idea", r.get("idea_id") or r["commentable"]["id"])

    def same(kind: str, ident: str, parent: tuple[str, str] | None = None) -> Callable[[Any], Row]:
        return lambda r: (kind, ident, *(parent or (None, None)))

    return [
        ("add_idea", ws.add_idea, "create", lambda r: ("idea", r["id"], None, None)),
        ("edit_idea", lambda: ws.edit_idea(idea, name="N"), "update", same("idea", idea)),
        ("add_vote", lambda: ws.add_vote(idea), "create", child("idea_endorsement")),
        ("add plain vote", lambda: ws.add_vote(idea, False), "create", child("idea_endorsement")),
        (
            "edit_vote",
            lambda: ws.edit_vote(vote["id"]),
            "update",
            same("idea_endorsement", vote["id"], ("idea", vote["idea_id"])),
        ),
        ("add_comment", lambda: ws.add_comment(idea), "create", child("idea_comment")),
        (
            "edit_comment",
            lambda: ws.edit_comment(comment["id"]),
            "update",
            same("idea_comment", comment["id"], ("idea", comment["idea_id"])),
        ),
        ("add_internal", lambda: ws.add_internal_comment(idea), "create", child("comment")),
        (
            "edit_internal",
            lambda: ws.edit_internal_comment(internal["id"], "<p>b</p>"),
            "update",
            same("comment", internal["id"], ("idea", internal["commentable"]["id"])),
        ),
        (
            "add_org",
            ws.add_idea_organization,
            "create",
            lambda r: ("idea_organization", r["id"], None, None),
        ),
        (
            "edit_org",
            lambda: ws.edit_idea_organization(org["id"]),
            "update",
            same("idea_organization", org["id"]),
        ),
        ("add_feature", ws.add_feature, "create", lambda r: ("feature", r["id"], None, None)),
        (
            "edit_feature",
            lambda: ws.edit_feature(feature["id"]),
            "update",
            same("feature", feature["id"]),
        ),
        (
            "edit_release",
            lambda: ws.edit_release(release["id"]),
            "update",
            same("release", release["id"]),
        ),
        (
            "edit_epic",
            lambda: ws.edit_epic(ws.epics()[0]["id"]),
            "update",
            lambda r: ("epic", r["id"], None, None),
        ),
        (
            "edit_initiative",
            lambda: ws.edit_initiative(ws.initiatives()[0]["id"]),
            "update",
            lambda r: ("initiative", r["id"], None, None),
        ),
        (
            "edit_goal",
            lambda: ws.edit_goal(ws.goals()[0]["id"]),
            "update",
            lambda r: ("goal", r["id"], None, None),
        ),
        (
            "edit_product",
            lambda: ws.edit_product(product["id"]),
            "update",
            same("project", product["id"]),
        ),
        ("edit_task", lambda: ws.edit_task(task["id"]), "update", same("task", task["id"])),
        (
            "edit_requirement",
            lambda: ws.edit_requirement(requirement["id"]),
            "update",
            same("requirement", requirement["id"], ("feature", requirement["parent"])),
        ),
        ("subscribe", lambda: ws.add_idea_subscription(idea), "create", child("idea_subscription")),
        (
            "delete_vote",
            lambda: ws.delete_vote(vote["id"]),
            "destroy",
            same("idea_endorsement", vote["id"], ("idea", vote["idea_id"])),
        ),
        (
            "delete_internal",
            lambda: ws.delete_internal_comment(internal["id"]),
            "destroy",
            same("comment", internal["id"], ("idea", internal["commentable"]["id"])),
        ),
        ("delete_epic", lambda: ws.delete_epic(epic), "destroy", same("epic", epic)),
    ]


@pytest.mark.parametrize("style", ["snake", "class"])
def test_every_mutation_writes_one_audit_of_its_record_in_the_chosen_spelling(style: str) -> None:
    ws = Workspace(ideas=40, seed=8, audit_types=style)
    for label, mutation, action, expected in _cases(ws):
        result, audits = _new_audits(ws, mutation)
        want = expected(result)
        *dependants, audit = audits
        # only a roadmap delete touches other records: the features that were in the epic
        assert not dependants or label == "delete_epic", label
        assert all(
            (a["audit_action"], a["auditable_type"]) == ("update", _spelled(style, "feature"))
            for a in dependants
        )
        got = (audit["auditable_type"], audit["auditable_id"])
        got_parent = (audit["associated_type"], audit["associated_id"])
        assert audit["audit_action"] == action, label
        assert got == (_spelled(style, want[0]), want[1]), label
        assert got_parent == (_spelled(style, want[2]), want[3]), label


def test_mutate_random_writes_one_audit_per_change_and_keeps_its_summary() -> None:
    first, second = Workspace(ideas=50, seed=6), Workspace(ideas=50, seed=6)
    summary, audits = _new_audits(first, lambda: first.mutate_random(10, seed=9))
    assert summary == second.mutate_random(10, seed=9)
    assert len(audits) == len(summary["changed_idea_ids"])
    created = {a["auditable_id"] for a in audits if a["audit_action"] == "create"}
    wanted = summary["new_vote_ids"] + summary["new_comment_ids"] + summary["new_idea_ids"]
    assert created == set(wanted)


def test_deleting_an_idea_destroys_its_children_first_then_the_idea() -> None:
    ws = Workspace(ideas=80, seed=3)
    idea = _idea_with_children(ws)
    votes = {v["id"] for v in ws.votes() if v["idea_id"] == idea["id"]}
    comments = {c["id"] for c in ws.idea_comments(include_spam=True) if c["idea_id"] == idea["id"]}
    internals = {c["id"] for c in ws.internal_comments() if c["commentable"]["id"] == idea["id"]}
    bin_before = len(ws.deletions())
    _, audits = _new_audits(ws, lambda: ws.delete_idea(idea["id"]))
    assert all(a["audit_action"] == "destroy" for a in audits)
    assert audits[-1]["auditable_type"] == "idea"
    assert audits[-1]["auditable_id"] == idea["id"]
    children = audits[:-1]
    by_type = {t: {a["auditable_id"] for a in children if a["auditable_type"] == t} for t in TYPES}
    assert (by_type["idea_endorsement"], by_type["idea_comment"], by_type["comment"]) == (
        votes,
        comments,
        internals,
    )
    assert len(children) == len(votes) + len(comments) + len(internals)
    assert all((a["associated_type"], a["associated_id"]) == ("idea", idea["id"]) for a in children)
    assert len({a["created_at"] for a in audits}) == 1
    assert [int(a["id"]) for a in audits] == sorted(int(a["id"]) for a in audits)
    assert not {v["id"] for v in ws.votes()} & votes
    assert not {c["id"] for c in ws.internal_comments()} & internals
    with pytest.raises(RecordNotFoundError):
        ws.idea(idea["id"])
    rows = ws.deletions()[bin_before:]
    assert [r["record"] for r in rows] == [
        {"name": idea["name"], "type": "idea", "reference_num": idea["reference_num"]}
    ]
    assert rows[0]["deleted_at"] == audits[-1]["created_at"]
    assert rows[0]["deleted_by"]["id"] == audits[-1]["user"]["id"]


def test_deleting_votes_and_comments_keeps_the_idea_counts_and_moves_updated_at() -> None:
    ws = Workspace(ideas=80, seed=3)
    idea = _idea_with_children(ws)
    vote = next(v for v in ws.votes() if v["idea_id"] == idea["id"])
    _, audits = _new_audits(ws, lambda: ws.delete_vote(vote["id"]))
    after = ws.idea(idea["id"])
    assert after["votes"] == idea["votes"] - vote["weight"]
    assert after["endorsements_count"] == idea["endorsements_count"] - 1
    assert after["updated_at"] == audits[0]["created_at"] > idea["updated_at"]
    parent = ws.add_comment(idea["id"])
    reply = ws.add_comment(idea["id"], parent_id=parent["id"])
    counted = ws.idea(idea["id"])["comments_count"]
    _, audits = _new_audits(ws, lambda: ws.delete_comment(parent["id"]))
    assert [a["auditable_id"] for a in audits] == [reply["id"], parent["id"]]
    after = ws.idea(idea["id"])
    assert after["comments_count"] == counted - 2
    assert after["updated_at"] == audits[-1]["created_at"]
    internal = ws.add_internal_comment(idea["id"], "<p>x</p>")
    _, audits = _new_audits(ws, lambda: ws.delete_internal_comment(internal["id"]))
    assert ws.idea(idea["id"])["updated_at"] == audits[0]["created_at"]
    assert internal["id"] not in {c["id"] for c in ws.internal_comments()}
    other = next(i for i in ws.ideas() if i["id"] != idea["id"])
    with pytest.raises(RecordNotFoundError):
        ws.delete_vote(next(v["id"] for v in ws.votes() if v["idea_id"] == idea["id"]), other["id"])
    for delete in (ws.delete_vote, ws.delete_comment, ws.delete_internal_comment, ws.delete_idea):
        with pytest.raises(RecordNotFoundError):
            delete("123")


def test_roadmap_deletes_leave_nothing_pointing_at_the_deleted_record() -> None:
    ws = Workspace(ideas=120, seed=2)
    linked = next(i for i in ws.ideas() if i["feature"])
    feature = linked["feature"]["id"]
    requirements = {r["id"] for r in ws.requirements() if r["parent"] == feature}
    _, audits = _new_audits(ws, lambda: ws.delete_feature(feature))
    assert feature not in {f["id"] for f in ws.features()}
    assert ws.idea(linked["id"])["feature"] is None
    assert {r["id"] for r in ws.requirements()} & (requirements | {feature}) == set()
    kinds = [(a["audit_action"], a["auditable_type"]) for a in audits]
    assert kinds[-1] == ("destroy", "feature")
    assert ("update", "idea") in kinds
    assert sum(k == ("destroy", "requirement") for k in kinds) == len(requirements)
    release = next(
        r
        for r in ws.releases()
        if not r["parking_lot"] and any(f["release"]["id"] == r["id"] for f in ws.features())
    )
    moved = [f["id"] for f in ws.features() if f["release"]["id"] == release["id"]]
    ws.delete_release(release["id"])
    lots = {r["id"] for r in ws.releases() if r["parking_lot"]}
    assert all(f["release"]["id"] in lots for f in ws.features() if f["id"] in moved)
    with pytest.raises(ValueError, match="parking lot"):
        ws.delete_release(next(iter(lots)))
    for kind in ("epic", "initiative", "goal"):
        record = getattr(ws, f"{kind}s")()[0]
        getattr(ws, f"delete_{kind}")(record["id"])
        assert record["id"] not in {r["id"] for r in getattr(ws, f"{kind}s")()}
    refs = {
        r["reference_num"]
        for kind in ("releases", "epics", "initiatives")
        for r in getattr(ws, kind)()
    }
    for record in ws.features() + ws.epics():
        linked = (
            record.get(k)
            for k in ("release_reference_num", "epic_reference_num", "initiative_reference_num")
        )
        assert {r for r in linked if r} <= refs, record["reference_num"]
    goals = {g["id"] for g in ws.goals()}
    assert all({g["id"] for g in f["goals"]} <= goals for f in ws.features() + ws.initiatives())
    features = {f["id"] for f in ws.features()}
    assert all(i["feature"] is None or i["feature"]["id"] in features for i in ws.ideas())


def test_emulator_passes_audit_types_through() -> None:
    emulator = AhaEmulator(ideas=20, seed=1, audit_types="class")
    assert {a["auditable_type"] for a in emulator.workspace.audits()} <= set(TYPES.values())
    with pytest.raises(ValueError, match="audit_types"):
        Workspace(ideas=5, audit_types="camel")
