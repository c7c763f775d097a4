"""End-to-end for the streams beyond ideas, proxy votes and portal comments: every vote, internal
comments, idea organizations and users, categories, portals, products and the Roadmaps records.

Each is read by the installed `source-aha` against the emulator and compared with its ground
truth; the Roadmaps and Ideas Advanced streams are skipped, not failed, on a plan without them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from aha_emulator import AhaEmulator
from integration_tests.conftest import emulator_config
from integration_tests.connector import configured_catalog, run_source
from integration_tests.custom_fields import STREAMS as CUSTOM_FIELD_STREAMS
from integration_tests.custom_fields import with_custom_field_columns
from integration_tests.test_end_to_end import assert_same_records, by_id, project
from testkit.resources import of_stream, streams_needing
from testkit.streams import EVERY_STREAM, FULL_REFRESH_ONLY, IDEA_STREAMS

# Read incrementally: every stream beyond the three idea streams but those read whole.
INCREMENTAL = tuple(s for s in EVERY_STREAM if s not in IDEA_STREAMS + FULL_REFRESH_ONLY)
MORE_STREAMS = INCREMENTAL + FULL_REFRESH_ONLY
ROADMAPS = streams_needing("Aha! Roadmaps")


def requested_fields(stream: str) -> list[str] | None:
    """The `fields=` the manifest sends for `stream`, if any."""
    return of_stream(stream).fields or None


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
    set_apart = ("releases", "idea_categories", "idea_internal_comments", "custom_field_options")
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
    return expected


def read(tmp_path, emulator: AhaEmulator, streams=MORE_STREAMS, name="read", state=None):
    run = run_source(
        "read",
        tmp_path / name,
        config=emulator_config(emulator),
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
        assert streams[name]["source_defined_primary_key"] == [["id"]]
    for name in INCREMENTAL:
        assert set(streams[name]["supported_sync_modes"]) == {"full_refresh", "incremental"}
        assert streams[name]["default_cursor_field"] == ["updated_at"]
    for name in FULL_REFRESH_ONLY:
        assert streams[name]["supported_sync_modes"] == ["full_refresh"]


def test_full_read_of_every_other_stream_equals_the_workspace(tmp_path, emulator):
    run = read(tmp_path, emulator)

    expected = truth(emulator)
    for stream in MORE_STREAMS:
        assert_same_records(by_id(run.records(stream)), expected[stream])
    routes = emulator.stats.by_route()
    assert routes["GET /api/v1/ideas/endorsements"] == -(-len(expected["idea_votes"]) // 200)
    assert routes["GET /api/v1/ideas/{id}/comments"] == len(emulator.workspace.ideas())
    assert routes["GET /api/v1/products/{id}/releases"] == len(expected["products"])


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
        assert any(stream in w and "plan" in w for w in warnings), stream
    for stream in set(MORE_STREAMS) - set(skipped) - {"idea_portals"}:
        assert counts.get(stream), stream
