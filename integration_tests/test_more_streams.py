"""End-to-end for the streams beyond ideas, proxy votes and portal comments: every vote, internal
comments, idea organizations and users, categories, portals, products, the Roadmaps records and
the issue-14 tables (idea themes, to-dos, requirements, integrations, workflows, teams, portal
users, idea subscriptions).

Each is read by the installed `source-aha` against the emulator and compared with its ground
truth; the Roadmaps and Ideas Advanced streams are skipped, not failed, on a plan without them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from aha_emulator import AhaEmulator
from integration_tests.conftest import emulator_config
from integration_tests.connector import configured_catalog, run_source
from integration_tests.custom_fields import STREAMS as CUSTOM_FIELD_STREAMS
from integration_tests.custom_fields import with_custom_field_columns
from integration_tests.test_end_to_end import assert_same_records, by_id, project
from testkit.resources import of_stream, resources, streams_needing
from testkit.streams import EVERY_STREAM, FULL_REFRESH_ONLY, IDEA_STREAMS, PROMISES

# Read incrementally: every stream beyond the three idea streams but those read whole.
INCREMENTAL = tuple(s for s in EVERY_STREAM if s not in IDEA_STREAMS + FULL_REFRESH_ONLY)
MORE_STREAMS = INCREMENTAL + FULL_REFRESH_ONLY
ROADMAPS = streams_needing("Aha! Roadmaps")


def requested_fields(stream: str) -> list[str] | None:
    """The `fields=` the manifest sends for `stream`, if any."""
    return of_stream(stream).fields or None


def record_key(stream: str, record: dict[str, Any]) -> Any:
    """The record's primary key: its id, or a tuple for a composite key (workflows)."""
    key = PROMISES[stream].primary_key
    return record["id"] if key == ("id",) else tuple(record[k] for k in key)


def keyed(stream: str, records: list[dict[str, Any]]) -> dict[Any, dict[str, Any]]:
    """Records by their primary key, none twice."""
    out = {record_key(stream, record): record for record in records}
    assert len(out) == len(records), "a record was emitted twice in one read"
    return out


def child_rows(rows: list[dict[str, Any]], parent_field: str) -> dict[str, dict[str, Any]]:
    """The emulator's child rows, keyed by id, their `parent` named as the connector adds it."""
    return {
        r["id"]: {**{k: v for k, v in r.items() if k != "parent"}, parent_field: r["parent"]}
        for r in rows
    }


def catalog(streams: tuple[str, ...]) -> dict[str, Any]:
    """Incremental where offered, full refresh for the streams without a cursor."""
    return configured_catalog(streams)


def truth(emulator: AhaEmulator) -> dict[str, dict[str, dict[str, Any]]]:
    """Each stream's records as the connector should emit them, keyed by id."""
    workspace = emulator.workspace
    # A stream's rows are the emulator's accessor of the same name, projected on its `fields=`,
    # except for these, and for the streams set apart below.
    sources: dict[str, Callable[[], list[dict[str, Any]]]] = {
        "idea_votes": workspace.votes,
        "products": lambda: workspace.products(full=True),
    }
    set_apart = (
        "releases",
        "idea_categories",
        "idea_internal_comments",
        "custom_field_options",
        "requirements",
        "workflows",
        "idea_portal_users",
        "idea_subscriptions",
    )
    expected: dict[str, dict[str, dict[str, Any]]] = {}
    for stream in (s for s in MORE_STREAMS if s not in set_apart):
        rows = sources.get(stream) or getattr(workspace, stream)
        fields = requested_fields(stream)
        expected[stream] = {r["id"]: project(r, fields) if fields else r for r in rows()}
    # Aha!'s account-wide vote list leaves out `description` and `custom_fields` (aha-api.md 5.2).
    expected["idea_votes"] = {
        vote_id: {k: v for k, v in vote.items() if k not in ("description", "custom_fields")}
        for vote_id, vote in expected["idea_votes"].items()
    }
    # The connector keys options by `id`, a copy of the option's id (`value`).
    expected["custom_field_options"] = {
        o["value"]: {**o, "id": o["value"]} for o in workspace.custom_field_options()
    }
    for stream in (s for s in CUSTOM_FIELD_STREAMS if s in expected):
        expected[stream] = {k: with_custom_field_columns(r) for k, r in expected[stream].items()}
    releases_fields = requested_fields("releases") or []
    expected["releases"] = {
        r["id"]: {**project(r, releases_fields), "product_id": r["product_id"]}
        for r in workspace.releases()
    }
    products = {p["id"] for p in workspace.products()}
    categories = {}
    for category in workspace.idea_categories():
        product_id = str(category["project_id"])
        assert product_id in products
        categories[category["id"]] = {**category, "product_id": product_id}
    expected["idea_categories"] = categories
    ideas = {idea["id"] for idea in workspace.ideas()}
    expected["idea_internal_comments"] = {
        c["id"]: {**c, "idea_id": c["commentable"]["id"]}
        for c in workspace.internal_comments()
        if c["commentable"]["id"] in ideas
    }
    expected["requirements"] = child_rows(workspace.requirements(), "feature_id")
    # Every product lists the account's workflows; `callback_token` is never emitted.
    expected["workflows"] = {
        (product["id"], w["id"]): {**w, "product_id": product["id"]}
        for product in workspace.products()
        for w in workspace.workflows()
    }
    expected["idea_portal_users"] = child_rows(workspace.idea_portal_users(), "idea_portal_id")
    expected["idea_subscriptions"] = child_rows(workspace.idea_subscriptions(), "idea_id")
    return expected


