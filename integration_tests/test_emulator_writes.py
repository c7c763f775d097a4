"""The emulator's write endpoints (issue 13) over real HTTP: each one's answer, its effect on the
GET answers and on the audits, its errors (400, 404, 405, 401, 403, 429) and its count in the
stats."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from aha_emulator import AhaEmulator

_AUTH = {"Authorization": "Bearer test-api-key"}
JSON = dict[str, Any]


@pytest.fixture
def emu() -> Iterator[AhaEmulator]:
    with AhaEmulator(ideas=40, seed=9) as emulator:
        yield emulator


def _call(emu: AhaEmulator, method: str, path: str, body: Any = None, **kw: Any) -> Any:
    return requests.request(
        method, f"{emu.url}/api/v1{path}", json=body, headers=_AUTH, timeout=10, **kw
    )


def _get(emu: AhaEmulator, path: str) -> Any:
    response = _call(emu, "GET", path)
    assert response.status_code == 200, path
    return response.json()


def _last_audit(emu: AhaEmulator) -> JSON:
    rows: JSON = emu.workspace.audits()[-1]
    return rows


def _idea(emu: AhaEmulator) -> JSON:
    product = emu.workspace.products()[1]
    payload = {
        "idea": {
            "name": "[verify-live] test idea",
            "description": "<p>made by the kit</p>",
            "created_by": "user3@company.example.com",
            "skip_portal": True,
        }
    }
    response = _call(emu, "POST", f"/products/{product['reference_prefix']}/ideas", payload)
    assert response.status_code == 200
    idea: JSON = response.json()["idea"]
    return idea


def test_create_and_edit_an_idea(emu: AhaEmulator) -> None:
    idea = _idea(emu)
    assert idea == _get(emu, f"/ideas/{idea['id']}")["idea"] == emu.workspace.idea(idea["id"])
    assert idea["name"] == "[verify-live] test idea"
    assert idea["description"]["body"] == "<p>made by the kit</p>"
    assert idea["created_by_user"]["email"] == "user3@company.example.com"
    assert idea["product_id"] == emu.workspace.products()[1]["id"]
    audit = _last_audit(emu)
    assert (audit["audit_action"], audit["auditable_type"]) == ("create", "idea")
    assert audit["auditable_id"] == idea["id"]
    body = {"idea": {"name": "Renamed", "workflow_status": "Shipped"}}
    edited = _call(emu, "PUT", f"/ideas/{idea['id']}", body).json()["idea"]
    assert (edited["name"], edited["workflow_status"]["name"]) == ("Renamed", "Shipped")
    assert edited["updated_at"] > idea["updated_at"]
    assert _get(emu, f"/ideas/{idea['id']}")["idea"] == edited
    audit = _last_audit(emu)
    assert audit["audit_action"] == "update"
    assert audit["changes"] == [
        {"field_name": "name", "value": "Renamed"},
        {"field_name": "workflow_status", "value": "Shipped"},
    ]


def test_proxy_vote_create_and_delete(emu: AhaEmulator) -> None:
    idea = _idea(emu)
    org = emu.workspace.idea_organizations()[2]
    body = {
        "idea_endorsement": {
            "idea_organization_id": org["id"],
            "value": 1200,
            "link": "https://crm.example.com/o/1",
            "email": "person5@customer5.example.org",
        }
    }
    response = _call(emu, "POST", f"/ideas/{idea['id']}/endorsements", body)
    assert response.status_code == 200
    vote = response.json()["idea_endorsement"]
    assert (vote["value"], vote["link"], vote["weight"]) == (
        "1200.0",
        body["idea_endorsement"]["link"],
        1,
    )
    assert vote["idea_organization"]["id"] == org["id"]
    assert vote["endorsed_by_portal_user"]["email"] == "person5@customer5.example.org"
    listed = _get(emu, f"/ideas/{idea['id']}/endorsements?proxy=true")["idea_endorsements"]
    assert listed == [vote]
    after = _get(emu, f"/ideas/{idea['id']}")["idea"]
    assert after["endorsements_count"] == 1
    assert after["votes"] == idea["votes"] + 1
    assert after["updated_at"] == vote["created_at"]
    audit = _last_audit(emu)
    assert (audit["auditable_type"], audit["auditable_id"]) == ("idea_endorsement", vote["id"])
    assert (audit["associated_type"], audit["associated_id"]) == ("idea", idea["id"])
    gone = _call(emu, "DELETE", f"/ideas/{idea['id']}/endorsements/{vote['id']}")
    assert (gone.status_code, gone.content) == (204, b"")
    assert _get(emu, f"/ideas/{idea['id']}/endorsements")["idea_endorsements"] == []
    after = _get(emu, f"/ideas/{idea['id']}")["idea"]
    assert (after["endorsements_count"], after["votes"]) == (0, idea["votes"])
    assert _last_audit(emu)["audit_action"] == "destroy"
    assert _last_audit(emu)["created_at"] == after["updated_at"]


def test_portal_comment_create_edit_delete(emu: AhaEmulator) -> None:
    idea = _idea(emu)
    portal_user = emu.workspace.idea_portal_users()[0]
    body = {
        "idea_comment": {
            "body": "<p>hi</p>",
            "visibility": "public",
            "portal_user": {"id": portal_user["id"]},
        }
    }
    comment = _call(emu, "POST", f"/ideas/{idea['id']}/idea_comments", body).json()["idea_comment"]
    assert comment["body"] == "<p>hi</p>"
    assert comment["visibility"] == "Visible to all ideas portal users"
    assert comment["idea_commenter_portal_user"]["id"] == portal_user["id"]
    assert _get(emu, f"/ideas/{idea['id']}")["idea"]["comments_count"] == 1
    edited = _call(
        emu, "PUT", f"/idea_comments/{comment['id']}", {"idea_comment": {"body": "<p>b</p>"}}
    )
    assert edited.json()["idea_comment"]["body"] == "<p>b</p>"
    truth = [c for c in emu.workspace.idea_comments() if c["id"] == comment["id"]]
    assert truth == [edited.json()["idea_comment"]]
    assert _last_audit(emu)["changes"] == [{"field_name": "body", "value": "<p>b</p>"}]
    path = f"/ideas/{idea['id']}/idea_comments/{comment['id']}"
    assert _call(emu, "DELETE", path).status_code == 204
    assert _get(emu, f"/ideas/{idea['id']}/idea_comments")["idea_comments"] == []
    after = _get(emu, f"/ideas/{idea['id']}")["idea"]
    assert after["comments_count"] == 0
    assert after["updated_at"] == _last_audit(emu)["created_at"]
    assert _call(emu, "DELETE", path).status_code == 404


def test_internal_comment_create_and_delete(emu: AhaEmulator) -> None:
    idea = _idea(emu)
    response = _call(
        emu, "POST", f"/ideas/{idea['id']}/comments", {"comment": {"body": "<p>t</p>"}}
    )
    comment = response.json()["comment"]
    assert _get(emu, f"/ideas/{idea['id']}/comments")["comments"] == [comment]
    assert (_last_audit(emu)["auditable_type"], _last_audit(emu)["auditable_id"]) == (
        "comment",
        comment["id"],
    )
    assert _call(emu, "DELETE", f"/comments/{comment['id']}").status_code == 204
    assert _get(emu, f"/ideas/{idea['id']}/comments")["comments"] == []
    assert _call(emu, "DELETE", f"/comments/{comment['id']}").status_code == 404


def test_deleting_an_idea_removes_it_with_its_children_and_fills_the_recycle_bin(
    emu: AhaEmulator,
) -> None:
    ws = emu.workspace
    idea = next(i for i in ws.ideas() if i["endorsements_count"] and i["comments_count"])
    children = {v["id"] for v in ws.votes() if v["idea_id"] == idea["id"]}
    children |= {c["id"] for c in ws.idea_comments(include_spam=True) if c["idea_id"] == idea["id"]}
    children |= {c["id"] for c in ws.internal_comments() if c["commentable"]["id"] == idea["id"]}
    bin_before = _get(emu, "/deletions")["pagination"]["total_records"]
    response = _call(emu, "DELETE", f"/ideas/{idea['reference_num']}")
    assert (response.status_code, response.content) == (204, b"")
    assert _call(emu, "GET", f"/ideas/{idea['id']}").status_code == 404
    assert idea["id"] not in {i["id"] for i in _get(emu, "/ideas?per_page=200")["ideas"]}
    assert idea["id"] not in {v["idea_id"] for v in ws.votes()}
    destroys = _get(emu, f"/audits?audit_action=destroy&associated_id={idea['id']}&per_page=200")
    assert sorted(a["auditable_id"] for a in destroys["audits"]) == sorted(children)
    own = _get(emu, f"/audits?auditable_type=Ideas::Idea&auditable_id={idea['id']}")["audits"]
    assert [a["audit_action"] for a in own] == ["destroy"]
    deletions = _get(emu, "/deletions")
    assert deletions["pagination"]["total_records"] == bin_before + 1
    assert deletions["deletions"][-1]["record"]["reference_num"] == idea["reference_num"]
    assert _call(emu, "DELETE", f"/ideas/{idea['id']}").status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/products/{p}/ideas", {"idea": {"name": "no creator"}}),
        ("POST", "/products/{p}/ideas", {"idea": {"created_by": "user0@company.example.com"}}),
        ("POST", "/products/{p}/ideas", {"name": "not wrapped"}),
        ("POST", "/products/{p}/ideas", "not json"),
        ("PUT", "/ideas/{i}", {"idea": {}}),
        ("PUT", "/ideas/{i}", {"idea": {"workflow_status": "Nowhere"}}),
        ("POST", "/ideas/{i}/endorsements", {"idea_endorsement": {"value": 3}}),
        (
            "POST",
            "/ideas/{i}/endorsements",
            {"idea_endorsement": {"idea_organization_id": "{o}", "value": "lots"}},
        ),
        ("POST", "/ideas/{i}/idea_comments", {"idea_comment": {"visibility": "public"}}),
        (
            "POST",
            "/ideas/{i}/idea_comments",
            {"idea_comment": {"body": "x", "visibility": "friends"}},
        ),
        ("PUT", "/idea_comments/{c}", {"idea_comment": {}}),
        ("POST", "/ideas/{i}/comments", {"comment": {"body": ""}}),
    ],
)
def test_missing_fields_and_bad_bodies_are_json_400_and_change_nothing(
    emu: AhaEmulator, method: str, path: str, body: Any
) -> None:
    ws = emu.workspace
    names = {
        "p": ws.products()[0]["id"],
        "i": ws.ideas()[0]["id"],
        "c": ws.idea_comments()[0]["id"],
        "o": ws.idea_organizations()[0]["id"],
    }
    path = path.format(**names)
    if isinstance(body, dict):
        for inner in body.values():
            if isinstance(inner, dict) and inner.get("idea_organization_id") == "{o}":
                inner["idea_organization_id"] = names["o"]
    before = len(ws.audits())
    kwargs = {"data": body} if isinstance(body, str) else {"json": body}
    response = requests.request(
        method, f"{emu.url}/api/v1{path}", headers=_AUTH, timeout=10, **kwargs
    )
    assert response.status_code == 400
    assert response.json()["error"]
    assert response.json()["errors"][0]["message"] == response.json()["error"]
    assert len(ws.audits()) == before


def test_unknown_records_are_json_404(emu: AhaEmulator) -> None:
    ws = emu.workspace
    idea, other = ws.ideas()[0]["id"], ws.ideas()[1]["id"]
    vote = next(v for v in ws.votes() if v["idea_id"] != other)["id"]
    cases = [
        ("POST", "/products/999/ideas", {"idea": {"name": "x", "created_by": "a@b.c"}}),
        ("PUT", "/ideas/123", {"idea": {"name": "x"}}),
        ("DELETE", "/ideas/123", None),
        ("POST", "/ideas/123/endorsements", {"idea_endorsement": {"idea_organization_id": "1"}}),
        (
            "POST",
            f"/ideas/{idea}/endorsements",
            {"idea_endorsement": {"idea_organization_id": "1"}},
        ),
        ("DELETE", f"/ideas/{other}/endorsements/{vote}", None),  # the vote is another idea's
        ("POST", "/ideas/123/idea_comments", {"idea_comment": {"body": "x"}}),
        (
            "POST",
            f"/ideas/{idea}/idea_comments",
            {"idea_comment": {"body": "x", "user": {"id": "1"}}},
        ),
        ("PUT", "/idea_comments/1", {"idea_comment": {"body": "x"}}),
        ("POST", "/ideas/123/comments", {"comment": {"body": "x"}}),
        ("DELETE", "/comments/1", None),
    ]
    for method, path, body in cases:
        response = _call(emu, method, path, body)
        assert (response.status_code, response.json()) == (404, {"error": "Record not found."}), (
            path
        )
    assert vote in {v["id"] for v in ws.votes()}


def test_other_methods_are_405_unknown_paths_404_and_auth_comes_first(emu: AhaEmulator) -> None:
    idea = emu.workspace.ideas()[0]["id"]
    for method, path, allow in [
        ("POST", "/ideas", "GET"),
        ("DELETE", "/ideas/endorsements", "GET"),
        ("PATCH", f"/ideas/{idea}", "DELETE, GET, PUT"),
        ("POST", "/idea_comments/1", "PUT"),
        ("PUT", "/users", "GET"),
    ]:
        response = _call(emu, method, path, {})
        assert (response.status_code, response.headers["Allow"]) == (405, allow), path
        assert response.json()["error"]
    assert _call(emu, "GET", "/idea_comments/1").status_code == 404  # no GET route: HTML page
    assert _call(emu, "DELETE", "/nothing/here").status_code == 404
    response = requests.delete(f"{emu.url}/api/v1/ideas/{idea}", timeout=10)
    assert response.status_code == 401
    assert emu.workspace.idea(idea)["id"] == idea


def test_writes_are_counted_rate_limited_and_can_be_forbidden(emu: AhaEmulator) -> None:
    idea = _idea(emu)
    _call(emu, "POST", f"/ideas/{idea['id']}/comments", {"comment": {"body": "<p>1</p>"}})
    _call(emu, "DELETE", "/comments/1")
    _call(emu, "PATCH", f"/ideas/{idea['id']}")
    counts = emu.stats.by_route()
    assert counts["POST /api/v1/products/{id}/ideas"] == 1
    assert counts["POST /api/v1/ideas/{id}/comments"] == 1
    assert counts["DELETE /api/v1/comments/{id}"] == 1
    assert counts["PATCH /api/v1/ideas/{id}"] == 1
    assert emu.stats.status_counts() == {200: 2, 404: 1, 405: 1}
    emu.set_forbidden({"DELETE /api/v1/ideas/{id}"})
    assert _call(emu, "DELETE", f"/ideas/{idea['id']}").status_code == 403
    assert emu.workspace.idea(idea["id"])["id"] == idea["id"]
    emu.set_plan("roadmaps_ideas_advanced")
    emu.set_limits(per_second=1)
    first = _call(emu, "DELETE", f"/ideas/{idea['id']}")
    second = _call(emu, "DELETE", f"/ideas/{idea['id']}")
    assert (first.status_code, second.status_code) == (204, 429)
    assert second.headers["Retry-After"]
