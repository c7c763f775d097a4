"""The bounds on what the CDK keeps per partition (`source_aha.partition_memory`): installed only
on the CDK they were written for; finished cursors freed in global mode and only there, with the
same state written; at most `MAX_PENDING_TASKS` pending tasks; rate items without requests."""

from __future__ import annotations

import hashlib
import inspect
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests
from airbyte_cdk.models import Type
from airbyte_cdk.sources.concurrent_source.concurrent_source import ConcurrentSource
from airbyte_cdk.sources.concurrent_source.thread_pool_manager import ThreadPoolManager
from airbyte_cdk.sources.connector_state_manager import ConnectorStateManager
from airbyte_cdk.sources.declarative.incremental.concurrent_partition_cursor import (
    ConcurrentCursorFactory,
    ConcurrentPerPartitionCursor,
)
from airbyte_cdk.sources.declarative.partition_routers import ListPartitionRouter
from airbyte_cdk.sources.message import InMemoryMessageRepository, NoopMessageRepository
from airbyte_cdk.sources.streams.call_rate import (
    CallRateLimitHit,
    MovingWindowCallRatePolicy,
    Rate,
)
from airbyte_cdk.sources.streams.concurrent.cursor import ConcurrentCursor, CursorField
from airbyte_cdk.sources.streams.concurrent.partition_enqueuer import PartitionEnqueuer
from airbyte_cdk.sources.streams.concurrent.state_converters.datetime_stream_state_converter import (  # noqa: E501
    CustomFormatConcurrentStreamStateConverter,
)
from airbyte_cdk.sources.types import Record, StreamSlice
from airbyte_cdk.sources.utils.slice_logger import DebugSliceLogger
from pyrate_limiter import InMemoryBucket
from pyrate_limiter.limiter import SingleBucketFactory

import source_aha  # importing the source installs the bounds
from source_aha.partition_memory import (
    MAX_PENDING_TASKS,
    RATE_ITEM_NAME,
    WRITTEN_FOR,
    bound_partition_memory,
    original,
)

# sha256 (first 16 hex digits) of `inspect.getsource` in airbyte-cdk 7.39.1 of each patched
# method and of every method whose behaviour makes the patches safe: the readers of
# `_cursor_per_partition`, and the code that creates the thread pool and waits on its limit.
# A mismatch means the CDK changed there: re-read that code, check that global mode still never
# reads a finished partition's cursor and that `PartitionEnqueuer` still waits below the limit
# (or that the CDK now bounds these itself), then update `WRITTEN_FOR` and these hashes.
RECORDED_SOURCE = {
    "ConcurrentPerPartitionCursor._cleanup_if_done": "9d8f9d97d992021e",
    "ConcurrentPerPartitionCursor.close_partition": "831948adbaddf13b",
    "ConcurrentPerPartitionCursor.observe": "d7f53085341a2a2a",
    "ConcurrentPerPartitionCursor.state": "3eb5c0b66aa26654",
    "ConcurrentPerPartitionCursor._get_cursor": "1a10bd9e090aa357",
    "ConcurrentPerPartitionCursor._generate_slices_from_partition": "32bf2aa058232fde",
    "ConcurrentPerPartitionCursor._ensure_partition_limit": "934ea4bb14b37811",
    "ConcurrentPerPartitionCursor.split_request_window": "27fe0522934d0e42",
    "ThreadPoolManager.__init__": "51377076a482abdb",
    "ThreadPoolManager.prune_to_validate_has_reached_futures_limit": "a75639045677f3d2",
    "ThreadPoolManager._prune_futures": "d0c5ce402e99ebbe",
    "ConcurrentSource.create": "bd4b10ff0212800b",
    "PartitionEnqueuer.generate_partitions": "9e0eeed9bb929fc4",
    "MovingWindowCallRatePolicy.__init__": "40b1d640bc9a7ac5",
    "MovingWindowCallRatePolicy.try_acquire": "a4b08962311f6e0b",
    # pyrate_limiter: the item's name routes nothing and counts nothing.
    "SingleBucketFactory.wrap_item": "a0922e3047ce3fbe",
    "SingleBucketFactory.get": "944c4e9e655dc86d",
    "InMemoryBucket.put": "1c6e9e8f683f1b97",
}
CLASSES = {
    c.__name__: c
    for c in (
        ConcurrentPerPartitionCursor,
        ThreadPoolManager,
        ConcurrentSource,
        PartitionEnqueuer,
        MovingWindowCallRatePolicy,
        SingleBucketFactory,
        InMemoryBucket,
    )
}

STREAM = "idea_comments"
FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
IDEAS = [str(n) for n in range(1, 7)]


