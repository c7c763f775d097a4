"""The eviction of finished partitions' cursors (`source_aha.partition_memory`): installed only on
the CDK it was written for, frees the cursors in global mode and only there, changes no state."""

from __future__ import annotations

import hashlib
import inspect
import logging
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import pytest
from airbyte_cdk.models import Type
from airbyte_cdk.sources.connector_state_manager import ConnectorStateManager
from airbyte_cdk.sources.declarative.incremental.concurrent_partition_cursor import (
    ConcurrentCursorFactory,
    ConcurrentPerPartitionCursor,
)
from airbyte_cdk.sources.declarative.partition_routers import ListPartitionRouter
from airbyte_cdk.sources.message import InMemoryMessageRepository, NoopMessageRepository
from airbyte_cdk.sources.streams.concurrent.cursor import ConcurrentCursor, CursorField
from airbyte_cdk.sources.streams.concurrent.state_converters.datetime_stream_state_converter import (  # noqa: E501
    CustomFormatConcurrentStreamStateConverter,
)
from airbyte_cdk.sources.types import Record, StreamSlice

import source_aha  # noqa: F401  (importing the source installs the eviction)
from source_aha import partition_memory
from source_aha.partition_memory import (
    WRITTEN_FOR,
    evict_finished_partition_cursors,
    original_cleanup_if_done,
)

# sha256 (first 16 hex digits) of `inspect.getsource` in airbyte-cdk 7.39.1 of the patched method
# and of every method whose reads of `_cursor_per_partition` make the eviction safe. A mismatch
# means the CDK changed there: re-read `ConcurrentPerPartitionCursor`, check that global mode
# still never reads a finished partition's cursor (or that the CDK now frees it itself), then
# update `WRITTEN_FOR` and these hashes.
RECORDED_SOURCE = {
    "_cleanup_if_done": "9d8f9d97d992021e",
    "close_partition": "831948adbaddf13b",
    "observe": "d7f53085341a2a2a",
    "state": "3eb5c0b66aa26654",
    "_get_cursor": "1a10bd9e090aa357",
    "_generate_slices_from_partition": "32bf2aa058232fde",
    "_ensure_partition_limit": "934ea4bb14b37811",
    "split_request_window": "27fe0522934d0e42",
}

STREAM = "idea_comments"
FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
IDEAS = [str(n) for n in range(1, 7)]


def _source_hash(name: str) -> str:
    if name == "_cleanup_if_done":
        method = original_cleanup_if_done()
    else:
        method = getattr(ConcurrentPerPartitionCursor, name)
    function = method.fget if isinstance(method, property) else method
    return hashlib.sha256(inspect.getsource(function).encode()).hexdigest()[:16]


@pytest.mark.parametrize("name", sorted(RECORDED_SOURCE))
def test_the_cdk_code_the_eviction_relies_on_is_the_code_it_was_written_against(name: str) -> None:
    assert _source_hash(name) == RECORDED_SOURCE[name], (
        f"ConcurrentPerPartitionCursor.{name} changed in the installed airbyte-cdk: "
        "re-check source_aha/partition_memory.py against it (see RECORDED_SOURCE)"
    )


def test_the_eviction_is_installed_on_the_cdk_it_was_written_for() -> None:
    assert WRITTEN_FOR == "7.39.1"
    method = ConcurrentPerPartitionCursor._cleanup_if_done
    assert getattr(method, "_source_aha_evicts_finished_cursors", False)
    assert evict_finished_partition_cursors() is True  # a second call does not wrap twice
    assert ConcurrentPerPartitionCursor._cleanup_if_done is method


def test_another_cdk_version_is_left_alone_with_one_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(
        ConcurrentPerPartitionCursor, "_cleanup_if_done", original_cleanup_if_done()
    )
    with caplog.at_level(logging.WARNING, logger="airbyte"):
        assert evict_finished_partition_cursors("7.40.0") is False
    assert ConcurrentPerPartitionCursor._cleanup_if_done is original_cleanup_if_done()
    (warning,) = [r for r in caplog.records if r.name == "airbyte"]
    assert "7.40.0" in warning.getMessage()
    assert "\n" not in warning.getMessage()
    assert partition_memory.WRITTEN_FOR in warning.getMessage()


# A per-idea stream's cursor, built as the manifest builds it: one partition per idea, one slice
# per partition, records filtered and observed on `updated_at`.


class _Partition:
    def __init__(self, stream_slice: StreamSlice) -> None:
        self._slice = stream_slice

    def to_slice(self) -> StreamSlice:
        return self._slice


