"""End-to-end: the installed `source-aha` program, over real HTTP, against the local Aha! emulator.

Records are compared with the emulator's ground truth, field by field; requests are counted at
the server.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from aha_emulator import AhaEmulator
from integration_tests.conftest import ROOT, emulator_config, manifest_request_fields
from integration_tests.connector import (
    DELETED_AT,
    IDEA_STREAMS,
    audit_reads,
    configured_catalog,
    latest_states,
    run_read_until,
    run_source,
)
from integration_tests.custom_fields import with_custom_field_columns
from testkit.streams import EVERY_STREAM, SPEC_KEYS

IDEAS = "GET /api/v1/ideas"
ACCOUNT_VOTES = "GET /api/v1/ideas/endorsements"
IDEA_VOTES = "GET /api/v1/ideas/{id}/endorsements"
PROBES = 5  # ideas whose `comments_count` is 0 asked each sync (`IdeaFanOut.probes`)
AUDITS = "GET /api/v1/audits"
IDEA_COMMENTS = "GET /api/v1/ideas/{id}/idea_comments"


# Ground truth -----------------------------------------------------------------------------------


def project(record: Mapping[str, Any], fields: list[str]) -> dict[str, Any]:
    return {key: record[key] for key in fields if key in record}


def expected_ideas(emulator: AhaEmulator, ideas: list[dict[str, Any]] | None = None) -> dict:
    fields = manifest_request_fields("ideas")
    rows = emulator.workspace.ideas() if ideas is None else ideas
    return {idea["id"]: with_custom_field_columns(project(idea, fields)) for idea in rows}


def expected_comments(emulator: AhaEmulator, idea_ids: set[str] | None = None) -> dict:
    fields = manifest_request_fields("idea_comments")
    return {
        comment["id"]: project(comment, fields)
        for comment in emulator.workspace.idea_comments()
        if idea_ids is None or comment["idea_id"] in idea_ids
    }


def expected_proxy_votes(emulator: AhaEmulator, idea_ids: set[str] | None = None) -> dict:
    return {
        vote["id"]: vote
        for vote in emulator.workspace.votes(proxy=True)
        if idea_ids is None or vote["idea_id"] in idea_ids
    }


def by_id(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    keyed = {record["id"]: record for record in records}
    assert len(keyed) == len(records), "a record was emitted twice in one read"
    return keyed


def without_top_level_nulls(record: Mapping[str, Any]) -> dict[str, Any]:
    """The CDK's message serializer leaves out top-level null fields (destinations read them as
    null), so ground truth is compared in the same form."""
    return {key: value for key, value in record.items() if value is not None}


def assert_same_records(emitted: dict[str, dict], truth: dict[str, dict]) -> None:
    """Nothing missing, nothing extra, and every field equal; the message lists what differs."""
    assert sorted(set(truth) - set(emitted)) == [], "missing"
    assert sorted(set(emitted) - set(truth)) == [], "extra"
    differences = []
    for record_id, expected in truth.items():
        want, got = without_top_level_nulls(expected), emitted[record_id]
        differences += [
            (record_id, key, got.get(key, "<absent>"), want.get(key, "<absent>"))
            for key in set(want) | set(got)
            if got.get(key, "<absent>") != want.get(key, "<absent>")
        ]
    assert differences[:5] == []


def assert_votes_match(emitted: dict[str, dict], truth: dict[str, dict]) -> None:
    """Every proxy vote arrives once, and each emitted field equals Aha!'s value."""
    assert sorted(set(truth) - set(emitted)) == [], "missing"
    assert sorted(set(emitted) - set(truth)) == [], "extra"
    for vote_id, vote in emitted.items():
        expected = without_top_level_nulls(truth[vote_id])
        assert {k: expected.get(k, "<absent>") for k in vote} == vote
        assert vote["idea_organization"]["id"] == expected["idea_organization"]["id"]
        assert vote.get("value") == expected.get("value")
        assert isinstance(vote.get("value"), str | None)


def assert_full_read_matches(run, emulator: AhaEmulator, idea_ids: set[str] | None = None) -> None:
    ideas = by_id(run.records("ideas"))
    truth = expected_ideas(emulator)
    if idea_ids is not None:
        truth = {k: v for k, v in truth.items() if k in idea_ids}
    assert_same_records(ideas, truth)
    assert_same_records(
        by_id(run.records("idea_comments")), expected_comments(emulator, set(ideas))
    )
    assert_votes_match(
        by_id(run.records("idea_proxy_votes")),
        expected_proxy_votes(emulator, set(ideas) if idea_ids is not None else None),
    )


# Helpers ----------------------------------------------------------------------------------------


@pytest.fixture
def html_server() -> Iterator[str]:
    """A web server that is not Aha!: every API path is its HTML 404 page."""
    handler = partial(SimpleHTTPRequestHandler, directory=str(ROOT / "integration_tests"))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def read(tmp_path: Path, config: dict, name: str = "read", **kwargs: Any):
    catalog = kwargs.pop("catalog", configured_catalog())
    run = run_source("read", tmp_path / name, config=config, catalog=catalog, **kwargs)
    assert run.returncode == 0, run.stderr[-2000:] + json.dumps(run.errors)
    assert not run.errors
    return run


