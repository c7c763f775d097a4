"""The manifest and `components.py` in the Connector Builder, driven as the Airbyte UI
drives it: the CDK's Builder backend (`python -m airbyte_cdk.connector_builder.main read`) in a
subprocess, with the manifest and the components injected into the config.

Also: the same two files under `source-declarative-manifest` (the image a connector published
from the Builder runs on) read the same ideas as the installed `source-aha`.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from aha_emulator import AhaEmulator
from integration_tests.conftest import API_KEY, ROOT, emulator_config, manifest_request_fields
from integration_tests.connector import (
    EVERY_STREAM,
    Run,
    configured_catalog,
    run_manifest_only,
    run_source,
)
from integration_tests.custom_fields import with_custom_field_columns
from integration_tests.test_end_to_end import assert_same_records, assert_votes_match
from integration_tests.test_more_streams import keyed
from integration_tests.test_reliability import truth
from testkit.streams import OPT_IN_STREAMS

MANIFEST = ROOT / "manifest.yaml"
COMPONENTS = ROOT / "components.py"
STREAMS = ("ideas", "idea_proxy_votes", "idea_comments")
UNSAFE_CODE = "AIRBYTE_ENABLE_UNSAFE_CODE"
TIMEOUT_SECONDS = 300
# Small, as in the UI: the Builder reads one stream on one thread. CDK 7.39.1 does not enforce
# `max_records` in the concurrent engine, so pages and slices are what bound a test read.
TEST_READ_LIMITS = {"max_records": 500, "max_pages_per_slice": 2, "max_slices": 3}


# The Builder backend ------------------------------------------------------------------------------


def builder_config(emulator: AhaEmulator, command: str) -> dict[str, Any]:
    """A normal config plus what the Builder adds: the manifest, the components and limits."""
    components = COMPONENTS.read_text(encoding="utf-8")
    return {
        **emulator_config(emulator),
        "__command": command,
        "__injected_declarative_manifest": yaml.safe_load(MANIFEST.read_text(encoding="utf-8")),
        "__injected_components_py": components,
        "__injected_components_py_checksums": {"md5": hashlib.md5(components.encode()).hexdigest()},
        "__test_read_config": TEST_READ_LIMITS,
    }


def run_builder(
    tmp_path: Path, config: Mapping[str, Any], stream: str | None, unsafe_code: bool = True
) -> list[dict[str, Any]]:
    """Runs one Builder request and returns the Airbyte messages it printed."""
    config_path = tmp_path / "builder_config.json"
    config_path.write_text(json.dumps(config), encoding="utf-8")
    catalog_arg = ""
    if stream is not None:
        catalog_path = tmp_path / "builder_catalog.json"
        catalog_path.write_text(json.dumps(configured_catalog([stream], "full_refresh")))
        catalog_arg = str(catalog_path)
    env = {k: v for k, v in os.environ.items() if k not in (UNSAFE_CODE, "DEPLOYMENT_MODE")}
    if unsafe_code:
        env[UNSAFE_CODE] = "true"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "airbyte_cdk.connector_builder.main",
            "read",
            "--config",
            str(config_path),
            "--catalog",
            catalog_arg,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def builder_errors(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        m["trace"]["error"]
        for m in messages
        if m["type"] == "TRACE" and m["trace"]["type"] == "ERROR"
    ]


def builder_result(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The single RECORD the Builder answers with (its `data` is the whole result)."""
    errors = builder_errors(messages)
    assert errors == [], errors[0]["message"] + "\n" + (errors[0].get("stack_trace") or "")
    (record,) = (m["record"] for m in messages if m["type"] == "RECORD")
    data: dict[str, Any] = record["data"]
    return data


def builder_test_read(
    tmp_path: Path, emulator: AhaEmulator, stream: str, **settings: Any
) -> dict[str, Any]:
    """A `test_read` of one stream, as the Builder's "Test" button runs it (with `settings`
    added to the connector's config)."""
    config = builder_config(emulator, "test_read")
    config.update(settings)
    result = builder_result(run_builder(tmp_path, config, stream))
    assert result["slices"], result["logs"]
    assert not [log for log in result["logs"] if log.get("level") == "ERROR"]
    return result


