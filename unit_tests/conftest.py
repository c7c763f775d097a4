"""Shared helpers: build the source the CDK-7 way and read it, and make waits instant.

`get_source()` hands config, catalog and state to the constructor (on CDK 7 the declarative
engine builds its streams and cursors there). The autouse `no_sleep` fixture replaces
`time.sleep`, so 429 and 5xx retries, and the API budget, cost no wall time while `max_retries`
stays as in the manifest. When a test runs under freezegun, a "sleep" advances the frozen clock
instead, so time-based logic (the budget's moving window) still sees the time pass.

Every test builds a fresh `SourceAha`, and the CDK loads, resolves and validates the manifest
(and loads its own component schema) in every constructor: most of a mock-server test's time. The
autouse fixture `manifest_processed_once` memoizes those steps by content, handing each source a
deep copy, so a test still gets a source of its own built from the manifest on disk.
Measured on 2 shared CPUs (CDK 7.39.1, 366 tests): `pytest unit_tests` took 75 s with these three
patches and 186 s without them, so they stay; they patch private CDK methods, so drop them if a
CDK upgrade renames one (the fixture then fails loudly on `monkeypatch.setattr`).

The components keep what one sync shares (the destroy audits walked, the children's audits, the
warnings said once) in class-level memos keyed by the config's content, as a process runs one
sync. Tests run many syncs in one process, often with equal configs, so the autouse fixture
`a_sync_of_its_own` empties those memos before each test: each test is a sync of its own.
"""

from __future__ import annotations

import copy
import json
import os
import time
from collections.abc import Mapping, Sequence
from typing import Any

import airbyte_cdk.sources.declarative.concurrent_declarative_source as declarative_source
import freezegun
import freezegun.api
import pytest
from airbyte_cdk.models import AirbyteStateMessage, ConfiguredAirbyteCatalog, SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput, read
from airbyte_cdk.test.models import ExpectedOutcome

from source_aha import SourceAha
from source_aha.components import ChildAudits, DestroyAudits, Forbidden, Notes, Progress

_REAL_SLEEP = time.sleep

# pytest's own clock (`--durations`) keeps the real time while a test's clock is frozen.
freezegun.configure(extend_ignore_list=["_pytest.timing"])


def get_source(
    config: Mapping[str, Any],
    catalog: ConfiguredAirbyteCatalog | None = None,
    state: list[AirbyteStateMessage] | None = None,
) -> SourceAha:
    return SourceAha(config=config, catalog=catalog, state=state)


def catalog_for(stream_name: str, sync_mode: SyncMode) -> ConfiguredAirbyteCatalog:
    return CatalogBuilder().with_stream(stream_name, sync_mode).build()


def catalog_of(stream_names: Sequence[str], sync_mode: SyncMode) -> ConfiguredAirbyteCatalog:
    builder = CatalogBuilder()
    for stream_name in stream_names:
        builder.with_stream(stream_name, sync_mode)
    return builder.build()


def read_stream(
    stream_name: str,
    sync_mode: SyncMode,
    config: Mapping[str, Any],
    state: list[AirbyteStateMessage] | None = None,
    expecting_exception: bool = False,
) -> EntrypointOutput:
    """Reads one stream through the real entry point (`read --config --catalog [--state]`)."""
    return read_streams([stream_name], sync_mode, config, state, expecting_exception)


def read_streams(
    stream_names: Sequence[str],
    sync_mode: SyncMode,
    config: Mapping[str, Any],
    state: list[AirbyteStateMessage] | None = None,
    expecting_exception: bool = False,
) -> EntrypointOutput:
    """Reads several streams in one sync, as a connection with all of them selected does."""
    catalog = catalog_of(stream_names, sync_mode)
    return read(
        get_source(config, catalog, state),
        config,
        catalog,
        state,
        expected_outcome=ExpectedOutcome.EXPECT_EXCEPTION
        if expecting_exception
        else ExpectedOutcome.EXPECT_SUCCESS,
    )


def _fake_sleep(seconds: float) -> None:
    if freezegun.api.freeze_factories and seconds > 0:
        freezegun.api.freeze_factories[-1].tick(seconds)
    # Yield the GIL briefly so polling loops in worker threads do not spin.
    _REAL_SLEEP(0.0005)


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "sleep", _fake_sleep)


@pytest.fixture(autouse=True)
def request_cache_of_its_own(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """Parent streams (`ideas`, `products`) cache their pages under `REQUEST_CACHE_PATH`. The
    entrypoint points it at a fresh directory for each run but never resets it, so a `check`
    called directly would reuse the previous run's directory and replay its cached pages."""
    monkeypatch.setenv("REQUEST_CACHE_PATH", str(tmp_path))


@pytest.fixture(autouse=True)
def a_sync_of_its_own() -> None:
    """Forgets what an earlier test's sync left in the per-sync memos (see the module docstring):
    audits walked or failed, starts noted, and warnings already said."""
    for memo in (
        DestroyAudits._starts,
        DestroyAudits._walks,
        DestroyAudits._failed,
        ChildAudits._walks,
        Notes._said,
        Forbidden._streams,
        Forbidden._checked,
    ):
        memo.clear()


@pytest.fixture(autouse=True)
def no_progress_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    """A sync's progress timer would report into later tests' logs: it waits an hour here."""
    monkeypatch.setattr(Progress, "SECONDS", 3600.0)


def _content_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


_COMPONENT_SCHEMA: list[dict[str, Any]] = []
_LOADED: dict[tuple[str, int, int], Any] = {}
_PROCESSED: dict[str, Any] = {}
_VALIDATED: set[str] = set()
_read_yaml = SourceAha._read_and_parse_yaml_file
_pre_process = SourceAha._pre_process_manifest
_validate = SourceAha._validate_source


def _component_schema_once() -> dict[str, Any]:
    if not _COMPONENT_SCHEMA:
        _COMPONENT_SCHEMA.append(declarative_source.get_declarative_component_schema())
    return _COMPONENT_SCHEMA[0]


def _read_yaml_once(self: SourceAha, path: str) -> Any:
    stat = os.stat(path)
    key = (path, stat.st_mtime_ns, stat.st_size)
    if key not in _LOADED:
        _LOADED[key] = _read_yaml(self, path)
    return copy.deepcopy(_LOADED[key])


def _pre_process_once(self: SourceAha, manifest: dict[str, Any]) -> dict[str, Any]:
    key = _content_key(manifest)
    if key not in _PROCESSED:
        _PROCESSED[key] = _pre_process(self, manifest)
    return copy.deepcopy(_PROCESSED[key])


def _validate_once(self: SourceAha) -> None:
    key = _content_key(self._source_config)
    if key not in _VALIDATED:
        _validate(self)  # raises on an invalid manifest, which is then never recorded
        _VALIDATED.add(key)


@pytest.fixture(autouse=True)
def manifest_processed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loads, resolves and validates each distinct manifest once (see the module docstring).

    Patched for each unit test only, so tests elsewhere in the same session see the CDK as is."""
    schema = _component_schema_once()
    monkeypatch.setattr(declarative_source, "get_declarative_component_schema", lambda: schema)
    monkeypatch.setattr(SourceAha, "_read_and_parse_yaml_file", _read_yaml_once)
    monkeypatch.setattr(SourceAha, "_pre_process_manifest", _pre_process_once)
    monkeypatch.setattr(SourceAha, "_validate_source", _validate_once)
