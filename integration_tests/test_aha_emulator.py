"""Tests of the Aha! API emulator itself: shapes, paging, filters, limits, faults and CLI.

Read-only tests share one module-scoped emulator; tests that mutate data, switch faults or
limits start their own small one.
"""

from __future__ import annotations

import json
import math
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from aha_emulator import AhaEmulator, Faults, Workspace
from testkit.streams import ACCOUNT_STREAMS

_KEY = "test-api-key"
_AUTH = {"Authorization": f"Bearer {_KEY}"}
_REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def emu() -> Iterator[AhaEmulator]:
    with AhaEmulator(ideas=300, seed=1) as emulator:
        yield emulator


@pytest.fixture
def fresh() -> Iterator[AhaEmulator]:
    with AhaEmulator(ideas=60, seed=5) as emulator:
        yield emulator


def _get(emulator: AhaEmulator, path: str, **params: Any) -> requests.Response:
    return requests.get(f"{emulator.url}/api/v1{path}", params=params, headers=_AUTH, timeout=10)


def _all_pages(emulator: AhaEmulator, path: str, key: str, **params: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    page = 1
    while True:
        body = _get(emulator, path, page=page, **params).json()
        rows.extend(body[key])
        if body["pagination"]["current_page"] >= body["pagination"]["total_pages"]:
            return rows
        page += 1


def _is_json(body: bytes) -> bool:
    try:
        json.loads(body)
    except ValueError:
        return False
    return True


def _an_idea_with(emulator: AhaEmulator, predicate: Any) -> dict[str, Any]:
    return next(i for i in emulator.workspace.ideas() if predicate(i))


# ------------------------------------------------------------------------ envelope and paging


def test_list_has_plural_key_and_pagination_block(emu: AhaEmulator) -> None:
    body = _get(emu, "/ideas").json()
    total = len(emu.workspace.ideas())
    assert set(body) == {"ideas", "pagination"}
    assert len(body["ideas"]) == 30
    assert body["pagination"] == {
        "total_records": total,
        "total_pages": math.ceil(total / 30),
        "current_page": 1,
    }


def test_paging_pages_1_to_n_returns_every_idea_once_in_ascending_numeric_id(
    emu: AhaEmulator,
) -> None:
    ids = [row["id"] for row in _all_pages(emu, "/ideas", "ideas", per_page=50)]
    assert ids == [i["id"] for i in emu.workspace.ideas()]
    assert [int(i) for i in ids] == sorted(int(i) for i in ids)
    assert {len(i) for i in ids} == {9, 10}  # string order differs from numeric order


def test_per_page_above_200_is_clamped_to_200(emu: AhaEmulator) -> None:
    body = _get(emu, "/ideas", per_page=500).json()
    assert len(body["ideas"]) == 200
    assert body["pagination"]["total_pages"] == math.ceil(len(emu.workspace.ideas()) / 200)


def test_empty_result_has_zero_pages_and_echoes_requested_page(emu: AhaEmulator) -> None:
    body = _get(emu, "/ideas", q="no such idea anywhere", page=3).json()
    assert body == {
        "ideas": [],
        "pagination": {"total_records": 0, "total_pages": 0, "current_page": 3},
    }


def test_page_below_one_is_treated_as_page_one(emu: AhaEmulator) -> None:
    assert _get(emu, "/ideas", page=0).json()["ideas"] == _get(emu, "/ideas").json()["ideas"]


def test_non_integer_page_or_per_page_is_json_400(emu: AhaEmulator) -> None:
    for params in ({"page": "two"}, {"per_page": "1.5"}):
        response = _get(emu, "/ideas", **params)
        assert response.status_code == 400
        assert "error" in response.json()


# ------------------------------------------------------------------------------- errors


def test_missing_or_wrong_api_key_is_json_401(emu: AhaEmulator) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": _KEY}):
        response = requests.get(f"{emu.url}/api/v1/ideas", headers=headers, timeout=10)
        assert response.status_code == 401
        assert response.headers["Content-Type"].startswith("application/json")
        assert response.json() == {"error": "Authentication failed"}


def test_unknown_route_is_html_404(emu: AhaEmulator) -> None:
    for path in ("/api/v1/idea_proxy_votes", "/api/v2/ideas", "/"):
        response = requests.get(f"{emu.url}{path}", headers=_AUTH, timeout=10)
        assert response.status_code == 404
        assert response.headers["Content-Type"].startswith("text/html")
        assert response.text.lstrip().startswith("<!DOCTYPE html>")


def test_missing_idea_is_json_404_record_not_found(emu: AhaEmulator) -> None:
    for path in ("/ideas/123", "/ideas/I-9930", "/ideas/123/endorsements"):
        response = _get(emu, path)
        assert response.status_code == 404
        assert response.json() == {"error": "Record not found."}


def test_non_get_on_api_route_is_json_405(emu: AhaEmulator) -> None:
    response = requests.post(f"{emu.url}/api/v1/ideas", headers=_AUTH, json={}, timeout=10)
    assert response.status_code == 405
    assert response.json()["error"]


# ----------------------------------------------------------------------------- filters


def test_updated_since_keeps_only_ideas_updated_strictly_after(emu: AhaEmulator) -> None:
    truth = emu.workspace.ideas()
    cutoff = sorted(i["updated_at"] for i in truth)[len(truth) // 2]
    expected = [i["id"] for i in truth if i["updated_at"] > cutoff]
    got = [r["id"] for r in _all_pages(emu, "/ideas", "ideas", per_page=200, updated_since=cutoff)]
    assert got == expected
    assert all(i["id"] not in got for i in truth if i["updated_at"] == cutoff)


def test_updated_since_accepts_offsets_and_whole_seconds(emu: AhaEmulator) -> None:
    utc = _get(emu, "/ideas", updated_since="2023-01-01T00:00:00Z").json()["pagination"]
    offset = _get(emu, "/ideas", updated_since="2023-01-01T02:00:00.000+02:00").json()
    assert offset["pagination"] == utc
    assert _get(emu, "/ideas", updated_since="yesterday").status_code == 400


def test_workflow_status_filter_accepts_name_case_insensitively_and_id(emu: AhaEmulator) -> None:
    planned = next(s for s in emu.workspace.workflow_statuses() if s["name"] == "Planned")
    expected = [i["id"] for i in emu.workspace.ideas() if i["workflow_status"]["name"] == "Planned"]
    assert expected
    for value in ("planned", "PLANNED", planned["id"]):
        rows = _all_pages(emu, "/ideas", "ideas", per_page=200, workflow_status=value)
        assert [r["id"] for r in rows] == expected


def test_q_matches_name_substring_case_insensitively(emu: AhaEmulator) -> None:
    expected = [i["id"] for i in emu.workspace.ideas() if "csv" in i["name"].lower()]
    assert expected
    assert [r["id"] for r in _get(emu, "/ideas", q="CsV", per_page=200).json()["ideas"]] == expected


def test_spam_ideas_are_hidden_by_default_and_listed_alone_with_spam_true(
    emu: AhaEmulator,
) -> None:
    everything = emu.workspace.ideas(include_spam=True)
    spam_ids = {i["id"] for i in everything} - {i["id"] for i in emu.workspace.ideas()}
    assert spam_ids
    default = {r["id"] for r in _all_pages(emu, "/ideas", "ideas", per_page=200)}
    only_spam = {r["id"] for r in _all_pages(emu, "/ideas", "ideas", per_page=200, spam="true")}
    assert not default & spam_ids
    assert only_spam == spam_ids


# ------------------------------------------------------------------------------ shapes


def test_list_default_shape_is_abbreviated(emu: AhaEmulator) -> None:
    row = _get(emu, "/ideas").json()["ideas"][0]
    assert list(row) == [
        "id",
        "reference_num",
        "name",
        "created_at",
        "updated_at",
        "workflow_status",
        "description",
        "url",
        "resource",
    ]
    assert row["resource"] == f"{emu.url}/api/v1/ideas/{row['reference_num']}"


def test_fields_returns_only_requested_fields_plus_id_ignoring_unknown(emu: AhaEmulator) -> None:
    rows = _get(emu, "/ideas", fields="votes,endorsements_count,bogus").json()["ideas"]
    assert all(set(r) == {"id", "votes", "endorsements_count"} for r in rows)
    full = _get(emu, "/ideas", fields="*", per_page=5).json()["ideas"]
    assert full == emu.workspace.ideas()[:5]


def test_single_idea_by_id_or_reference_is_full_and_supports_fields(emu: AhaEmulator) -> None:
    truth = emu.workspace.ideas()[7]
    assert _get(emu, f"/ideas/{truth['id']}").json() == {"idea": truth}
    assert _get(emu, f"/ideas/{truth['reference_num']}").json() == {"idea": truth}
    projected = _get(emu, f"/ideas/{truth['id']}", fields="name,comments_count").json()["idea"]
    assert projected == {k: truth[k] for k in ("id", "name", "comments_count")}


def test_full_idea_timestamps_have_millisecond_utc_format(emu: AhaEmulator) -> None:
    idea = emu.workspace.ideas()[0]
    for stamp in (idea["created_at"], idea["updated_at"], idea["description"]["updated_at"]):
        assert len(stamp) == 24
        assert stamp[10] == "T"
        assert stamp[19] == "."
        assert stamp.endswith("Z")


def test_idea_comments_default_shape_lacks_updated_at_and_fields_add_it(emu: AhaEmulator) -> None:
    idea = _an_idea_with(emu, lambda i: i["comments_count"] > 0)
    default = _get(emu, f"/ideas/{idea['id']}/idea_comments").json()["idea_comments"]
    assert default
    hidden = {"updated_at", "spam", "idea_commenter_portal_user", "idea_commenter_idea_user"}
    assert all(not hidden & set(row) for row in default)
    wanted = "updated_at,spam,idea_commenter_portal_user"
    rows = _get(emu, f"/ideas/{idea['id']}/idea_comments", fields=wanted).json()["idea_comments"]
    assert all(set(r) == {"id", "updated_at", "spam", "idea_commenter_portal_user"} for r in rows)


def test_comments_count_counts_non_spam_portal_comments(emu: AhaEmulator) -> None:
    comments = emu.workspace.idea_comments(include_spam=True)
    spammed = {c["idea_id"] for c in comments if c["spam"]}
    assert spammed
    for idea in emu.workspace.ideas():
        own = [c for c in comments if c["idea_id"] == idea["id"]]
        assert idea["comments_count"] == sum(1 for c in own if not c["spam"])
        if idea["id"] in spammed:
            listed = _get(emu, f"/ideas/{idea['id']}/idea_comments", spam="true").json()
            assert listed["pagination"]["total_records"] == len(own)


def test_proxy_true_returns_only_votes_with_an_organization(emu: AhaEmulator) -> None:
    idea = _an_idea_with(emu, lambda i: i["endorsements_count"] > 0)
    every = _get(emu, f"/ideas/{idea['id']}/endorsements").json()["idea_endorsements"]
    proxy = _get(emu, f"/ideas/{idea['id']}/endorsements", proxy="true").json()
    assert len(every) == idea["endorsements_count"]
    assert [v["id"] for v in proxy["idea_endorsements"]] == [
        v["id"] for v in every if v.get("idea_organization")
    ]
    all_proxy = emu.workspace.votes(proxy=True)
    assert all(isinstance(v["idea_organization"], dict) for v in all_proxy)
    assert all(isinstance(v["value"], str | None) for v in all_proxy)


def test_account_endorsements_filter_by_updated_since_and_omit_detail_fields(
    emu: AhaEmulator,
) -> None:
    truth = emu.workspace.votes(proxy=True)
    cutoff = truth[len(truth) // 2]["updated_at"]
    rows = _all_pages(
        emu, "/ideas/endorsements", "idea_endorsements", proxy="true", updated_since=cutoff
    )
    assert [r["id"] for r in rows] == [v["id"] for v in truth if v["updated_at"] > cutoff]
    assert all(not {"description", "custom_fields", "idea"} & set(r) for r in rows)


def test_parent_idea_comment_id_is_a_json_number_above_2_pow_53_that_round_trips(
    emu: AhaEmulator,
) -> None:
    reply = next(c for c in emu.workspace.idea_comments() if c["parent_idea_comment_id"])
    response = _get(emu, f"/ideas/{reply['idea_id']}/idea_comments", per_page=200)
    assert f'"parent_idea_comment_id":{reply["parent_idea_comment_id"]}' in response.text
    listed = next(c for c in response.json()["idea_comments"] if c["id"] == reply["id"])
    parent = listed["parent_idea_comment_id"]
    assert isinstance(parent, int)
    assert parent > 2**53
    assert json.loads(json.dumps(listed))["parent_idea_comment_id"] == parent
    assert str(parent) in {c["id"] for c in emu.workspace.idea_comments(include_spam=True)}


def test_internal_comments_and_products_are_listed(emu: AhaEmulator) -> None:
    internal = emu.workspace.internal_comments()
    first = internal[0]
    body = _get(emu, f"/ideas/{first['commentable']['id']}/comments").json()
    assert first in body["comments"]
    products = _get(emu, "/products").json()
    assert products["products"] == emu.workspace.products()
    assert 3 <= len(products["products"]) <= 5


# ------------------------------------------------------------------------------- data


def test_same_seed_gives_identical_workspace_and_other_seed_differs() -> None:
    first, second, other = Workspace(120, seed=9), Workspace(120, seed=9), Workspace(120, seed=10)
    for name in ("ideas", "votes", "idea_comments", "internal_comments", "products"):
        assert getattr(first, name)() == getattr(second, name)()
    assert first.ideas() != other.ideas()


def test_children_are_created_after_their_idea_and_never_updated_after_it(
    emu: AhaEmulator,
) -> None:
    ideas = {i["id"]: i for i in emu.workspace.ideas(include_spam=True)}
    votes = emu.workspace.votes()
    for child in votes + emu.workspace.idea_comments(include_spam=True):
        idea = ideas[child["idea_id"]]
        assert idea["created_at"] < child["created_at"] <= child["updated_at"]
        assert child["updated_at"] <= idea["updated_at"]
    for idea in ideas.values():
        assert idea["endorsements_count"] == sum(v["idea_id"] == idea["id"] for v in votes)
        creators = ("created_by_user", "created_by_portal_user", "created_by_idea_user")
        assert sum(idea[k] is not None for k in creators) == 1


def test_mutations_bump_updated_at_and_keep_counts_consistent(fresh: AhaEmulator) -> None:
    ws = fresh.workspace
    latest = max(i["updated_at"] for i in ws.ideas(include_spam=True))
    idea = ws.ideas()[3]
    vote = ws.add_vote(idea["id"])
    after_vote = ws.idea(idea["id"])
    assert vote["idea_organization"] is not None
    assert after_vote["endorsements_count"] == idea["endorsements_count"] + 1
    assert after_vote["votes"] == idea["votes"] + vote["weight"]
    assert after_vote["updated_at"] == vote["updated_at"] > latest
    comment = ws.add_comment(idea["id"])
    reply = ws.add_comment(idea["id"], parent_id=comment["id"])
    assert reply["parent_idea_comment_id"] == int(comment["id"])
    after_comments = ws.idea(idea["id"])
    assert after_comments["comments_count"] == idea["comments_count"] + 2
    assert after_comments["updated_at"] == reply["updated_at"] > after_vote["updated_at"]
    edited = ws.edit_idea(idea["id"])
    assert edited["name"] != idea["name"]
    assert edited["updated_at"] > after_comments["updated_at"]
    ws.edit_comment(comment["id"], spam=True)
    assert ws.idea(idea["id"])["comments_count"] == idea["comments_count"] + 1
    ws.edit_vote(vote["id"])
    assert ws.idea(idea["id"])["updated_at"] > edited["updated_at"]
    changed = _get(fresh, "/ideas", updated_since=latest, per_page=200).json()["ideas"]
    assert [r["id"] for r in changed] == [idea["id"]]
    ws.delete_idea(idea["id"])
    assert _get(fresh, f"/ideas/{idea['id']}").status_code == 404
    assert all(v["idea_id"] != idea["id"] for v in ws.votes())


def test_mutate_random_changes_k_distinct_ideas_visible_through_updated_since(
    fresh: AhaEmulator,
) -> None:
    latest = max(i["updated_at"] for i in fresh.workspace.ideas(include_spam=True))
    response = requests.post(
        f"{fresh.url}/__emulator__/mutate", json={"changed_ideas": 12, "seed": 4}, timeout=10
    )
    summary = response.json()
    assert len(set(summary["changed_idea_ids"])) == 12
    assert len(summary["new_idea_ids"]) == 2
    changed = _all_pages(fresh, "/ideas", "ideas", per_page=200, updated_since=latest)
    assert sorted(r["id"] for r in changed) == sorted(summary["changed_idea_ids"])
    new_votes = _get(fresh, "/ideas/endorsements", updated_since=latest, proxy="true").json()
    assert [v["id"] for v in new_votes["idea_endorsements"]] == summary["new_vote_ids"]


# ------------------------------------------------ account-level endpoints ("More of Aha!")

# path (per product: formatted with a product id), envelope key, documented list-row keys
_LISTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "/products": (
        "products",
        ("id", "reference_prefix", "name", "product_line", "created_at", "workspace_type", "url"),
    ),
    "/idea_organizations": ("idea_organizations", ("id", "name", "created_at", "url", "resource")),
    "/idea_users": (
        "idea_users",
        (
            "id",
            "name",
            "email",
            "discovery_interview_count",
            "discovery_last_invite",
            "discovery_last_interview",
            "discovery_next_interview",
            "created_at",
            "idea_organizations",
            "custom_fields",
            "integration_fields",
        ),
    ),
    "/idea_portals": (
        "idea_portals",
        ("id", "title", "portal_enabled", "access_type", "external_url", "created_at"),
    ),
    "/products/{}/idea_categories": (
        "idea_categories",
        ("id", "name", "parent_id", "project_id", "created_at"),
    ),
    "/features": (
        "features",
        ("id", "reference_num", "name", "created_at", "url", "resource", "product_id"),
    ),
    "/products/{}/releases": (
        "releases",
        (
            "id",
            "reference_num",
            "name",
            "start_date",
            "release_date",
            "parking_lot",
            "created_at",
            "product_id",
            "integration_fields",
            "url",
            "resource",
            "owner",
            "project",
        ),
    ),
    "/epics": ("epics", ("id", "reference_num", "name", "created_at", "url", "resource")),
    "/initiatives": ("initiatives", ()),  # list rows are full records
    "/goals": ("goals", ()),
    "/users": ("users", ()),
}
_HONOUR_UPDATED_SINCE = (
    "/products",
    "/features",
    "/products/{}/releases",
    "/epics",
    "/initiatives",
)
_TRUTH = {
    "/products": lambda ws: ws.products(full=True),
    "/idea_organizations": lambda ws: ws.idea_organizations(),
    "/idea_users": lambda ws: ws.idea_users(),
    "/idea_portals": lambda ws: ws.idea_portals(),
    "/products/{}/idea_categories": lambda ws: ws.idea_categories(),
    "/features": lambda ws: ws.features(),
    "/products/{}/releases": lambda ws: ws.releases(),
    "/epics": lambda ws: ws.epics(),
    "/initiatives": lambda ws: ws.initiatives(),
    "/goals": lambda ws: ws.goals(),
    "/users": lambda ws: ws.users(),
}


def _truth(emulator: AhaEmulator, template: str, product_id: str) -> list[dict[str, Any]]:
    """Ground truth (full rows) for a list route; per-product routes keep that product's rows."""
    rows: list[dict[str, Any]] = _TRUTH[template](emulator.workspace)
    if "{}" not in template:
        return rows
    return [r for r in rows if str(r.get("product_id", r.get("project_id"))) == product_id]


def _busiest_product(emulator: AhaEmulator) -> str:
    features = emulator.workspace.features()
    ids: list[str] = [p["id"] for p in emulator.workspace.products()]
    return max(ids, key=lambda pid: sum(f["product_id"] == pid for f in features))


@pytest.mark.parametrize("template", list(_LISTS))
def test_new_lists_page_in_ascending_numeric_id_with_documented_rows(
    emu: AhaEmulator, template: str
) -> None:
    product_id = _busiest_product(emu)
    key, documented = _LISTS[template]
    truth = _truth(emu, template, product_id)
    assert truth
    path = template.format(product_id)
    first = _get(emu, path, per_page=3).json()
    assert set(first) == {key, "pagination"}
    assert first["pagination"] == {
        "total_records": len(truth),
        "total_pages": math.ceil(len(truth) / 3),
        "current_page": 1,
    }
    rows = _all_pages(emu, path, key, per_page=3)
    assert [r["id"] for r in rows] == [t["id"] for t in truth]
    assert all(isinstance(r["id"], str) and r["id"].isdigit() for r in rows)
    assert [int(r["id"]) for r in rows] == sorted(int(r["id"]) for r in rows)
    for row, full in zip(rows, truth, strict=True):
        assert row == {k: full[k] for k in row}  # every list row is a projection of the truth
        if documented:
            assert set(documented) - {"start_date", "release_date"} <= set(row) <= set(documented)
        else:
            assert row == full


def test_updated_since_is_strictly_after_where_documented(emu: AhaEmulator) -> None:
    product_id = _busiest_product(emu)
    for template in _HONOUR_UPDATED_SINCE:
        key = _LISTS[template][0]
        truth = _truth(emu, template, product_id)
        cutoff = sorted(t["updated_at"] for t in truth)[len(truth) // 2]
        path = template.format(product_id)
        rows = _all_pages(emu, path, key, per_page=200, updated_since=cutoff)
        assert [r["id"] for r in rows] == [t["id"] for t in truth if t["updated_at"] > cutoff]
        assert 0 < len(rows) < len(truth), template
        assert _get(emu, path, updated_since="yesterday").status_code == 400


def test_updated_since_is_ignored_where_not_documented(emu: AhaEmulator) -> None:
    product_id = _busiest_product(emu)
    for template in set(_LISTS) - set(_HONOUR_UPDATED_SINCE):
        key = _LISTS[template][0]
        path = template.format(product_id)
        everything = _get(emu, path, per_page=200).json()
        for since in ("2099-01-01T00:00:00Z", "not a timestamp"):
            response = _get(emu, path, per_page=200, updated_since=since)
            assert response.status_code == 200
            assert response.json() == everything, template
        assert everything[key]


def test_fields_select_more_on_abbreviated_lists_only(emu: AhaEmulator) -> None:
    product_id = _busiest_product(emu)
    for template in ("/products", "/idea_organizations", "/features", "/products/{}/releases"):
        key = _LISTS[template][0]
        rows = _get(emu, template.format(product_id), fields="updated_at").json()[key]
        assert rows
        assert all(set(r) == {"id", "updated_at"} for r in rows)
    star = _get(emu, "/epics", fields="*", per_page=200).json()["epics"]
    assert star == emu.workspace.epics()
    assert _get(emu, "/goals", fields="name").json()["goals"][0] == emu.workspace.goals()[0]


def test_per_product_routes_accept_id_or_prefix_and_404_unknown_products(emu: AhaEmulator) -> None:
    product = emu.workspace.products()[0]
    for suffix, key in (("idea_categories", "idea_categories"), ("releases", "releases")):
        by_id = _get(emu, f"/products/{product['id']}/{suffix}").json()[key]
        assert by_id == _get(emu, f"/products/{product['reference_prefix']}/{suffix}").json()[key]
        response = _get(emu, f"/products/999/{suffix}")
        assert response.status_code == 404
        assert response.json() == {"error": "Record not found."}
    releases = emu.workspace.releases()
    parking = [r for r in releases if r["parking_lot"]]
    assert len(parking) == len(emu.workspace.products())
    assert all("start_date" not in r and "release_date" not in r for r in parking)


def test_account_records_reference_each_other_consistently(emu: AhaEmulator) -> None:
    ws = emu.workspace
    feature_rows = {f["id"]: f for f in _all_pages(emu, "/features", "features", per_page=200)}
    promoted = [i for i in ws.ideas(include_spam=True) if i["feature"]]
    assert promoted
    assert all(i["feature"] == feature_rows[i["feature"]["id"]] for i in promoted)
    refs = {
        kind: {r["reference_num"]: r for r in getattr(ws, kind)()}
        for kind in ("releases", "epics", "initiatives")
    }
    for feature in ws.features():
        release = refs["releases"][feature["release_reference_num"]]
        assert feature["release"]["id"] == release["id"]
        assert release["product_id"] == feature["product_id"] == feature["project"]["id"]
        for kind, field in (("epics", "epic"), ("initiatives", "initiative")):
            ref = feature[f"{field}_reference_num"]
            assert ref is None or refs[kind][ref]["product_id"] == feature["product_id"]
    for epic in ws.epics():
        assert refs["releases"][epic["release_reference_num"]]["product_id"] == epic["product_id"]
    for goal in ws.goals():
        linked = {f["id"] for f in ws.features() if goal["id"] in {g["id"] for g in f["goals"]}}
        assert {f["id"] for f in goal["features"]} == linked
    orgs = _get(emu, "/idea_organizations", per_page=200).json()["idea_organizations"]
    assert all(v["idea_organization"] in orgs for v in ws.votes(proxy=True))
    idea_users = {u["id"] for u in ws.idea_users()}
    users = {u["id"] for u in ws.users()}
    assert all(o in orgs for u in ws.idea_users() for o in u["idea_organizations"])
    known = {"idea_user": idea_users, "user": users}
    categories = ws.idea_categories()
    for record, kind, field in (
        *((v, k, f"endorsed_by_{k}") for v in ws.votes() for k in known),
        *((i, k, f"created_by_{k}") for i in ws.ideas(include_spam=True) for k in known),
        *((i, "user", "assigned_to_user") for i in ws.ideas(include_spam=True)),
        *(
            (c, k, f"idea_commenter_{k}")
            for c in ws.idea_comments(include_spam=True)
            for k in known
        ),
    ):
        person = record.get(field)
        assert person is None or person["id"] in known[kind], field
    for idea in ws.ideas(include_spam=True):
        for category in idea["categories"]:
            assert category in categories
            assert category["project_id"] == int(idea["product_id"])


def test_plans_answer_403_json_for_endpoints_they_lack() -> None:
    roadmaps = ["/features", "/epics", "/initiatives", "/goals"]
    with AhaEmulator(ideas=30, seed=4, plan="ideas_essentials") as emulator:
        release_path = f"/products/{emulator.workspace.products()[0]['id']}/releases"
        for path in [*roadmaps, release_path, "/idea_organizations"]:
            response = _get(emulator, path)
            assert response.status_code == 403, path
            assert response.headers["Content-Type"].startswith("application/json")
            assert set(response.json()) == {"error"}
        for path in ("/ideas", "/products", "/idea_users", "/users", "/ideas/endorsements"):
            assert _get(emulator, path).status_code == 200, path
        assert emulator.stats.status_counts()[403] == 6
        assert emulator.stats.count("GET /api/v1/products/{id}/releases") == 1
        emulator.set_plan("ideas_advanced")
        assert _get(emulator, "/idea_organizations").status_code == 200
        assert _get(emulator, "/features").status_code == 403
        emulator.set_plan("roadmaps")
        assert _get(emulator, "/features").status_code == 200
        assert _get(emulator, "/idea_organizations").status_code == 403
        emulator.set_forbidden({"GET /api/v1/users"})
        assert emulator.forbidden_routes == {"GET /api/v1/users"}
        assert _get(emulator, "/users").status_code == 403
        assert _get(emulator, "/idea_organizations").status_code == 200
        with pytest.raises(ValueError, match="unknown routes"):
            emulator.set_forbidden({"GET /api/v1/nope"})
        with pytest.raises(ValueError, match="unknown plan"):
            emulator.set_plan("gold")
        admin = requests.post(
            f"{emulator.url}/__emulator__/plan", json={"plan": "ideas_advanced"}, timeout=10
        )
        assert "GET /api/v1/goals" in admin.json()["forbidden_routes"]
        assert _get(emulator, "/goals").status_code == 403


def test_account_record_mutations_bump_updated_at(fresh: AhaEmulator) -> None:
    ws = fresh.workspace
    latest = max(
        r["updated_at"]
        for rows in (ws.features(), ws.epics(), ws.releases(), ws.products(full=True))
        for r in rows
    )
    feature = ws.features()[2]
    edited = ws.edit_feature(feature["reference_num"], workflow_status="Shipped")
    assert edited["workflow_status"]["name"] == "Shipped"
    assert edited["updated_at"] > latest
    assert ws.edit_feature(feature["id"])["name"] == f"{feature['name']} (edited 1)"
    added = ws.add_feature(name="Brand new")
    assert added["release"]["name"] == "Parking lot"
    changed = _get(fresh, "/features", updated_since=latest).json()["features"]
    assert [f["id"] for f in changed] == [feature["id"], added["id"]]
    product = ws.edit_product(ws.products()[0]["reference_prefix"])
    assert [p["id"] for p in _get(fresh, "/products", updated_since=latest).json()["products"]] == [
        product["id"]
    ]
    org = ws.add_idea_organization("Globex Europe")
    assert ws.idea_organizations()[-1] == org
    assert org["created_at"] == org["updated_at"] > latest
    renamed = ws.edit_idea_organization(org["id"], revenue="1000.0")
    assert renamed["revenue"] == "1000.0"
    assert renamed["updated_at"] > org["updated_at"]
    goal = ws.goals()[0]
    assert ws.edit_goal(goal["id"])["updated_at"] > latest
    assert len(_get(fresh, "/goals", updated_since=latest).json()["goals"]) == len(ws.goals())
    with pytest.raises(ValueError, match="unknown or read-only"):
        ws.edit_release(ws.releases()[0]["id"], bogus=1)


def test_same_seed_gives_identical_account_records_and_other_seed_differs() -> None:
    first, second, other = Workspace(80, seed=3), Workspace(80, seed=3), Workspace(80, seed=4)
    for name in ACCOUNT_STREAMS:
        assert getattr(first, name)() == getattr(second, name)(), name
    assert first.features() != other.features()
    assert 10 <= len(first.features()) <= 200


# ------------------------------------------------------------------------- rate limits


def test_per_second_limit_gives_429_with_retry_after_and_remaining_minute_budget() -> None:
    with AhaEmulator(ideas=20, seed=2, per_second=3, per_minute=100) as emulator:
        statuses = [_get(emulator, "/products") for _ in range(4)]
        assert [r.status_code for r in statuses] == [200, 200, 200, 429]
        limited = statuses[-1]
        assert limited.json() == {"error": "Rate limit exceeded"}
        assert limited.headers["Retry-After"] == "1"
        assert limited.headers["X-Ratelimit-Limit"] == "100"
        assert limited.headers["X-Ratelimit-Remaining"] == "97"
        assert int(limited.headers["X-Ratelimit-Reset"]) >= int(time.time())
        assert _get(emulator, "/products").headers["X-Ratelimit-Remaining"] == "97"


def test_per_minute_limit_gives_429_until_the_window_frees() -> None:
    with AhaEmulator(ideas=20, seed=2, per_minute=3) as emulator:
        ok = [_get(emulator, "/products") for _ in range(3)]
        assert [r.headers["X-Ratelimit-Remaining"] for r in ok] == ["2", "1", "0"]
        limited = _get(emulator, "/products")
        assert limited.status_code == 429
        assert 55 <= int(limited.headers["Retry-After"]) <= 60
        emulator.set_limits(per_minute=None)
        assert _get(emulator, "/products").status_code == 200


# ------------------------------------------------------------------------------ faults


def test_error_rate_answers_5xx(fresh: AhaEmulator) -> None:
    fresh.set_faults(Faults(error_rate=1.0, seed=3))
    statuses = {_get(fresh, "/ideas").status_code for _ in range(12)}
    assert statuses <= {500, 502, 503}
    assert len(statuses) > 1


def test_drop_rate_closes_the_connection_without_a_response(fresh: AhaEmulator) -> None:
    fresh.set_faults(Faults(drop_rate=1.0))
    with pytest.raises(requests.ConnectionError):
        _get(fresh, "/ideas")
    assert fresh.stats.status_counts() == {0: 1}


def test_truncate_rate_sends_half_the_promised_body(fresh: AhaEmulator) -> None:
    fresh.set_faults(Faults(truncate_rate=1.0))
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        _get(fresh, "/ideas")


def test_invalid_json_rate_answers_200_with_a_complete_body_that_is_not_json(
    fresh: AhaEmulator,
) -> None:
    idea_id = fresh.workspace.ideas()[0]["id"]
    paths = ["/ideas", f"/ideas/{idea_id}", "/products", "/ideas/endorsements", "/users"]
    fresh.set_faults(Faults(invalid_json_rate=1.0, seed=4))
    for path in paths:
        response = _get(fresh, path)
        assert response.status_code == 200, path
        assert response.headers["Content-Type"].startswith("application/json")
        assert int(response.headers["Content-Length"]) == len(response.content), path
        assert not _is_json(response.content), path
    assert fresh.stats.fault_counts() == {"invalid_json": len(paths)}
    fresh.set_faults(Faults(invalid_json_rate=0.3, seed=4))
    answers = [_get(fresh, "/ideas", page=n % 3 + 1).content for n in range(60)]
    bad = fresh.stats.fault_counts()["invalid_json"] - len(paths)
    assert 5 < bad < 35
    assert sum(not _is_json(a) for a in answers) == bad  # every other body is whole
    # which answers are bad depends on the seed, the URL and the attempt, not on arrival order
    fresh.set_faults(Faults(invalid_json_rate=0.3, seed=4))
    assert [_get(fresh, "/ideas", page=n % 3 + 1).content for n in range(60)] == answers


def test_slow_rate_delays_the_answer_by_slow_seconds(fresh: AhaEmulator) -> None:
    fresh.set_faults(Faults(slow_rate=1.0, slow_seconds=0.3))
    started = time.monotonic()
    assert _get(fresh, "/products").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_latency_ms_delays_every_api_request() -> None:
    with AhaEmulator(ideas=10, latency_ms=150) as emulator:
        started = time.monotonic()
        assert _get(emulator, "/products").status_code == 200
        assert time.monotonic() - started >= 0.15


def test_persistent_status_answers_every_authenticated_api_request(fresh: AhaEmulator) -> None:
    fresh.set_faults(Faults(persistent_status=503))
    assert [_get(fresh, "/ideas").status_code for _ in range(3)] == [503, 503, 503]
    assert requests.get(f"{fresh.url}/api/v1/ideas", timeout=10).status_code == 401
    assert requests.get(f"{fresh.url}/__emulator__/stats", timeout=10).status_code == 200
    fresh.set_faults(Faults())
    assert _get(fresh, "/ideas").status_code == 200


def test_storm_429_rejects_the_next_n_requests_with_retry_after(fresh: AhaEmulator) -> None:
    fresh.set_faults(Faults(storm_429=2, storm_retry_after=3))
    first, second, third = (_get(fresh, "/ideas") for _ in range(3))
    assert (first.status_code, second.status_code, third.status_code) == (429, 429, 200)
    assert first.headers["Retry-After"] == "3"


# ------------------------------------------------------------------- stats, admin and CLI


def test_stats_count_requests_by_route_template(fresh: AhaEmulator) -> None:
    idea_id = fresh.workspace.ideas()[0]["id"]
    paths = ["/ideas", "/ideas", f"/ideas/{idea_id}", f"/ideas/{idea_id}/idea_comments"]
    for path in [*paths, "/ideas/endorsements", "/nope"]:
        _get(fresh, path)
    requests.get(f"{fresh.url}/__emulator__/stats", timeout=10)
    assert fresh.stats.by_route() == {
        "GET /api/v1/ideas": 2,
        "GET /api/v1/ideas/{id}": 1,
        "GET /api/v1/ideas/{id}/idea_comments": 1,
        "GET /api/v1/ideas/endorsements": 1,
        "unknown": 1,
    }
    assert fresh.stats.count("GET /api/v1/ideas") == 2
    assert fresh.stats.total == 6
    assert fresh.stats.status_counts() == {200: 5, 404: 1}
    assert fresh.stats.requests[0][1:4] == ("GET", "GET /api/v1/ideas", "/api/v1/ideas")
    remote = requests.get(f"{fresh.url}/__emulator__/stats", timeout=10).json()
    assert remote["total"] == 6
    assert remote["status_counts"] == {"200": 5, "404": 1}
    requests.post(f"{fresh.url}/__emulator__/reset_stats", timeout=10)
    assert fresh.stats.total == 0


def test_stop_closes_the_listening_socket() -> None:
    emulator = AhaEmulator(ideas=10).start()
    url = emulator.url
    emulator.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/api/v1/products", headers=_AUTH, timeout=2)


def test_cli_with_port_0_prints_its_url_and_exits_on_sigterm() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "aha_emulator", "--port", "0", "--ideas", "40"],
        cwd=_REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(_REPO_ROOT)},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("Aha! emulator listening on http://127.0.0.1:")
        assert "(40 ideas, api key test-api-key)" in line
        url = line.split()[4]
        assert requests.get(f"{url}/api/v1/products", headers=_AUTH, timeout=5).status_code == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


# ------------------------------------------------------- issue 14: the remaining Aha! tables


def _children_truth(rows: list[dict[str, Any]], parent: str) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k != "parent"} for r in rows if r["parent"] == parent]