def read(
    tmp_path, emulator: AhaEmulator, streams=MORE_STREAMS, name="read", state=None, **settings
):
    run = run_source(
        "read",
        tmp_path / name,
        config=emulator_config(emulator, **settings),
        catalog=catalog(streams),
        state=state,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert not run.errors
    return run


def test_discover_offers_every_stream_with_its_sync_modes(tmp_path, emulator):
    streams = {
        s["name"]: s
        for s in run_source("discover", tmp_path, config=emulator_config(emulator)).catalog[
            "streams"
        ]
    }
    assert set(MORE_STREAMS) <= set(streams)
    for name in MORE_STREAMS:
        key = [[k] for k in PROMISES[name].primary_key]
        assert streams[name]["source_defined_primary_key"] == key
    for name in INCREMENTAL:
        assert set(streams[name]["supported_sync_modes"]) == {"full_refresh", "incremental"}
        assert streams[name]["default_cursor_field"] == [PROMISES[name].cursor]
    for name in FULL_REFRESH_ONLY:
        assert streams[name]["supported_sync_modes"] == ["full_refresh"]


def test_full_read_of_every_other_stream_equals_the_workspace(tmp_path, emulator):
    run = read(tmp_path, emulator)

    expected = truth(emulator)
    for stream in MORE_STREAMS:
        assert_same_records(keyed(stream, run.records(stream)), expected[stream])
    assert not any("callback_token" in record for record in run.records("integrations"))
    routes = emulator.stats.by_route()
    workspace = emulator.workspace
    assert routes["GET /api/v1/ideas/endorsements"] == -(-len(expected["idea_votes"]) // 200)
    assert routes["GET /api/v1/ideas/{id}/comments"] == len(workspace.ideas())
    assert routes["GET /api/v1/products/{id}/releases"] == len(expected["products"])
    # One request per parent that can have children: features without requirements are skipped.
    with_requirements = {r["feature_id"] for r in expected["requirements"].values()}
    assert with_requirements < {f["id"] for f in workspace.features()}
    assert routes["GET /api/v1/features/{id}/requirements"] == len(with_requirements)
    assert routes["GET /api/v1/products/{id}/workflows"] == len(expected["products"])
    assert routes["GET /api/v1/idea_portals/{id}/portal_users"] == len(workspace.idea_portals())
    # Opt-in, so not read here.
    assert routes.get("GET /api/v1/ideas/{id}/subscriptions", 0) == 0


def test_incremental_read_emits_the_changed_records_of_server_filtered_streams(tmp_path, emulator):
    first = read(tmp_path, emulator, name="first")
    workspace = emulator.workspace
    feature = workspace.edit_feature(workspace.features()[3]["id"], name="Renamed feature")
    initiative = workspace.edit_initiative(workspace.initiatives()[0]["id"], name="New name")
    vote = workspace.add_vote(workspace.ideas()[5]["id"], proxy=False)

    second = read(tmp_path, emulator, name="second", state=first.final_state())

    assert [f["id"] for f in second.records("features")] == [feature["id"]]
    assert second.records("features")[0]["name"] == "Renamed feature"
    assert [i["id"] for i in second.records("initiatives")] == [initiative["id"]]
    assert vote["id"] in {v["id"] for v in second.records("idea_votes")}
    assert second.records("epics") == []
    assert second.records("products") == []


def test_incremental_read_emits_exactly_the_changed_issue_14_records(tmp_path, emulator):
    first = read(tmp_path, emulator, name="first")
    workspace = emulator.workspace
    task = workspace.edit_task(workspace.tasks()[2]["id"], name="Renamed to-do")
    requirement = workspace.edit_requirement(workspace.requirements()[4]["id"])

    second = read(tmp_path, emulator, name="second", state=first.final_state())

    assert [(t["id"], t["name"]) for t in second.records("tasks")] == [(task["id"], task["name"])]
    # The per-feature global cursor reads again its lookback window before the last cursor.
    [state] = [
        s["stream"]["stream_state"]
        for s in first.final_state()
        if s["stream"]["stream_descriptor"]["name"] == "requirements"
    ]
    cursor = datetime.fromisoformat(state["state"]["updated_at"])
    since = cursor - timedelta(seconds=state["lookback_window"])
    again = {
        r["id"]
        for r in workspace.requirements()
        if since < datetime.fromisoformat(r["updated_at"]) <= cursor
    }
    assert len(again) <= 1
    emitted = by_id(second.records("requirements"))
    assert set(emitted) == {requirement["id"]} | again
    assert emitted[requirement["id"]]["updated_at"] == requirement["updated_at"]
    # Read whole every sync: the same records again.
    expected = truth(emulator)
    for stream in ("idea_themes", "integrations", "workflows", "teams", "idea_portal_users"):
        assert_same_records(keyed(stream, second.records(stream)), expected[stream])


@pytest.mark.parametrize(
    ("plan", "skipped"),
    [
        pytest.param("ideas_advanced", ROADMAPS, id="ideas_only_plan_skips_roadmaps"),
        pytest.param("roadmaps", ("idea_organizations",), id="roadmaps_plan_skips_organizations"),
    ],
)
def test_streams_missing_from_the_plan_are_skipped_with_a_warning(tmp_path, plan, skipped):
    with AhaEmulator(ideas=60, seed=9, plan=plan) as emulator:
        run = read(tmp_path, emulator)

    counts = run.record_counts()
    warnings = [m["log"]["message"] for m in run.of_type("LOG") if m["log"]["level"] == "WARN"]
    for stream in skipped:
        assert stream not in counts
        # A child of a plan-feature parent (requirements of features) is skipped at its parent.
        parent = of_stream(stream).parent
        named = {stream, resources()[parent].stream} if parent else {stream}
        assert any(any(n in w for n in named) and "plan" in w for w in warnings), stream
    for stream in set(MORE_STREAMS) - set(skipped) - {"idea_portals"}:
        assert counts.get(stream), stream


def test_idea_subscriptions_are_offered_only_when_asked_for_and_read_from_changed_ideas(
    tmp_path, emulator
):
    assert "idea_subscriptions" not in MORE_STREAMS
    config = emulator_config(emulator, read_idea_subscriptions=True)
    discovered = run_source("discover", tmp_path / "discover", config=config).catalog["streams"]
    assert "idea_subscriptions" in {s["name"] for s in discovered}
    workspace = emulator.workspace
    before = emulator.stats.by_route().get("GET /api/v1/ideas/{id}/subscriptions", 0)

    first = read(tmp_path, emulator, ("idea_subscriptions",), "first", read_idea_subscriptions=True)

    assert_same_records(
        by_id(first.records("idea_subscriptions")), truth(emulator)["idea_subscriptions"]
    )
    requests = emulator.stats.by_route()["GET /api/v1/ideas/{id}/subscriptions"] - before
    assert requests == len(workspace.ideas())  # one per idea: no count tells which to skip
    subscription = workspace.add_idea_subscription(workspace.ideas()[7]["id"])

    second = read(
        tmp_path,
        emulator,
        ("idea_subscriptions",),
        "second",
        first.final_state(),
        read_idea_subscriptions=True,
    )

    assert [s["id"] for s in second.records("idea_subscriptions")] == [subscription["id"]]
    after = emulator.stats.by_route()["GET /api/v1/ideas/{id}/subscriptions"]
    assert after - before - requests == 1  # only the idea that changed is asked
