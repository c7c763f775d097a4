"""The emulator answers byte for byte what it answered before its redesign (issue 11).

``record_answers(seed)`` asks a seeded emulator every route it serves, with the query variations
the connector and the tests use (paging, ``fields=`` lists incl. the manifest's, filters, plans,
errors), then runs the mutation API and asks everything again. Each answer is kept as its status,
content type and a sha256 of its body (truncated to 20 hex digits: bodies are large, a digest
suffices). ``emulator_golden.json`` was recorded from the emulator before it was split into
modules; regenerate it only for a deliberate change of the emulator's answers:

    .venv/bin/python -m integration_tests.test_emulator_golden --write
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time

from aha_emulator import AhaEmulator, Faults

GOLDEN = Path(__file__).with_name("emulator_golden.json")
SEEDS = (1, 42)
IDEAS = 120
_BASE = "http://127.0.0.1:8765"  # the base url rendered into url/resource fields
_AUTH = {"Authorization": "Bearer test-api-key"}
# A moment before every generated timestamp: mutations then advance the workspace clock by 1 ms
# each, so their timestamps do not depend on the wall clock.
_FROZEN = "2020-06-01T00:00:00Z"

# The fields= lists manifest.yaml sends (as of the recording; order as in the manifest).
MANIFEST_FIELDS = {
    "ideas": "id,reference_num,name,created_at,updated_at,product_id,product,workflow_status,"
    "status_changed_at,description,votes,initial_votes,endorsements_count,comments_count,score,"
    "score_facts,visibility,categories,tags,full_tags,custom_fields,integration_fields,"
    "custom_object_links,feature,duplicate_of,created_by_user,created_by_portal_user,"
    "created_by_idea_user,assigned_to_user,admin_response,workflow_status_times,"
    "submitted_idea_portal_record_url,url,resource",
    "idea_comments": "id,idea_id,body,created_at,updated_at,visibility,parent_idea_comment_id,"
    "spam,idea_commenter_user,idea_commenter_portal_user,idea_commenter_idea_user,attachments",
    "idea_organizations": "id,name,created_at,updated_at,url,resource,endorsements_count,"
    "email_domains,revenue,custom_fields,integration_fields",
    "products": "id,reference_prefix,name,product_line,product_line_type,created_at,updated_at,"
    "workspace_type,url,resource,has_ideas,has_master_features,has_epics",
    "features": "id,reference_num,name,created_at,updated_at,url,resource,product_id,"
    "initiative_reference_num,release_reference_num,epic_reference_num,position,score,"
    "start_date,due_date,progress,progress_source,created_by_user,workflow_kind,workflow_status,"
    "project,description,attachments,integration_fields,release,assigned_to_user,requirements,"
    "goals,key_results,comments_count,score_facts,tags,full_tags,custom_fields,feature_links",
    "releases": "id,reference_num,name,parking_lot,created_at,updated_at,product_id,"
    "integration_fields,url,resource,owner,project,released,master_release,released_on,position,"
    "progress,progress_source,workflow_status,custom_fields,comments_count,goals,key_results,"
    "created_by_user,start_date,release_date,end_date",
    "epics": "id,reference_num,name,created_at,updated_at,url,resource,product_id,"
    "initiative_reference_num,release_reference_num,position,start_date,due_date,progress,"
    "progress_source,duration_source,created_by_user,workflow_status,project,description,"
    "attachments,integration_fields,release,assigned_to_user,comments_count,tags,custom_fields",
}
# account-wide list routes: path and envelope key ("{p}" = a product id or prefix)
_LISTS = (
    ("/products", "products"),
    ("/idea_organizations", "idea_organizations"),
    ("/idea_users", "idea_users"),
    ("/idea_portals", "idea_portals"),
    ("/features", "features"),
    ("/epics", "epics"),
    ("/initiatives", "initiatives"),
    ("/goals", "goals"),
    ("/users", "users"),
    ("/products/{p}/idea_categories", "idea_categories"),
    ("/products/{p}/releases", "releases"),
    ("/products/{p}/ideas", "ideas"),
)
_PLANS = ("roadmaps_ideas_advanced", "roadmaps", "ideas_advanced", "ideas_essentials")
_TRUTH = (
    "ideas",
    "votes",
    "idea_comments",
    "internal_comments",
    "products",
    "workflow_statuses",
    "idea_organizations",
    "idea_users",
    "idea_categories",
    "idea_portals",
    "features",
    "releases",
    "epics",
    "initiatives",
    "goals",
    "users",
)


def _short(path: str) -> str:
    """The path as a fixture key: a manifest ``fields=`` list is named, not spelled out."""
    for name, fields in MANIFEST_FIELDS.items():
        path = path.replace(fields, f"<manifest {name}>")
    return path


def _digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:20]


def _dump(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


class _Recorder:
    """Asks one emulator (in process, through ``dispatch``) and keeps every answer's digest."""

    def __init__(self, emulator: AhaEmulator) -> None:
        self.emulator = emulator
        self.answers: dict[str, str] = {}

    def get(self, path: str, label: str = "", method: str = "GET", **headers: str) -> Any:
        response = self.emulator.dispatch(method, path, headers or _AUTH)
        kind = response.content_type.split(";")[0]
        key = f"{label}{method} {_short(path)}"
        assert key not in self.answers, key
        mode = "" if response.mode == "send" else f" {response.mode}"
        short = kind.split("/")[-1]
        extra = "".join(f" {k}={v}" for k, v in sorted(response.headers.items()))
        self.answers[key] = f"{response.status} {short}{mode} {_digest(response.body)}{extra}"
        return json.loads(response.body) if kind == "application/json" and not mode else None

    def call(self, label: str, fn: Callable[[], Any]) -> Any:
        """Run a Workspace method; keep a digest of what it returned (or the error it raised)."""
        try:
            value = fn()
        except (ValueError, KeyError) as exc:
            value = {"raised": type(exc).__name__, "message": str(exc)}
        assert label not in self.answers, label
        self.answers[label] = _digest(_dump(value))
        return value


