"""The end-to-end checks against a real Aha! account, run when `secrets/config.json` exists.

Without an emulator there is no ground truth to compare with, so each test checks what must hold
on any account: records valid against the discovered schemas, each record once, children only
under ideas that were read, an incremental read that emits nothing older than its bookmark, and a
read killed after its first checkpoint that resumes without losing anything a full read finds.
Set `max_ideas` in the config to keep a large account's runs short.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest

from integration_tests.connector import (
    IDEA_STREAMS,
    Run,
    configured_catalog,
    latest_states,
    run_read_until,
    run_source,
)


@pytest.fixture(scope="module")
def full_read(live_config: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Run:
    run = run_source(
        "read",
        tmp_path_factory.mktemp("live_full"),
        config=live_config,
        catalog=configured_catalog(),
    )
    assert run.returncode == 0, run.errors
    assert not run.errors
    return run


def test_live_check_succeeds(live_config, tmp_path):
    run = run_source("check", tmp_path, config=live_config)
    assert run.connection_status["status"] == "SUCCEEDED"


def test_live_records_match_the_discovered_schemas_and_appear_once(
    live_config, full_read, tmp_path
):
    catalog = run_source("discover", tmp_path, config=live_config).catalog
    schemas = {stream["name"]: stream["json_schema"] for stream in catalog["streams"]}
    for stream in IDEA_STREAMS:
        records = full_read.records(stream)
        ids = [record["id"] for record in records]
        assert len(ids) == len(set(ids)), stream
        validator = jsonschema.Draft7Validator(schemas[stream])
        for record in records:
            validator.validate(record)


def test_live_comments_belong_to_ideas_that_were_read(full_read):
    idea_ids = {idea["id"] for idea in full_read.records("ideas")}
    assert {c["idea_id"] for c in full_read.records("idea_comments")} <= idea_ids


def test_live_incremental_read_emits_nothing_older_than_its_bookmark(
    live_config, full_read, tmp_path
):
    state = full_read.final_state()
    run = run_source(
        "read", tmp_path, config=live_config, catalog=configured_catalog(), state=state
    )
    assert run.returncode == 0, run.errors
    bookmark = {
        s["stream"]["stream_descriptor"]["name"]: s["stream"]["stream_state"] for s in state
    }
    ideas_cursor = bookmark["ideas"]["updated_at"]
    assert all(idea["updated_at"] >= ideas_cursor[:19] for idea in run.records("ideas"))


def test_live_read_killed_after_first_state_resumes_without_loss(
    live_config, full_read, tmp_path: Path
):
    killed = run_read_until(
        tmp_path / "killed",
        live_config,
        configured_catalog(),
        lambda message, _: message["type"] == "STATE",
    )
    resumed = run_source(
        "read",
        tmp_path / "resumed",
        config=live_config,
        catalog=configured_catalog(),
        state=latest_states(killed.messages),
    )
    assert resumed.returncode == 0, resumed.errors
    for stream in IDEA_STREAMS:
        seen = {
            m["record"]["data"]["id"]
            for m in killed.messages
            if m["type"] == "RECORD" and m["record"]["stream"] == stream
        } | {record["id"] for record in resumed.records(stream)}
        assert {record["id"] for record in full_read.records(stream)} <= seen, stream