def _source_hash(qualified_name: str) -> str:
    class_name, name = qualified_name.split(".")
    member = original(inspect.getattr_static(CLASSES[class_name], name))
    if isinstance(member, property):
        member = member.fget
    if isinstance(member, staticmethod):
        member = member.__func__
    return hashlib.sha256(inspect.getsource(member).encode()).hexdigest()[:16]


@pytest.mark.parametrize("name", sorted(RECORDED_SOURCE))
def test_the_cdk_code_the_patches_rely_on_is_the_code_they_were_written_against(name: str) -> None:
    assert _source_hash(name) == RECORDED_SOURCE[name], (
        f"{name} changed in the installed airbyte-cdk: re-check "
        "source_aha/partition_memory.py against it (see RECORDED_SOURCE)"
    )


def _patched() -> list[Any]:
    return [
        ConcurrentPerPartitionCursor._cleanup_if_done,
        ThreadPoolManager.__init__,
        MovingWindowCallRatePolicy.__init__,
    ]


def test_the_patches_are_installed_on_the_cdk_they_were_written_for() -> None:
    assert WRITTEN_FOR == "7.39.1"
    patched = _patched()
    for method in patched:
        assert getattr(method, "_source_aha_bounds_partition_memory", False)
    assert bound_partition_memory() is True  # a second call does not wrap twice
    assert _patched() == patched


def test_another_cdk_version_is_left_alone_with_one_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    unpatched = [original(method) for method in _patched()]
    monkeypatch.setattr(ConcurrentPerPartitionCursor, "_cleanup_if_done", unpatched[0])
    monkeypatch.setattr(ThreadPoolManager, "__init__", unpatched[1])
    monkeypatch.setattr(MovingWindowCallRatePolicy, "__init__", unpatched[2])
    with caplog.at_level(logging.WARNING, logger="airbyte"):
        assert bound_partition_memory("7.40.0") is False
    assert _patched() == unpatched
    (warning,) = [r for r in caplog.records if r.name == "airbyte"]
    assert "7.40.0" in warning.getMessage()
    assert WRITTEN_FOR in warning.getMessage()
    assert "\n" not in warning.getMessage()


# The thread pool: the CDK's default limit of 10,000 pending tasks becomes MAX_PENDING_TASKS.


def test_the_concurrent_source_s_thread_pool_waits_at_max_pending_tasks() -> None:
    source = ConcurrentSource.create(
        num_workers=2,
        initial_number_of_partitions_to_generate=1,
        logger=logging.getLogger("airbyte"),
        slice_logger=DebugSliceLogger(),
        message_repository=NoopMessageRepository(),
    )
    pool: ThreadPoolManager = source._threadpool
    release = threading.Event()
    try:
        for _ in range(MAX_PENDING_TASKS - 1):
            pool.submit(release.wait)
        assert pool.prune_to_validate_has_reached_futures_limit() is False
        pool.submit(release.wait)
        assert pool.prune_to_validate_has_reached_futures_limit() is True
    finally:
        release.set()
        pool._threadpool.shutdown(wait=True)
    # Done futures are dropped, not kept until 10,000.
    assert pool.prune_to_validate_has_reached_futures_limit() is False
    assert pool._futures == []


def test_a_limit_a_caller_chose_is_kept() -> None:
    with ThreadPoolExecutor(1) as executor:
        pool = ThreadPoolManager(executor, logging.getLogger("airbyte"), max_concurrent_tasks=42)
    assert pool._max_concurrent_tasks == 42


# The api_budget: a minute of rate items, none holding its request.


def test_the_budget_s_rate_items_do_not_hold_the_requests_and_still_limit() -> None:
    policy = MovingWindowCallRatePolicy(
        rates=[Rate(limit=2, interval=timedelta(seconds=61))], matchers=[]
    )
    request = requests.Request("GET", "https://example.aha.io/api/v1/ideas").prepare()
    policy.try_acquire(request, weight=1)
    policy.try_acquire(request, weight=1)
    assert [item.name for item in policy._bucket.items] == [RATE_ITEM_NAME] * 2
    with pytest.raises(CallRateLimitHit):
        policy.try_acquire(request, weight=1)


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
            ConcurrentPerPartitionCursor,
            "_cleanup_if_done",
            original(ConcurrentPerPartitionCursor._cleanup_if_done),
        )
        unpatched_result = run()
    assert patched == unpatched_result
    final_state, emitted, global_at_end = patched
    assert global_at_end is (use_global_cursor or switch_after is not None)
    assert emitted
    assert emitted[-1] == final_state
    assert final_state["state"] == {"updated_at": "2025-03-06T00:00:00.000000Z"}


def test_the_connector_s_own_thread_pool_gets_the_bound() -> None:
    source = source_aha.SourceAha(config={"api_key": "key", "subdomain": "example"})
    assert source._concurrent_source._threadpool._max_concurrent_tasks == MAX_PENDING_TASKS