def _pages(rec: _Recorder, path: str, key: str, label: str = "") -> list[Any]:
    """Read a list page by page, about five pages whatever its length."""
    join = "&" if "?" in path else "?"
    total = rec.get(f"{path}{join}per_page=1&page=2", label)["pagination"]["total_records"]
    rows: list[Any] = []
    page, per_page = 1, max(3, -(-total // 5))
    while True:
        body = rec.get(f"{path}{join}per_page={per_page}&page={page}", label)
        rows.extend(body[key])
        if page >= body["pagination"]["total_pages"]:
            return rows
        page += 1


def _ask_everything(rec: _Recorder, phase: str) -> None:
    """Every route with its query variations; ``phase`` prefixes the keys."""
    ws = rec.emulator.workspace
    label = f"{phase}: "
    for name in _TRUTH:
        rec.call(f"{label}truth {name}", getattr(ws, name))
    rec.call(f"{label}truth ideas spam", lambda: ws.ideas(include_spam=True))
    rec.call(f"{label}truth idea_comments spam", lambda: ws.idea_comments(include_spam=True))
    rec.call(f"{label}truth votes proxy", lambda: ws.votes(proxy=True))
    rec.call(f"{label}truth votes plain", lambda: ws.votes(proxy=False))
    rec.call(f"{label}truth products full", lambda: ws.products(full=True))
    ideas = ws.ideas(include_spam=True)
    stamps = sorted(i["updated_at"] for i in ideas)
    mid, late = stamps[len(stamps) // 2], stamps[len(stamps) * 4 // 5]
    created = sorted(i["created_at"] for i in ideas)[len(ideas) // 3]
    statuses = ws.workflow_statuses()

    # /ideas: paging, fields, filters
    for query in (
        "",
        "?page=2",
        "?page=0",
        "?page=99",
        "?per_page=7&page=3",
        "?per_page=500",
        "?per_page=0",
        "?per_page=-3",
        "?page=two",
        "?per_page=1.5",
        f"?fields={MANIFEST_FIELDS['ideas']}&per_page=50",
        "?fields=*&per_page=40&page=2",
        "?fields=votes,endorsements_count,bogus",
        "?fields=",
        "?fields=%2A,name",
        f"?updated_since={mid}&per_page=200",
        f"?updated_since={late}&fields={MANIFEST_FIELDS['ideas']}",
        "?updated_since=2023-01-01T02:00:00.000%2B02:00",
        "?updated_since=2023-01-01",
        "?updated_since=yesterday",
        f"?created_since={created}",
        f"?created_before={created}",
        "?created_before=later",
        f"?workflow_status={statuses[3]['name'].lower()}&per_page=200",
        f"?workflow_status={statuses[1]['id']}",
        "?workflow_status=NEW",
        "?q=CsV&per_page=200",
        "?q=no+such+idea&page=3",
        "?spam=true",
        "?spam=true&fields=*",
        "?spam=false&q=a",
    ):
        rec.get(f"/api/v1/ideas{query}", label)
    _pages(rec, f"/api/v1/ideas?fields={MANIFEST_FIELDS['ideas']}", "ideas", label)

    # one idea and its children, for every fourth idea (spam ones included)
    for n, idea in enumerate(ideas):
        if n % 4:
            continue
        base = f"/api/v1/ideas/{idea['id']}"
        rec.get(base, label)
        if n % 8 == 0:
            rec.get(f"/api/v1/ideas/{idea['reference_num'].lower()}", label)
        rec.get(f"{base}?fields=name,comments_count,feature", label)
        rec.get(f"{base}/endorsements", label)
        rec.get(f"{base}/endorsements?proxy=true&per_page=2&page=2", label)
        rec.get(f"{base}/endorsements?fields=weight,idea_organization", label)
        rec.get(f"{base}/idea_comments", label)
        rec.get(f"{base}/idea_comments?fields={MANIFEST_FIELDS['idea_comments']}", label)
        rec.get(f"{base}/idea_comments?spam=true&fields=*", label)
        rec.get(f"{base}/comments", label)
    for missing in ("/ideas/123", "/ideas/I-9930", "/ideas/123/endorsements", "/ideas/1/comments"):
        rec.get(f"/api/v1{missing}", label)
        rec.get(f"/api/v1{missing}/idea_comments", label)

    # account-wide votes
    votes = ws.votes()
    vote_mid = sorted(v["updated_at"] for v in votes)[len(votes) // 2]
    for query in (
        "",
        "?proxy=true",
        "?proxy=true&per_page=200",
        f"?proxy=true&updated_since={vote_mid}",
        f"?updated_since={vote_mid}&per_page=3&page=2",
        f"?created_since={vote_mid}",
        f"?created_before={vote_mid}&fields=*",
        "?updated_since=never",
    ):
        rec.get(f"/api/v1/ideas/endorsements{query}", label)
    _pages(rec, "/api/v1/ideas/endorsements?proxy=true", "idea_endorsements", label)

    # account-level lists, per product by id and by prefix
    products = ws.products()
    targets = [p["id"] for p in products] + [products[-1]["reference_prefix"], "999"]
    for template, key in _LISTS:
        for product in targets if "{p}" in template else [""]:
            path = "/api/v1" + template.replace("{p}", product)
            fields = MANIFEST_FIELDS.get(key, "updated_at")
            for query in (
                "",
                "?per_page=3&page=2",
                "?fields=updated_at",
                "?fields=*&per_page=200",
                f"?fields={fields}&per_page=200",
                f"?updated_since={mid}&per_page=200",
                "?updated_since=2024-06-01T00:00:00Z&fields=*",
                "?updated_since=not+a+timestamp",
            ):
                rec.get(f"{path}{query}", label)
            if product != "999":
                _pages(rec, f"{path}?fields={fields}", key, label)

    # errors: unknown routes, methods, auth
    for path in ("/api/v1/idea_proxy_votes", "/api/v2/ideas", "/", "/api/v1/ideas/1/2/3"):
        rec.get(path, label)
    rec.get("/api/v1/ideas", label, method="POST")
    rec.get("/api/v1/ideas/endorsements", label, method="DELETE")
    rec.get("/api/v1/products", f"{label}no auth ", **{"X-None": "1"})
    rec.get("/api/v1/products", f"{label}wrong key ", Authorization="Bearer wrong")
    rec.get("/api/v1/products", f"{label}no scheme ", Authorization="test-api-key")


def _ask_plans(rec: _Recorder) -> None:
    first = rec.emulator.workspace.products()[0]["id"]
    for plan in _PLANS:
        rec.emulator.set_plan(plan)
        for template, _ in _LISTS:
            rec.get("/api/v1" + template.replace("{p}", first), f"plan {plan}: ")
        for path in ("/ideas", "/ideas/endorsements", f"/products/{first}/ideas?fields=*"):
            rec.get(f"/api/v1{path}", f"plan {plan}: ")
    rec.emulator.set_forbidden({"GET /api/v1/users", "GET /api/v1/ideas/{id}"})
    idea = rec.emulator.workspace.ideas()[0]["id"]
    for path in ("/users", f"/ideas/{idea}", "/idea_organizations", "/features"):
        rec.get(f"/api/v1{path}", "forbidden users+idea: ")
    rec.emulator.set_plan("roadmaps_ideas_advanced")


def _ask_with_faults(rec: _Recorder) -> None:
    """Which request gets which fault follows the fault RNG: the same seed, the same faults."""
    mixes = {
        "mix": Faults(
            error_rate=0.2, slow_rate=0.2, slow_seconds=0, drop_rate=0.1, truncate_rate=0.1, seed=5
        ),
        "storm": Faults(storm_429=2, storm_retry_after=3, error_rate=0.3, seed=2),
        "persistent 429": Faults(persistent_status=429, storm_retry_after=7),
        "persistent 502": Faults(persistent_status=502),
    }
    for name, faults in mixes.items():
        rec.emulator.set_faults(faults)
        for n in range(30):
            rec.get(f"/api/v1/ideas?page={n % 4 + 1}&n={n}", f"faults {name}: ")
        rec.get("/api/v1/products", f"faults {name} no auth: ", **{"X-None": "1"})
    rec.emulator.set_faults(Faults())


def _mutate(rec: _Recorder) -> None:
    """Every mutation the Workspace offers, through the admin route and the Python API."""
    emu, ws = rec.emulator, rec.emulator.workspace
    admin = "/__emulator__/mutate"
    for body in (b'{"changed_ideas": 12, "seed": 4}', b'{"changed_ideas": 3}', b"{}"):
        response = emu.dispatch("POST", admin, {}, body)
        rec.answers[f"admin mutate {body.decode()}"] = f"{response.status} {_digest(response.body)}"
    rec.call("mutate_random 9 seed 7", lambda: ws.mutate_random(9, seed=7))
    ideas, products = ws.ideas(), ws.products()
    first, second, third = ideas[1]["id"], ideas[2]["id"], ideas[5]["reference_num"]
    rec.call("add_idea", lambda: ws.add_idea())
    rec.call(
        "add_idea product",
        lambda: ws.add_idea(product_id=products[-1]["id"], name="Café ✓", score=7),
    )
    rec.call("add_idea prefix", lambda: ws.add_idea(product_id=products[0]["reference_prefix"]))
    rec.call("edit_idea default", lambda: ws.edit_idea(first))
    rec.call("edit_idea default again", lambda: ws.edit_idea(first))
    rec.call(
        "edit_idea fields",
        lambda: ws.edit_idea(
            third,
            name="Renamed",
            workflow_status="shipped",
            description="<p>new</p>",
            tags=["UX", "billing"],
            visibility="Visible to employees only",
        ),
    )
    rec.call("edit_idea status id", lambda: ws.edit_idea(second, workflow_status="New"))
    rec.call("edit_idea bogus", lambda: ws.edit_idea(second, bogus=1))
    rec.call("edit_idea spam", lambda: ws.edit_idea(ideas[7]["id"], spam=True))
    rec.call("edit_idea missing", lambda: ws.edit_idea("999"))
    rec.call("add_vote proxy", lambda: ws.add_vote(first))
    plain = rec.call("add_vote plain", lambda: ws.add_vote(second, proxy=False))
    rec.call("edit_vote plain default", lambda: ws.edit_vote(plain["id"]))
    proxy_vote = ws.votes(proxy=True)[0]["id"]
    rec.call("edit_vote proxy default", lambda: ws.edit_vote(proxy_vote))
    rec.call(
        "edit_vote changes",
        lambda: ws.edit_vote(proxy_vote, weight=9, value="3.5", link=None, custom_fields=[]),
    )
    rec.call("edit_vote bogus", lambda: ws.edit_vote(proxy_vote, id="1"))
    rec.call("edit_vote missing", lambda: ws.edit_vote("nope"))
    comment = rec.call("add_comment", lambda: ws.add_comment(first))
    rec.call("add_comment reply", lambda: ws.add_comment(first, parent_id=comment["id"]))
    rec.call("add_comment wrong parent", lambda: ws.add_comment(second, parent_id=comment["id"]))
    rec.call("edit_comment default", lambda: ws.edit_comment(comment["id"]))
    rec.call("edit_comment spam", lambda: ws.edit_comment(comment["id"], spam=True))
    rec.call(
        "edit_comment body",
        lambda: ws.edit_comment(comment["id"], body="<p>x</p>", visibility="Visible to all"),
    )
    rec.call("edit_comment missing", lambda: ws.edit_comment("1"))
    releases = ws.releases()
    other = next(r for r in releases if r["product_id"] == products[1]["id"])
    rec.call("add_feature", lambda: ws.add_feature())
    rec.call(
        "add_feature release",
        lambda: ws.add_feature(products[1]["id"], other["reference_num"], name="F"),
    )
    rec.call("add_feature wrong release", lambda: ws.add_feature(products[0]["id"], other["id"]))
    feature = ws.features()[2]
    rec.call("edit_feature status", lambda: ws.edit_feature(feature["reference_num"], **_SHIPPED))
    rec.call("edit_feature default", lambda: ws.edit_feature(feature["id"]))
    rec.call("edit_feature override", lambda: ws.edit_feature(feature["id"], score=5, color="#f"))
    rec.call("edit_release", lambda: ws.edit_release(releases[3]["id"]))
    rec.call("edit_release status", lambda: ws.edit_release(releases[4]["id"], **_SHIPPED))
    rec.call("edit_release bogus", lambda: ws.edit_release(releases[0]["id"], bogus=1))
    rec.call("edit_epic", lambda: ws.edit_epic(ws.epics()[1]["reference_num"], name="E"))
    rec.call("edit_initiative", lambda: ws.edit_initiative(ws.initiatives()[0]["id"]))
    rec.call(
        "edit_initiative status",
        lambda: ws.edit_initiative(ws.initiatives()[1]["id"], workflow_status="done"),
    )
    rec.call("edit_goal", lambda: ws.edit_goal(ws.goals()[0]["id"]))
    rec.call("edit_goal wrong kind", lambda: ws.edit_goal(feature["id"]))
    rec.call("edit_product", lambda: ws.edit_product(products[0]["reference_prefix"]))
    rec.call("edit_product name", lambda: ws.edit_product(products[1]["id"], name="P"))
    rec.call("add_idea_organization", lambda: ws.add_idea_organization())
    org = rec.call("add_idea_organization named", lambda: ws.add_idea_organization("Globex EU"))
    rec.call(
        "edit_idea_organization", lambda: ws.edit_idea_organization(org["id"], revenue="1000.0")
    )
    first_org = ws.idea_organizations()[0]["id"]
    rec.call("edit_idea_organization first", lambda: ws.edit_idea_organization(first_org, "O"))
    rec.call("add_vote after org", lambda: ws.add_vote(third))
    rec.call("delete_idea", lambda: ws.delete_idea(second))
    rec.call("delete_idea again", lambda: ws.delete_idea(second))


_SHIPPED = {"workflow_status": "Shipped"}


def record_answers(seed: int) -> dict[str, str]:
    """Status, content type and body digest of every route (before and after mutations)."""
    with freeze_time(_FROZEN):
        emulator = AhaEmulator(ideas=IDEAS, seed=seed)
        emulator.workspace.base_url = _BASE
        rec = _Recorder(emulator)
        _ask_everything(rec, "fresh")
        _ask_plans(rec)
        _ask_with_faults(rec)
        _mutate(rec)
        _ask_everything(rec, "mutated")
        return rec.answers


def _differences(expected: dict[str, str], got: dict[str, str]) -> Iterator[str]:
    for key in sorted(set(expected) | set(got)):
        if expected.get(key) != got.get(key):
            yield f"{key}: recorded {expected.get(key)}, now {got.get(key)}"


@pytest.mark.parametrize("seed", SEEDS)
def test_same_seed_gives_byte_for_byte_the_recorded_answers(seed: int) -> None:
    recorded = json.loads(GOLDEN.read_text(encoding="utf-8"))[str(seed)]
    answers = record_answers(seed)
    differences = list(_differences(recorded, answers))
    assert not differences, f"{len(differences)} answers differ:\n" + "\n".join(differences[:40])
    assert len(answers) > 1_000


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python -m integration_tests.test_emulator_golden --write")
    answers = {str(seed): record_answers(seed) for seed in SEEDS}
    GOLDEN.write_text(json.dumps(answers, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {sum(map(len, answers.values()))} answers to {GOLDEN}")