# spec / check / discover ------------------------------------------------------------------------


def test_spec_lists_every_config_key_and_hides_the_api_key(tmp_path):
    run = run_source("spec", tmp_path)
    assert run.returncode == 0
    (spec,) = run.of_type("SPEC")
    properties = spec["spec"]["connectionSpecification"]["properties"]
    assert set(properties) == SPEC_KEYS
    assert properties["api_key"]["airbyte_secret"] is True


@pytest.mark.smoke
def test_check_with_the_right_key_succeeds(tmp_path, emulator):
    run = run_source("check", tmp_path, config=emulator_config(emulator))
    assert run.returncode == 0
    assert run.connection_status["status"] == "SUCCEEDED"


def test_check_with_a_wrong_key_fails_naming_the_key_without_a_traceback(tmp_path, emulator):
    run = run_source("check", tmp_path, config=emulator_config(emulator, api_key="wrong-key"))
    assert run.returncode == 0
    status = run.connection_status
    assert status["status"] == "FAILED"
    assert "api_key" in status["message"]
    assert "Traceback" not in run.stdout + run.stderr
    assert "wrong-key" not in run.stdout + run.stderr


def test_check_against_a_server_that_is_not_aha_fails_naming_the_setting_that_chose_it(
    tmp_path, html_server
):
    config = {"api_key": "k3y", "subdomain": "company", "base_url": html_server}
    run = run_source("check", tmp_path, config=config)
    assert run.returncode == 0
    status = run.connection_status
    assert status["status"] == "FAILED"
    assert "Check `base_url`." in status["message"]  # base_url, not subdomain, chose the host
    assert "Traceback" not in run.stdout + run.stderr


def test_check_with_an_invalid_subdomain_fails_before_any_request(tmp_path, emulator):
    config = emulator_config(emulator, subdomain="evil.com/x")
    run = run_source("check", tmp_path, config=config)
    assert run.connection_status["status"] == "FAILED"
    assert "`subdomain`" in run.connection_status["message"]
    assert emulator.stats.total == 0


@pytest.mark.parametrize("filters", [{}, {"max_ideas": 5}], ids=["account_wide", "filtered"])
def test_discover_lists_the_three_idea_streams_incremental_keyed_by_id(tmp_path, emulator, filters):
    run = run_source("discover", tmp_path, config=emulator_config(emulator, **filters))
    streams = {s["name"]: s for s in run.catalog["streams"]}
    assert list(streams) == list(EVERY_STREAM)
    for stream in (streams[name] for name in IDEA_STREAMS):
        assert stream["source_defined_primary_key"] == [["id"]]
        assert stream["default_cursor_field"] == ["updated_at"]
        assert stream["source_defined_cursor"] is True
        assert set(stream["supported_sync_modes"]) == {"full_refresh", "incremental"}


# read -------------------------------------------------------------------------------------------


