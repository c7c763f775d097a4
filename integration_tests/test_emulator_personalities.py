"""The emulator's personalities: for every preset, over real HTTP, the answer differs from the
documented Aha!'s exactly as the preset says, and the ground truth stays what the records are.

Each test starts two emulators with the same seed, one documented and one with the preset, and
does the same thing to both.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import requests

from aha_emulator import PERSONALITIES, AhaEmulator, Personality, Workspace, personality
from aha_emulator.__main__ import main, options
from aha_emulator.routes import PLAN_ERROR

_AUTH = {"Authorization": "Bearer test-api-key"}
JSON = dict[str, Any]
ABBREVIATED = {
    "id",
    "reference_num",
    "name",
    "created_at",
    "updated_at",
    "workflow_status",
    "description",
    "url",
    "resource",
}


def _call(emu: AhaEmulator, method: str, path: str, body: JSON | None = None, **params: Any) -> Any:
    response = requests.request(
        method,
        f"{emu.url}/api/v1{path}",
        params=params,
        json=body,
        headers=_AUTH,
        timeout=10,
    )
    assert response.status_code in (200, 204), (path, response.status_code, response.text)
    return response.json() if response.status_code == 200 else None


def _get(emu: AhaEmulator, path: str, **params: Any) -> Any:
    return _call(emu, "GET", path, **params)


def _here(emu: AhaEmulator, answer: Any) -> Any:
    """An answer or truth with the emulator's own address (in ``url`` fields) left out, to
    compare two emulators."""
    return json.loads(json.dumps(answer).replace(emu.url, "BASE"))


@contextmanager
def _pair(preset: str, ideas: int = 60, seed: int = 5) -> Iterator[tuple[AhaEmulator, AhaEmulator]]:
    """(documented, preset) emulators over the same seeded workspace."""
    with (
        AhaEmulator(ideas=ideas, seed=seed) as documented,
        AhaEmulator(ideas=ideas, seed=seed, personality=preset) as other,
    ):
        assert other.personality == PERSONALITIES[preset]
        yield documented, other


def _idea_with(ws: Workspace, *counts: str) -> JSON:
    """The first idea with children of each kind (``votes``, ``portal``, ``internal``,
    ``proxy``, ``plain``), from the truth."""
    kinds: dict[str, Counter[str]] = {
        "votes": Counter(v["idea_id"] for v in ws.votes()),
        "proxy": Counter(v["idea_id"] for v in ws.votes(proxy=True)),
        "portal": Counter(c["idea_id"] for c in ws.idea_comments()),
        "internal": Counter(c["commentable"]["id"] for c in ws.internal_comments()),
    }
    plain = Counter(v["idea_id"] for v in ws.votes(proxy=False))
    kinds["plain"] = plain
    return next(i for i in ws.ideas() if all(kinds[k][i["id"]] for k in counts))


def _ideas_listed(emu: AhaEmulator, **params: Any) -> list[JSON]:
    body = _get(emu, "/ideas", per_page=200, **params)
    assert body["pagination"]["total_pages"] <= 1
    rows: list[JSON] = body["ideas"]
    return rows


# ---------------------------------------------------------------------------- the presets


def test_every_preset_differs_from_the_documented_personality_in_exactly_one_field() -> None:
    default = Personality()
    assert PERSONALITIES["documented"] == default
    for name, preset in PERSONALITIES.items():
        changed = [
            f.name
            for f in dataclasses.fields(Personality)
            if getattr(preset, f.name) != getattr(default, f.name)
        ]
        assert len(changed) == (0 if name == "documented" else 1), (name, changed)
    assert set(PERSONALITIES) == set(_PRESET_TESTS)


def test_documented_preset_answers_byte_for_byte_like_an_emulator_without_personality() -> None:
    with _pair("documented", seed=42) as (documented, other):
        assert documented.personality == Personality()
        for path, params in (
            ("/ideas", {"fields": "*", "per_page": 200}),
            ("/ideas/endorsements", {"proxy": "true", "per_page": 200}),
            ("/features", {"per_page": 200}),
        ):
            mine = _here(other, _get(other, path, **params))
            assert _here(documented, _get(documented, path, **params)) == mine
        idea = _idea_with(documented.workspace, "portal", "internal")
        counted = _get(other, f"/ideas/{idea['id']}", fields="comments_count")["idea"]
        portal = _get(other, f"/ideas/{idea['id']}/idea_comments")["pagination"]
        assert counted["comments_count"] == portal["total_records"]


def _served_and_true_counts(emu: AhaEmulator) -> tuple[dict[str, int], dict[str, int]]:
    served = {i["id"]: i["comments_count"] for i in _ideas_listed(emu, fields="comments_count")}
    truth = {i["id"]: i["comments_count"] for i in emu.workspace.ideas()}
    return served, truth


def _children_by_idea(ws: Workspace) -> tuple[Counter[str], Counter[str]]:
    portal = Counter(c["idea_id"] for c in ws.idea_comments())
    internal = Counter(c["commentable"]["id"] for c in ws.internal_comments())
    return portal, internal


def test_comments_count_internal_counts_each_ideas_internal_comments_and_truth_agrees() -> None:
    with _pair("comments_count_internal") as (documented, other):
        portal, internal = _children_by_idea(other.workspace)
        assert _children_by_idea(documented.workspace) == (portal, internal)
        served, truth = _served_and_true_counts(other)
        assert served == truth == {i: internal[i] for i in served}
        before, _ = _served_and_true_counts(documented)
        assert before == {i: portal[i] for i in before}
        assert before != served  # the seed has ideas whose two counts differ
        idea = _idea_with(other.workspace, "internal")
        one = _get(other, f"/ideas/{idea['id']}", fields="comments_count")["idea"]
        listed = _get(other, f"/ideas/{idea['id']}/comments")["pagination"]["total_records"]
        assert one["comments_count"] == listed == internal[idea["id"]]


def test_comments_count_portal_and_internal_counts_the_sum_and_truth_agrees() -> None:
    with _pair("comments_count_portal_and_internal") as (documented, other):
        portal, internal = _children_by_idea(other.workspace)
        served, truth = _served_and_true_counts(other)
        assert served == truth == {i: portal[i] + internal[i] for i in served}
        before, _ = _served_and_true_counts(documented)
        assert before != served
        truth = _here(other, other.workspace.idea_comments())
        assert truth == _here(documented, documented.workspace.idea_comments())


def _idea_updated(emu: AhaEmulator, idea_id: str) -> str:
    served: str = _get(emu, f"/ideas/{idea_id}", fields="updated_at")["idea"]["updated_at"]
    assert emu.workspace.idea(idea_id)["updated_at"] == served  # the truth is what is served
    return served


def _comment_writes(emu: AhaEmulator, idea_id: str) -> Iterator[str]:
    """Create, edit and delete a portal comment and an internal comment on the idea; yields
    after each write."""
    made = _call(emu, "POST", f"/ideas/{idea_id}/idea_comments", {"idea_comment": {"body": "x"}})
    comment = made["idea_comment"]["id"]
    yield "portal create"
    _call(emu, "PUT", f"/idea_comments/{comment}", {"idea_comment": {"body": "<p>y</p>"}})
    yield "portal edit"
    _call(emu, "DELETE", f"/ideas/{idea_id}/idea_comments/{comment}")
    yield "portal delete"
    internal = _call(emu, "POST", f"/ideas/{idea_id}/comments", {"comment": {"body": "z"}})
    yield "internal create"
    emu.workspace.edit_internal_comment(internal["comment"]["id"])
    yield "internal edit"
    _call(emu, "DELETE", f"/comments/{internal['comment']['id']}")
    yield "internal delete"


def test_comment_no_bump_leaves_the_idea_updated_at_through_every_comment_write() -> None:
    with _pair("comment_no_bump") as (documented, other):
        idea = _idea_with(other.workspace)["id"]
        moved, kept = [_idea_updated(documented, idea)], _idea_updated(other, idea)
        steps = zip(_comment_writes(documented, idea), _comment_writes(other, idea), strict=True)
        for step, _ in steps:
            moved.append(_idea_updated(documented, idea))
            assert moved[-1] > moved[-2], step
            assert _idea_updated(other, idea) == kept, step
        # the comment the truth still holds keeps its own, later, times
        made = other.workspace.add_comment(idea)
        truth = next(c for c in other.workspace.idea_comments() if c["id"] == made["id"])
        assert truth["updated_at"] == made["updated_at"] > _idea_updated(other, idea) == kept


def test_vote_no_bump_leaves_the_idea_updated_at_through_every_vote_write() -> None:
    with _pair("vote_no_bump") as (documented, other):
        idea = _idea_with(other.workspace)["id"]
        org = other.workspace.idea_organizations()[0]["id"]
        kept = _idea_updated(other, idea)
        for emu in (documented, other):
            before = _idea_updated(emu, idea)
            payload = {"idea_endorsement": {"idea_organization_id": org, "value": 10}}
            vote = _call(emu, "POST", f"/ideas/{idea}/endorsements", payload)["idea_endorsement"]
            created = _idea_updated(emu, idea)
            emu.workspace.edit_vote(vote["id"])
            edited = _idea_updated(emu, idea)
            _call(emu, "DELETE", f"/ideas/{idea}/endorsements/{vote['id']}")
            deleted = _idea_updated(emu, idea)
            if emu is documented:
                assert before < created < edited < deleted
            else:
                assert before == created == edited == deleted == kept
                assert vote["updated_at"] > kept  # the vote itself has its real time


def test_comments_without_updated_at_never_serve_it_even_when_asked_and_truth_keeps_it() -> None:
    with _pair("comments_without_updated_at") as (documented, other):
        idea = _idea_with(other.workspace, "portal")["id"]
        path = f"/ideas/{idea}/idea_comments"
        for fields in ("updated_at,body", "*", None):
            params = {} if fields is None else {"fields": fields}
            asked = _here(other, _get(other, path, **params)["idea_comments"])
            shown = _here(documented, _get(documented, path, **params)["idea_comments"])
            assert asked == [{k: v for k, v in c.items() if k != "updated_at"} for c in shown]
            assert all("updated_at" not in c for c in asked)
        shown = _get(documented, path, fields="updated_at")["idea_comments"]
        truth = {c["id"]: c["updated_at"] for c in other.workspace.idea_comments()}
        assert shown
        assert all(truth[c["id"]] == c["updated_at"] for c in shown)
        made = _call(other, "POST", path, {"idea_comment": {"body": "x"}})["idea_comment"]
        assert "updated_at" not in made
        assert any(
            c["id"] == made["id"] and c["updated_at"] for c in other.workspace.idea_comments()
        )


def test_per_page_100_caps_every_page_at_100_and_the_pages_still_cover_the_truth() -> None:
    with _pair("per_page_100", ideas=130) as (documented, other):
        truth = [i["id"] for i in other.workspace.ideas()]
        assert len(truth) > 100
        whole = _get(documented, "/ideas", per_page=200)
        assert [i["id"] for i in whole["ideas"]] == truth
        first = _get(other, "/ideas", per_page=200)
        assert len(first["ideas"]) == 100
        assert first["pagination"] == {
            "total_records": len(truth),
            "total_pages": math.ceil(len(truth) / 100),
            "current_page": 1,
        }
        second = _get(other, "/ideas", per_page=200, page=2)["ideas"]
        assert [i["id"] for i in first["ideas"] + second] == truth
        votes = _get(other, "/ideas/endorsements", per_page=500)
        assert len(votes["idea_endorsements"]) == min(100, len(other.workspace.votes()))
        assert len(_get(other, "/ideas", per_page=40)["ideas"]) == 40  # below the cap: as asked


_SINCE_LISTS = (  # path, envelope key, the truth's rows
    ("/ideas", "ideas", lambda ws: ws.ideas()),
    ("/ideas/endorsements", "idea_endorsements", lambda ws: ws.votes()),
    ("/features", "features", lambda ws: ws.features()),
    ("/tasks", "tasks", lambda ws: ws.tasks()),
)


def test_updated_since_inclusive_lists_records_updated_at_the_bound_on_every_list() -> None:
    with _pair("updated_since_inclusive") as (documented, other):
        for path, key, rows in _SINCE_LISTS:
            truth = rows(other.workspace)
            assert _here(other, truth) == _here(documented, rows(documented.workspace))
            bound = max(r["updated_at"] for r in truth)
            at_bound = {r["id"] for r in truth if r["updated_at"] == bound}
            after = _get(documented, path, updated_since=bound, per_page=200)[key]
            since = _get(other, path, updated_since=bound, per_page=200)[key]
            assert after == [], path
            assert {r["id"] for r in since} == at_bound, path


def test_proxy_ignored_returns_every_vote_for_proxy_true_on_both_endorsement_lists() -> None:
    with _pair("proxy_ignored") as (documented, other):
        ws = other.workspace
        every, proxies = ws.votes(), ws.votes(proxy=True)
        assert {v["id"] for v in proxies} < {v["id"] for v in every}  # the truth still tells
        served = _get(other, "/ideas/endorsements", proxy="true", per_page=200)
        filtered = _get(documented, "/ideas/endorsements", proxy="true", per_page=200)
        assert [v["id"] for v in served["idea_endorsements"]] == [v["id"] for v in every]
        assert [v["id"] for v in filtered["idea_endorsements"]] == [v["id"] for v in proxies]
        idea = _idea_with(ws, "proxy", "plain")["id"]
        path = f"/ideas/{idea}/endorsements"
        own = [v["id"] for v in every if v["idea_id"] == idea]
        own_proxies = [v["id"] for v in proxies if v["idea_id"] == idea]
        assert [v["id"] for v in _get(other, path, proxy="true")["idea_endorsements"]] == own
        listed = _get(documented, path, proxy="true")["idea_endorsements"]
        assert [v["id"] for v in listed] == own_proxies


def test_fields_ignored_lists_abbreviated_ideas_but_the_single_idea_and_truth_stay_full() -> None:
    with _pair("fields_ignored") as (documented, other):
        asked = {"fields": "comments_count,votes,endorsements_count"}
        served = _ideas_listed(other, **asked)
        assert served
        assert all(set(i) == ABBREVIATED for i in served)
        assert all("comments_count" in i for i in _ideas_listed(documented, **asked))
        product = other.workspace.products()[0]["id"]
        per_product = _get(other, f"/products/{product}/ideas", **asked)["ideas"]
        assert per_product
        assert all(set(i) == ABBREVIATED for i in per_product)
        one = _get(other, f"/ideas/{served[0]['id']}")["idea"]
        assert one == other.workspace.idea(served[0]["id"])
        assert {"comments_count", "votes", "endorsements_count"} <= set(one)
        truth = _here(other, other.workspace.ideas())
        assert truth == _here(documented, documented.workspace.ideas())


def _audited_cycle(emu: AhaEmulator) -> str:
    """Create and edit a portal comment, an internal comment and a vote on one idea, then
    delete the idea; returns its id."""
    ws = emu.workspace
    idea = _idea_with(ws, "votes", "portal")["id"]
    ws.edit_comment(ws.add_comment(idea)["id"])
    ws.edit_internal_comment(ws.add_internal_comment(idea)["id"])
    ws.edit_vote(ws.add_vote(idea)["id"])
    ws.delete_idea(idea)
    return idea


def _audits(emu: AhaEmulator, **params: Any) -> list[JSON]:
    rows: list[JSON] = _get(emu, "/audits", per_page=200, **params)["audits"]
    return rows


@pytest.mark.parametrize(
    ("preset", "spelled"),
    [
        ("audit_types_plural", {"idea": "ideas", "idea_comment": "idea_comments"}),
        (
            "audit_types_unknown",
            {"idea": "Aha::IdeaRecord", "idea_comment": "Aha::IdeaCommentRecord"},
        ),
    ],
)
def test_audit_types_preset_spells_every_type_its_way_and_filters_still_find_them(
    preset: str, spelled: dict[str, str]
) -> None:
    with _pair(preset) as (documented, other):
        idea = _audited_cycle(documented)
        assert _audited_cycle(other) == idea
        snake = _audits(documented, associated_id=idea)
        served = _audits(other, associated_id=idea)
        assert [a["id"] for a in served] == [a["id"] for a in snake]
        for mine, plain in zip(served, snake, strict=True):
            assert mine["associated_type"] == spelled["idea"]
            assert mine["auditable_type"] != plain["auditable_type"]
        kinds = {a["auditable_type"] for a in served}
        assert spelled["idea_comment"] in kinds
        if preset == "audit_types_unknown":  # no client's guess: not snake, class nor plural
            assert not kinds & {"idea_comment", "Ideas::IdeaComment", "idea_comments", "comment"}
        found = _audits(other, auditable_type=spelled["idea_comment"], associated_id=idea)
        assert found
        assert {a["auditable_type"] for a in found} == {spelled["idea_comment"]}
        truth = {a["id"]: a for a in other.workspace.audits()}
        assert all(truth[a["id"]] == a for a in served)  # the truth spells them as served


def test_no_child_audits_deleting_an_idea_audits_only_the_idea_but_a_lone_delete_is_audited() -> (
    None
):
    with _pair("no_child_audits") as (documented, other):
        idea = _idea_with(other.workspace, "votes", "portal")
        children = [v["id"] for v in other.workspace.votes() if v["idea_id"] == idea["id"]]
        children += [c["id"] for c in other.workspace.idea_comments() if c["idea_id"] == idea["id"]]
        for emu in (documented, other):
            _call(emu, "DELETE", f"/ideas/{idea['id']}")
        wanted = {"audit_action": "destroy", "created_since": idea["created_at"]}
        cascade = _audits(documented, associated_id=idea["id"], **wanted)
        assert set(children) <= {a["auditable_id"] for a in cascade}
        assert _audits(other, associated_id=idea["id"], **wanted) == []
        for emu in (documented, other):
            own = _audits(emu, auditable_id=idea["id"], **wanted)
            assert [a["auditable_type"] for a in own] == ["idea"]
        ws = other.workspace
        assert not {v["id"] for v in ws.votes()} & set(children)  # the children are gone
        assert not {c["id"] for c in ws.idea_comments(include_spam=True)} & set(children)
        vote = ws.votes()[0]
        _call(other, "DELETE", f"/ideas/{vote['idea_id']}/endorsements/{vote['id']}")
        lone = _audits(other, auditable_id=vote["id"], audit_action="destroy")
        assert [a["associated_id"] for a in lone] == [vote["idea_id"]]
        destroyed = {a["auditable_id"] for a in ws.audits() if a["audit_action"] == "destroy"}
        assert not destroyed & set(children)  # the truth holds the audits written


def test_no_child_audits_shapes_the_seeded_history_too_and_the_same_ideas_are_deleted() -> None:
    def destroyed(ws: Workspace) -> list[tuple[str, str]]:
        return [
            (a["auditable_type"], a["auditable_id"])
            for a in ws.audits()
            if a["audit_action"] == "destroy"
        ]

    documented = destroyed(Workspace(ideas=60, seed=5))
    other = destroyed(Workspace(ideas=60, seed=5, personality="no_child_audits"))
    assert {kind for kind, _ in documented} - {"idea"}, "the documented history has children"
    assert other == [(kind, id_) for kind, id_ in documented if kind == "idea"]


def test_audits_forbidden_answers_403_with_the_plan_error_and_truth_keeps_every_audit() -> None:
    with _pair("audits_forbidden") as (documented, other):
        for emu in (documented, other):
            _audited_cycle(emu)
        response = requests.get(f"{other.url}/api/v1/audits", headers=_AUTH, timeout=10)
        assert response.status_code == 403
        assert response.json() == {"error": PLAN_ERROR}
        assert _audits(documented)
        assert _get(other, "/deletions")["deletions"]  # the recycle bin still answers
        truth = [a["id"] for a in other.workspace.audits()]
        assert truth == [a["id"] for a in documented.workspace.audits()]


_PRESET_TESTS = {
    "documented": test_documented_preset_answers_byte_for_byte_like_an_emulator_without_personality,
    "comments_count_internal": (
        test_comments_count_internal_counts_each_ideas_internal_comments_and_truth_agrees
    ),
    "comments_count_portal_and_internal": (
        test_comments_count_portal_and_internal_counts_the_sum_and_truth_agrees
    ),
    "comment_no_bump": test_comment_no_bump_leaves_the_idea_updated_at_through_every_comment_write,
    "vote_no_bump": test_vote_no_bump_leaves_the_idea_updated_at_through_every_vote_write,
    "comments_without_updated_at": (
        test_comments_without_updated_at_never_serve_it_even_when_asked_and_truth_keeps_it
    ),
    "per_page_100": test_per_page_100_caps_every_page_at_100_and_the_pages_still_cover_the_truth,
    "updated_since_inclusive": (
        test_updated_since_inclusive_lists_records_updated_at_the_bound_on_every_list
    ),
    "proxy_ignored": test_proxy_ignored_returns_every_vote_for_proxy_true_on_both_endorsement_lists,
    "fields_ignored": (
        test_fields_ignored_lists_abbreviated_ideas_but_the_single_idea_and_truth_stay_full
    ),
    "audit_types_plural": (
        test_audit_types_preset_spells_every_type_its_way_and_filters_still_find_them
    ),
    "audit_types_unknown": (
        test_audit_types_preset_spells_every_type_its_way_and_filters_still_find_them
    ),
    "no_child_audits": (
        test_no_child_audits_deleting_an_idea_audits_only_the_idea_but_a_lone_delete_is_audited
    ),
    "audits_forbidden": (
        test_audits_forbidden_answers_403_with_the_plan_error_and_truth_keeps_every_audit
    ),
}


# ---------------------------------------------------------- audits name the idea; filters


def test_create_and_update_audits_of_comments_and_votes_name_their_idea_and_filters_hold() -> None:
    with AhaEmulator(ideas=60, seed=5) as emu:
        ws = emu.workspace
        idea = _idea_with(ws)["id"]
        start = ws.add_comment(idea)
        ws.edit_comment(start["id"])
        ws.edit_internal_comment(ws.add_internal_comment(idea)["id"])
        ws.edit_vote(ws.add_vote(idea)["id"])
        mine = _audits(emu, associated_type="idea", associated_id=idea)
        pairs = Counter((a["auditable_type"], a["audit_action"]) for a in mine)
        for kind in ("idea_comment", "comment", "idea_endorsement"):
            assert pairs[(kind, "create")] == pairs[(kind, "update")] == 1, pairs
        since = _audits(emu, created_since=start["created_at"])
        assert [a["id"] for a in since] == [a["id"] for a in mine]
        updates = _audits(emu, audit_action="update", auditable_type="idea_comment")
        assert [a["auditable_id"] for a in updates][-1] == start["id"]
        after = _audits(emu, created_since=start["created_at"], after_id=mine[1]["id"])
        assert [a["id"] for a in after] == [a["id"] for a in mine[2:]]


# ---------------------------------------------------------- construction and switching


def test_personality_combines_presets_in_order_and_names_a_bad_one() -> None:
    both = personality("vote_no_bump", "per_page_100", "audit_types_plural")
    assert (both.vote_moves_idea, both.max_per_page, both.audit_types) == (False, 100, "plural")
    assert personality("audit_types_plural", "audit_types_unknown").audit_types == "unknown"
    assert personality() == Personality()
    with pytest.raises(ValueError, match="no_such_preset"):
        personality("vote_no_bump", "no_such_preset")


def test_audit_types_argument_sets_the_personality_and_must_agree_with_it() -> None:
    assert Workspace(ideas=5, audit_types="class").personality.audit_types == "class"
    ws = Workspace(ideas=5, personality="audit_types_plural", audit_types="plural")
    assert ws.personality == PERSONALITIES["audit_types_plural"]
    with pytest.raises(ValueError, match="audit_types"):
        Workspace(ideas=5, personality="audit_types_plural", audit_types="class")
    with pytest.raises(ValueError, match="audit_types"):
        AhaEmulator(ideas=5, personality=Personality(), audit_types="class")
    assert AhaEmulator(ideas=5, personality="vote_no_bump").personality.vote_moves_idea is False


def test_a_running_emulator_switches_personality_by_call_and_by_admin_route() -> None:
    with AhaEmulator(ideas=60, seed=5) as emu:
        assert _get(emu, "/audits")["audits"]
        emu.set_personality("audits_forbidden")
        forbidden = requests.get(f"{emu.url}/api/v1/audits", headers=_AUTH, timeout=10)
        assert forbidden.status_code == 403
        switched = requests.post(
            f"{emu.url}/__emulator__/personality",
            json={"personality": ["per_page_100", "proxy_ignored"]},
            timeout=10,
        )
        assert switched.status_code == 200
        assert emu.personality == personality("per_page_100", "proxy_ignored")
        assert _get(emu, "/audits")["audits"]
        bad = requests.post(
            f"{emu.url}/__emulator__/personality", json={"personality": "nope"}, timeout=10
        )
        assert bad.status_code == 400
        assert "nope" in bad.json()["error"]


def test_command_line_help_lists_every_preset_and_the_default_api_key(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    shown = capsys.readouterr().out
    assert "--personality" in shown
    assert "test-api-key" in shown
    assert all(name in shown for name in PERSONALITIES)


def test_command_line_combines_personality_flags_in_order_and_keeps_audit_types(capsys) -> None:
    _, chosen = options(["--personality", "vote_no_bump", "--personality", "per_page_100"])
    assert chosen == personality("vote_no_bump", "per_page_100")
    assert options(["--audit-types", "class"])[1] == Personality(audit_types="class")
    flags = ["--personality", "audit_types_plural", "--audit-types", "plural"]
    assert options(flags)[1].audit_types == "plural"
    with pytest.raises(SystemExit):
        options(["--personality", "audit_types_plural", "--audit-types", "class"])
    with pytest.raises(SystemExit):
        options(["--personality", "no_such_preset"])
    assert "no_such_preset" in capsys.readouterr().err