def _issue_14_lists(emulator: AhaEmulator) -> dict[str, tuple[str, str, list[dict[str, Any]]]]:
    """name -> (path, envelope key, full rows in ascending id) of every paged issue-14 list."""
    ws = emulator.workspace
    feature = ws.requirements()[0]["parent"]
    portal = ws.idea_portals()[0]["id"]
    idea = ws.idea_subscriptions()[0]["parent"]
    return {
        "idea_themes": ("/idea_themes", "idea_themes", ws.idea_themes()),
        "tasks": ("/tasks", "tasks", ws.tasks()),
        "integrations": ("/integrations", "integrations", ws.integrations()),
        "teams": ("/teams", "teams", ws.teams()),
        "requirements": (
            f"/features/{feature}/requirements",
            "requirements",
            _children_truth(ws.requirements(), feature),
        ),
        "portal_users": (
            f"/idea_portals/{portal}/portal_users",
            "portal_users",
            _children_truth(ws.idea_portal_users(), portal),
        ),
        "idea_subscriptions": (
            f"/ideas/{idea}/subscriptions",
            "idea_subscriptions",
            _children_truth(ws.idea_subscriptions(), idea),
        ),
    }


@pytest.mark.parametrize(
    "name",
    [
        "idea_themes",
        "tasks",
        "integrations",
        "teams",
        "requirements",
        "portal_users",
        "idea_subscriptions",
    ],
)
def test_issue_14_lists_page_in_ascending_id_as_projections_of_the_truth(
    emu: AhaEmulator, name: str
) -> None:
    path, key, truth = _issue_14_lists(emu)[name]
    assert truth
    first = _get(emu, path, per_page=1).json()
    assert set(first) == {key, "pagination"}
    assert first["pagination"]["total_records"] == len(truth)
    rows = _all_pages(emu, path, key, per_page=1, fields="*")
    assert rows == truth
    assert [int(r["id"]) for r in rows] == sorted(int(r["id"]) for r in rows)
    for row, full in zip(_all_pages(emu, path, key, per_page=2), truth, strict=True):
        assert row == {k: full[k] for k in row}