@pytest.mark.smoke
def test_full_read_emits_exactly_the_workspace_with_the_fewest_requests(tmp_path, emulator):
    run = read(tmp_path, emulator_config(emulator))

    assert_full_read_matches(run, emulator)
    routes = emulator.stats.by_route()
    ideas = emulator.workspace.ideas()
    assert routes[IDEAS] == -(-len(ideas) // 200)
    with_comments = sum(1 for idea in ideas if idea["comments_count"])
    # plus the probes of ideas whose count is 0 (the check of what `comments_count` counts)
    probes = min(PROBES, len(ideas) - with_comments)
    assert routes[IDEA_COMMENTS] == with_comments + probes
    assert routes[ACCOUNT_VOTES] == -(-len(emulator.workspace.votes(proxy=True)) // 200)
    assert IDEA_VOTES not in routes


def settled(tmp_path: Path, config: dict[str, Any]) -> list[dict[str, Any]]:
    """The state after a full sync and one incremental one: the first incremental sync also
    sends the tombstones of the emulator's older deletes after each stream's newest record
    (`test_deletes` pins them down); the syncs after it are a connection's steady state."""
    first = read(tmp_path, config, "first")
    return read(tmp_path, config, "settle", state=first.final_state()).final_state()


@pytest.mark.smoke
def test_incremental_read_after_changes_emits_every_change_and_fans_out_only_changed_ideas(
    tmp_path, emulator
):
    config = emulator_config(emulator)
    first = settled(tmp_path, config)
    emulator.stats.reset()

    change = emulator.workspace.mutate_random(12, seed=3)
    second = read(tmp_path, config, "second", state=first)

    changed = set(change["changed_idea_ids"])
    ideas = by_id(second.records("ideas"))
    assert set(ideas) == changed
    assert_same_records(ideas, {k: v for k, v in expected_ideas(emulator).items() if k in changed})
    comments = by_id(second.records("idea_comments"))
    assert set(change["new_comment_ids"]) <= set(comments)
    truth_comments = expected_comments(emulator)
    assert_same_records(comments, {c: truth_comments[c] for c in comments})
    votes = by_id(second.records("idea_proxy_votes"))
    assert set(change["new_vote_ids"]) == set(votes)
    routes = emulator.stats.by_route()
    assert routes[IDEAS] == 1
    assert routes[ACCOUNT_VOTES] == 1
    commented = {i for i in changed if emulator.workspace.idea(i)["comments_count"]}
    probes = min(PROBES, len(changed) - len(commented))  # changed ideas whose count is 0
    assert routes.get(IDEA_COMMENTS, 0) == len(commented) + probes
    # the deletes (caught up for a stream that starts after that read), the children's once
    audits = audit_reads(r.path for r in emulator.stats.requests)
    audits.assert_one_walk_and_catch_ups()
    assert audits.children == 1


@pytest.mark.smoke
def test_idle_incremental_read_emits_nothing_in_five_requests_deletes_and_checks_included(
    tmp_path, emulator
):
    config = emulator_config(emulator)
    first = settled(tmp_path, config)
    emulator.stats.reset()

    second = read(tmp_path, config, "second", state=first)

    assert second.record_counts() == {}
    # the deletes, once for every stream (and caught up for a stream that starts after that
    # read), and the children's, once for the per-idea streams
    audits = audit_reads(r.path for r in emulator.stats.requests)
    audits.assert_one_walk_and_catch_ups()
    assert audits.children == 1
    assert emulator.stats.total <= 5 + audits.catch_ups


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"ideas_workflow_status": "Under consideration"}, id="workflow_status_name"),
        pytest.param({"ideas_q": "dashboard"}, id="ideas_q"),
        pytest.param({"q": "dashboard"}, id="q_alias"),
    ],
)
def test_filters_narrow_ideas_and_their_votes_and_comments(tmp_path, emulator, overrides):
    run = read(tmp_path, emulator_config(emulator, **overrides))

    status = overrides.get("ideas_workflow_status")
    text = overrides.get("ideas_q") or overrides.get("q")
    selected = {
        idea["id"]
        for idea in emulator.workspace.ideas()
        if (not status or idea["workflow_status"]["name"] == status)
        and (not text or text in idea["name"].lower())
    }
    assert selected, "the filter must select some ideas for this test to mean anything"
    assert_full_read_matches(run, emulator, selected)
    assert ACCOUNT_VOTES not in emulator.stats.by_route()


@pytest.mark.parametrize("limit", [7, 250])
def test_max_ideas_emits_exactly_the_first_n_ideas_and_only_their_children(
    tmp_path, emulator, limit
):
    run = read(tmp_path, emulator_config(emulator, max_ideas=str(limit)))

    first_n = {idea["id"] for idea in emulator.workspace.ideas()[:limit]}
    assert len(run.records("ideas")) == limit
    assert_full_read_matches(run, emulator, first_n)
    assert emulator.stats.count(IDEAS) == -(-limit // 200)


def test_read_killed_after_its_first_state_resumes_from_it_and_loses_nothing(tmp_path, emulator):
    config = emulator_config(emulator, num_workers=1)
    catalog = configured_catalog()
    killed = run_read_until(
        tmp_path / "killed", config, catalog, lambda message, _: message["type"] == "STATE"
    )
    assert killed.killed
    state = latest_states(killed.messages)
    assert state

    resumed = read(tmp_path, config, "resumed", state=state)

    before = [m["record"] for m in killed.messages if m["type"] == "RECORD"]
    for stream, truth in (
        ("ideas", expected_ideas(emulator)),
        ("idea_comments", expected_comments(emulator)),
        ("idea_proxy_votes", expected_proxy_votes(emulator)),
    ):
        seen = {r["data"]["id"] for r in before if r["stream"] == stream}
        seen |= {r["id"] for r in resumed.records(stream) if not r.get(DELETED_AT)}
        assert seen == set(truth), stream


def test_abnormal_state_from_the_future_reads_nothing(tmp_path, emulator):
    state = json.loads((ROOT / "integration_tests" / "abnormal_state.json").read_text())
    run = read(tmp_path, emulator_config(emulator), state=state)
    assert run.record_counts() == {}


def test_shipped_configured_catalog_reads_every_stream(tmp_path, emulator):
    catalog = json.loads((ROOT / "integration_tests" / "configured_catalog.json").read_text())
    run = read(tmp_path, emulator_config(emulator), catalog=catalog)
    assert [entry["stream"]["name"] for entry in catalog["streams"]] == list(EVERY_STREAM)
    assert set(run.record_counts()) == {entry["stream"]["name"] for entry in catalog["streams"]}


def test_invalid_config_file_fails_check_naming_the_api_key(tmp_path, emulator):
    config = json.loads((ROOT / "integration_tests" / "invalid_config.json").read_text())
    config["base_url"] = emulator.url
    run = run_source("check", tmp_path, config=config)
    assert run.connection_status["status"] == "FAILED"
    assert "api_key" in run.connection_status["message"]