def _make_cursor(
    use_global_cursor: bool, state: dict[str, Any] | None = None
) -> tuple[ConcurrentPerPartitionCursor, InMemoryMessageRepository]:
    messages = InMemoryMessageRepository()
    state_manager = ConnectorStateManager()
    converter = CustomFormatConcurrentStreamStateConverter(datetime_format=FORMAT)
    field = CursorField("updated_at")

    def create(stream_state: Any, runtime_lookback_window: Any) -> ConcurrentCursor:
        return ConcurrentCursor(
            stream_name=STREAM,
            stream_namespace=None,
            stream_state=stream_state,
            message_repository=NoopMessageRepository(),  # as the CDK's factory does
            connector_state_manager=state_manager,
            connector_state_converter=converter,
            cursor_field=field,
            slice_boundary_fields=("start_time", "end_time"),
            start=datetime(2024, 1, 1, tzinfo=timezone.utc),
            end_provider=lambda: datetime(2026, 1, 1, tzinfo=timezone.utc),
            lookback_window=runtime_lookback_window,
        )

    router = ListPartitionRouter(values=IDEAS, cursor_field="idea_id", config={}, parameters={})
    cursor = ConcurrentPerPartitionCursor(
        cursor_factory=ConcurrentCursorFactory(create),
        partition_router=router,
        stream_name=STREAM,
        stream_namespace=None,
        stream_state=state or {},
        message_repository=messages,
        connector_state_manager=state_manager,
        connector_state_converter=converter,
        cursor_field=field,
        use_global_cursor=use_global_cursor,
    )
    return cursor, messages


def _sync(
    cursor: ConcurrentPerPartitionCursor, on_close: Callable[[str], None] = lambda key: None
) -> None:
    """Every partition's slice read (one record each, newer for later ideas) and closed."""
    for stream_slice in cursor.stream_slices():
        idea = stream_slice.partition["idea_id"]
        record = Record(
            data={"id": f"c{idea}", "updated_at": f"2025-03-0{idea}T00:00:00.000000Z"},
            stream_name=STREAM,
            associated_slice=stream_slice,
        )
        if cursor.should_be_synced(record):
            cursor.observe(record)
        cursor.close_partition(_Partition(stream_slice))
        on_close(cursor._to_partition_key(stream_slice.partition))
    cursor.ensure_at_least_one_state_emitted()


def _states(messages: InMemoryMessageRepository) -> list[Any]:
    return [
        m.state.stream.stream_state.__dict__
        for m in messages.consume_queue()
        if m.type == Type.STATE
    ]


def test_in_global_mode_a_finished_partition_frees_its_cursor_at_once() -> None:
    cursor, _ = _make_cursor(use_global_cursor=True)
    kept: list[int] = []
    _sync(cursor, on_close=lambda key: kept.append(len(cursor._cursor_per_partition)))
    assert kept == [0] * len(IDEAS)
    assert cursor._cursor_per_partition == {}


def test_in_per_partition_mode_every_cursor_is_kept_for_the_state() -> None:
    cursor, _ = _make_cursor(use_global_cursor=False)
    _sync(cursor)
    assert len(cursor._cursor_per_partition) == len(IDEAS)
    assert [s["partition"]["idea_id"] for s in cursor.state["states"]] == IDEAS


@pytest.mark.parametrize(
    ("use_global_cursor", "switch_after"),
    [(True, None), (False, None), (False, 2)],
    ids=["global", "per-partition", "switch-to-global-mid-sync"],
)
@pytest.mark.parametrize("prior", [None, {"state": {"updated_at": "2025-03-03T00:00:00.000000Z"}}])
def test_the_state_written_is_the_same_as_without_the_eviction(
    monkeypatch: pytest.MonkeyPatch,
    use_global_cursor: bool,
    switch_after: int | None,
    prior: dict[str, Any] | None,
) -> None:
    if switch_after is not None:
        monkeypatch.setattr(ConcurrentPerPartitionCursor, "SWITCH_TO_GLOBAL_LIMIT", switch_after)
    prior_state = {**prior, "use_global_cursor": use_global_cursor} if prior else None

    def run() -> tuple[Any, list[Any], bool]:
        cursor, messages = _make_cursor(use_global_cursor, prior_state)
        _sync(cursor)
        return cursor.state, _states(messages), cursor._use_global_cursor

    patched = run()
    with monkeypatch.context() as unpatched:
        unpatched.setattr(
            ConcurrentPerPartitionCursor, "_cleanup_if_done", original_cleanup_if_done()
        )
        original = run()
    assert patched == original
    final_state, emitted, global_at_end = patched
    assert global_at_end is (use_global_cursor or switch_after is not None)
    assert emitted
    assert emitted[-1] == final_state
    assert final_state["state"] == {"updated_at": "2025-03-06T00:00:00.000000Z"}