def test_issue_14_abbreviated_rows_need_fields_and_callback_token_is_only_in_full_records(
    emu: AhaEmulator,
) -> None:
    tasks = _get(emu, "/tasks").json()["tasks"]
    assert {tuple(t) for t in tasks} == {("id", "name", "due_date", "status", "created_at")}
    integrations = _get(emu, "/integrations").json()["integrations"]
    assert {tuple(i) for i in integrations} == {("id", "name", "service_name", "created_at")}
    with_updated = _get(emu, "/integrations", fields="updated_at").json()["integrations"]
    assert all(set(i) == {"id", "updated_at"} for i in with_updated)
    assert all(i["callback_token"] for i in emu.workspace.integrations())


def test_issue_14_updated_since_only_where_documented(emu: AhaEmulator) -> None:
    truth = emu.workspace.tasks()
    cutoff = sorted(t["updated_at"] for t in truth)[len(truth) // 2]
    rows = _all_pages(emu, "/tasks", "tasks", updated_since=cutoff, fields="updated_at")
    assert [r["id"] for r in rows] == [t["id"] for t in truth if t["updated_at"] > cutoff]
    assert 0 < len(rows) < len(truth)
    path, key, requirements = _issue_14_lists(emu)["requirements"]
    since = max(r["updated_at"] for r in requirements)
    assert _get(emu, path, updated_since=since).json()[key] == []
    for name in ("idea_themes", "integrations", "teams", "portal_users"):
        path, key, _ = _issue_14_lists(emu)[name]
        assert _get(emu, path, updated_since="2099-01-01T00:00:00Z").json()[key], name


def test_workflows_are_listed_whole_under_every_product_without_pagination(
    emu: AhaEmulator,
) -> None:
    truth = emu.workspace.workflows()
    for product in emu.workspace.products():
        for ident in (product["id"], product["reference_prefix"]):
            body = _get(emu, f"/products/{ident}/workflows").json()
            assert body == {"workflows": truth}
    assert all(isinstance(w["id"], int) for w in truth)
    assert all(isinstance(s["id"], str) for w in truth for s in w["workflow_statuses"])
    assert {w["statusable_type"] for w in truth} >= {"Idea", "Feature", "Release"}
    assert _get(emu, "/products/NOPE/workflows").status_code == 404


def test_features_list_their_requirements_and_unknown_parents_are_404(emu: AhaEmulator) -> None:
    ws = emu.workspace
    by_feature: dict[str, set[str]] = {}
    for requirement in ws.requirements():
        by_feature.setdefault(requirement["parent"], set()).add(requirement["id"])
        assert requirement["feature"]["id"] == requirement["parent"]
    features = ws.features()
    assert {f["id"]: {r["id"] for r in f["requirements"]} for f in features} == {
        f["id"]: by_feature.get(f["id"], set()) for f in features
    }
    assert 0 < len(by_feature) < len(features)
    for path in (
        "/features/1/requirements",
        "/idea_portals/1/portal_users",
        "/ideas/1/subscriptions",
    ):
        assert _get(emu, path).status_code == 404, path


def test_issue_14_plan_features_teams_and_requirements_need_roadmaps() -> None:
    with AhaEmulator(ideas=30, seed=4, plan="ideas_essentials") as emulator:
        ws = emulator.workspace
        feature = ws.requirements()[0]["parent"]
        for path in ("/teams", f"/features/{feature}/requirements"):
            assert _get(emulator, path).status_code == 403, path
        portal = ws.idea_portals()[0]["id"]
        product = ws.products()[0]["id"]
        idea = ws.ideas()[0]["id"]
        for path in (
            "/idea_themes",
            "/tasks",
            "/integrations",
            f"/products/{product}/workflows",
            f"/idea_portals/{portal}/portal_users",
            f"/ideas/{idea}/subscriptions",
        ):
            assert _get(emulator, path).status_code == 200, path


def test_issue_14_tables_follow_the_seed() -> None:
    def tables(seed: int) -> list[Any]:
        ws = Workspace(ideas=40, seed=seed)
        return [ws.tasks(), ws.requirements(), ws.teams(), ws.idea_subscriptions()]

    assert tables(3) == tables(3)
    assert tables(3) != tables(4)


def test_issue_14_mutations_bump_updated_at_and_subscriptions_follow_their_idea(
    fresh: AhaEmulator,
) -> None:
    ws = fresh.workspace
    before = max(t["updated_at"] for t in ws.tasks())
    task = ws.edit_task(ws.tasks()[0]["id"], name="Renamed")
    requirement = ws.edit_requirement(ws.requirements()[0]["id"])
    assert task["updated_at"] > before
    assert requirement["name"].endswith(" (edited)")
    changed = _get(fresh, "/tasks", updated_since=before, fields="name").json()["tasks"]
    assert changed == [{"id": task["id"], "name": "Renamed"}]
    idea = ws.ideas()[0]
    subscription = ws.add_idea_subscription(idea["id"])
    assert ws.idea(idea["id"])["updated_at"] == subscription["created_at"]
    listed = _get(fresh, f"/ideas/{idea['id']}/subscriptions").json()["idea_subscriptions"]
    assert subscription in listed
    ws.delete_idea(idea["id"])
    assert all(s["parent"] != idea["id"] for s in ws.idea_subscriptions())
    assert _get(fresh, f"/ideas/{idea['id']}/subscriptions").status_code == 404


def test_the_cli_help_gives_the_default_key_and_every_admin_route() -> None:
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-m", "aha_emulator", "--help"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    server = (root / "aha_emulator" / "server.py").read_text(encoding="utf-8")
    routes = set(re.findall(r'"(/__emulator__/\w+)"', server))

    assert len(routes) >= 5
    assert [route for route in sorted(routes) if route not in done.stdout] == []
    assert "Bearer test-api-key" in done.stdout