def pages(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [page for slice_ in result["slices"] for page in slice_["pages"]]


def records(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [record for page in pages(result) for record in page["records"]]


def request_path(page: Mapping[str, Any]) -> str:
    return urlsplit(page["request"]["url"]).path


# Ground truth ---------------------------------------------------------------------------------


def without_top_level_nulls(record: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if value is not None}


def by_id(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    keyed = {row["id"]: row for row in rows}
    assert len(keyed) == len(rows), "a record was returned twice"
    return keyed


# Tests ----------------------------------------------------------------------------------------


def test_resolve_manifest_returns_every_stream(tmp_path, emulator):
    result = builder_result(
        run_builder(tmp_path, builder_config(emulator, "resolve_manifest"), stream=None)
    )
    manifest = result["manifest"]
    # `idea_proxy_votes` sits in two `ConditionalStreams` (account-wide or per idea); the opt-in
    # streams sit in one each, after every other stream.
    names = [
        stream["name"]
        for entry in manifest["streams"]
        for stream in (entry["streams"] if entry["type"] == "ConditionalStreams" else [entry])
    ]
    assert names == [
        "ideas",
        "idea_proxy_votes",
        "idea_proxy_votes",
        *EVERY_STREAM[2:],
        *OPT_IN_STREAMS,
    ]
    assert manifest["definitions"]["ideas"]["name"] == "ideas"
    assert emulator.stats.total == 0


def test_builder_test_read_of_ideas_returns_them_exactly(tmp_path, emulator):
    result = builder_test_read(tmp_path, emulator, "ideas")

    assert len(result["slices"]) == 1  # one date range: `ideas` is not partitioned
    total = len(emulator.workspace.ideas())
    assert 200 < total <= 400  # two pages of 200, the second one short
    assert [len(page["records"]) for page in pages(result)] == [200, total - 200]
    assert {request_path(page) for page in pages(result)} == {"/api/v1/ideas"}
    fields = manifest_request_fields("ideas")
    truth = {idea["id"]: idea for idea in emulator.workspace.ideas()}
    got = by_id(records(result))
    assert set(got) == set(truth)
    for idea_id, record in got.items():
        expected = {key: truth[idea_id][key] for key in fields if key in truth[idea_id]}
        expected = with_custom_field_columns(expected)
        assert without_top_level_nulls(record) == without_top_level_nulls(expected)
    assert set(result["inferred_schema"]["properties"]) >= {"id", "name", "workflow_status"}
    # Two pages, and the definitions once for the schema's custom-field columns.
    assert emulator.stats.by_route() == {
        "GET /api/v1/ideas": 2,
        "GET /api/v1/custom_field_definitions": 1,
    }


def test_builder_test_read_of_proxy_votes_returns_workspace_votes(tmp_path, emulator):
    result = builder_test_read(tmp_path, emulator, "idea_proxy_votes")

    assert len(pages(result)) == 2
    truth = by_id(emulator.workspace.votes(proxy=True))
    got = by_id(records(result))
    assert set(got) == set(truth)  # 294 proxy votes on two pages of 200
    for vote_id, vote in got.items():
        assert isinstance(vote["idea_id"], str)
        assert vote["idea_id"] == truth[vote_id]["idea_id"]
        assert "idea" not in vote  # the nested idea is removed
        assert vote.get("value") == truth[vote_id].get("value")
    assert emulator.stats.by_route() == {"GET /api/v1/ideas/endorsements": 2}


def test_builder_test_read_of_comments_shows_one_slice_per_parent_idea(tmp_path, emulator):
    # The Builder shows each request as a slice, the probes of the `comments_count` check too:
    # with the count trusted, a slice is an idea.
    result = builder_test_read(
        tmp_path, emulator, "idea_comments", assume_comments_count_is_portal="yes"
    )

    slices = result["slices"]
    assert len(slices) == TEST_READ_LIMITS["max_slices"]
    assert result["test_read_limit_reached"] is True
    ideas_with_comments = {i["id"] for i in emulator.workspace.ideas() if i["comments_count"]}
    truth = by_id(emulator.workspace.idea_comments())
    fields = manifest_request_fields("idea_comments")
    sliced_ideas = []
    for slice_ in slices:
        # CDK 7.39.1 logs each partition when it is generated and again when it is read, so
        # the Builder can label a slice with another partition's descriptor: trust the request.
        assert "idea_id" in slice_["slice_descriptor"]
        (page,) = slice_["pages"]
        idea_id = request_path(page).split("/")[-2]
        sliced_ideas.append(idea_id)
        assert idea_id in ideas_with_comments
        want = {c["id"] for c in truth.values() if c["idea_id"] == idea_id}
        got = by_id(page["records"])
        assert set(got) == want
        for comment_id, comment in got.items():
            assert comment["idea_id"] == idea_id  # a string, stamped from the partition
            expected = {k: truth[comment_id][k] for k in fields if k in truth[comment_id]}
            assert without_top_level_nulls(comment) == without_top_level_nulls(expected)
    assert len(set(sliced_ideas)) == len(sliced_ideas)
    # The parent read shows up as an auxiliary request, as in the UI's "parent stream" panel.
    assert any("ideas" in request["title"] for request in result["auxiliary_requests"])
    routes = emulator.stats.by_route()
    assert routes["GET /api/v1/ideas/{id}/idea_comments"] == len(slices)


def test_builder_without_unsafe_code_refuses_the_custom_components(tmp_path, emulator):
    """Why self-managed Airbyte needs AIRBYTE_ENABLE_UNSAFE_CODE=true for this connector."""
    messages = run_builder(
        tmp_path, builder_config(emulator, "test_read"), "ideas", unsafe_code=False
    )
    (error,) = builder_errors(messages)
    assert "Custom connector code is not permitted" in error["message"]
    assert UNSAFE_CODE in error["message"]
    assert not [m for m in messages if m["type"] == "RECORD"]
    assert emulator.stats.total == 0


def test_components_py_runs_when_injected_as_text(tmp_path):
    """The Builder execs the pasted text in a module that `sys.modules` does not hold yet, so
    nothing at import time may look the module up there (dataclasses do, for string
    annotations). A narrow check of what every Builder test above depends on."""
    script = (
        "import pathlib, sys\n"
        "from airbyte_cdk.sources.declarative.parsers.custom_code_compiler import (\n"
        "    register_components_module_from_string)\n"
        "import hashlib\n"
        f"text = pathlib.Path({str(COMPONENTS)!r}).read_text(encoding='utf-8')\n"
        "module = register_components_module_from_string(\n"
        "    text, {'md5': hashlib.md5(text.encode()).hexdigest()})\n"
        "print(sorted(n for n in ('MaxIdeasExtractor', 'OutageAwareErrorHandler',\n"
        "    'PerIdeaToAccountWideState') if hasattr(module, n)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    expected = "['MaxIdeasExtractor', 'OutageAwareErrorHandler', 'PerIdeaToAccountWideState']"
    assert done.stdout.strip() == expected


# source-declarative-manifest -------------------------------------------------------------------


def run_sdm(tmp_path: Path, config: Mapping[str, Any], stream: str) -> Run:
    """`source-declarative-manifest read` of one stream, in full refresh."""
    return run_manifest_only("read", tmp_path, config, configured_catalog([stream], "full_refresh"))


@pytest.mark.smoke
def test_source_declarative_manifest_reads_the_same_ideas_as_source_aha(tmp_path, emulator):
    config = emulator_config(emulator)
    sdm = run_sdm(tmp_path / "sdm", config, "ideas")
    assert sdm.returncode == 0, sdm.stderr[-3000:]
    assert sdm.errors == []

    package = run_source(
        "read", tmp_path / "package", config=config, catalog=configured_catalog(["ideas"])
    )
    assert package.returncode == 0, package.stderr[-3000:]
    assert package.errors == []

    from_sdm, from_package = by_id(sdm.records("ideas")), by_id(package.records("ideas"))
    assert len(from_sdm) == len(emulator.workspace.ideas())
    assert from_sdm == from_package


@pytest.mark.smoke
def test_source_declarative_manifest_sends_the_tombstone_of_an_idea_deleted_since_its_last_sync(
    tmp_path, emulator
):
    config, catalog = emulator_config(emulator), configured_catalog(["ideas"])
    first = run_manifest_only("read", tmp_path / "first", config, catalog)
    assert first.returncode == 0, first.stderr[-3000:]
    gone = emulator.workspace.ideas()[0]["id"]
    emulator.workspace.delete_idea(gone)
    when = next(
        a["created_at"]
        for a in emulator.workspace.audits()
        if a["audit_action"] == "destroy" and str(a["auditable_id"]) == gone
    )

    second = run_manifest_only("read", tmp_path / "second", config, catalog, first.final_state())

    assert second.returncode == 0, second.stderr[-3000:]
    tombstones = [r for r in second.records("ideas") if r.get("_ab_cdc_deleted_at")]
    assert {"id": gone, "updated_at": when, "_ab_cdc_deleted_at": when} in tombstones


# What `source-declarative-manifest` does with `--components-path` (remote mode), in a process
# that never imports the package: the file is registered, then the source is built.
FIXES_INSTALLED = """
import sys
from airbyte_cdk.cli.source_declarative_manifest import _run
from airbyte_cdk.sources.concurrent_source.thread_pool_manager import ThreadPoolManager
from airbyte_cdk.sources.declarative.incremental.concurrent_partition_cursor import (
    ConcurrentPerPartitionCursor,
)
from airbyte_cdk.sources.streams.http.http_client import HttpClient
from pyrate_limiter.limiter import SingleBucketFactory

_run._register_components_from_file(sys.argv[1])
assert "source_aha" not in sys.modules
for hooked in (
    HttpClient._request_session,
    ConcurrentPerPartitionCursor._cleanup_if_done,
    SingleBucketFactory.wrap_item,
):
    assert getattr(hooked, "_source_aha_fix", False), hooked
assert isinstance(ThreadPoolManager.__dict__["_max_concurrent_tasks"], property)
print("installed")
"""


@pytest.mark.smoke
def test_components_loaded_alone_install_their_fixes_for_cdk_defects(tmp_path):
    env = {**os.environ, UNSAFE_CODE: "true"}
    done = subprocess.run(
        [sys.executable, "-c", FIXES_INSTALLED, str(COMPONENTS)],
        capture_output=True,
        text=True,
        env=env,
        timeout=TIMEOUT_SECONDS,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "installed"


# Every stream, as a user of the Builder tests each one in turn ------------------------------------


@pytest.fixture(scope="module")
def workspace_for_every_stream() -> Iterator[AhaEmulator]:
    with AhaEmulator(ideas=40, seed=9, api_key=API_KEY) as server:
        yield server


@pytest.mark.parametrize("stream", [*EVERY_STREAM, *OPT_IN_STREAMS])
def test_builder_test_read_of_every_stream_returns_its_records_exactly(
    tmp_path, workspace_for_every_stream, stream
):
    emulator = workspace_for_every_stream
    result = builder_test_read(tmp_path, emulator, stream, read_idea_subscriptions=True)

    # The Builder shows the schema's absent fields as nulls.
    got = {k: without_top_level_nulls(r) for k, r in keyed(stream, records(result)).items()}
    want = truth(emulator)[stream]
    assert want, f"the emulator has no {stream}: the test would prove nothing"
    assert got, result["logs"]
    # A test read stops at its page and slice limits: what it returns is exactly Aha!'s.
    compare = assert_votes_match if stream == "idea_proxy_votes" else assert_same_records
    compare(got, {key: want[key] for key in got if key in want})
