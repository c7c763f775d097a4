"""The fixes for CDK and interpreter defects in `components.py`. Each test runs the CDK's own code
with the fix in place and asserts the behaviour the fix exists for, so it fails when the CDK
changes under a fix (and the fix, finding nothing to hook, does nothing): finished cursors freed
in global mode and only there, with the same state written; at most `MAX_PENDING_TASKS` pending
tasks, also in a pool built before the fix; rate items without requests; a retried parent page
not served from the cache; `ast.literal_eval` serialized where CPython races."""

from __future__ import annotations

import ast
import logging
import sys
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
from airbyte_cdk.sources.streams.concurrent.state_converters.datetime_stream_state_converter import (  # noqa: E501
    CustomFormatConcurrentStreamStateConverter,
)
from airbyte_cdk.sources.streams.http.http_client import HttpClient
from airbyte_cdk.sources.types import Record, StreamSlice
from airbyte_cdk.sources.utils.slice_logger import DebugSliceLogger

import source_aha  # importing the source (or the components alone) installs the fixes
from source_aha import components
from source_aha.components import (
    LITERAL_EVAL_FIXED_IN,
    MAX_PENDING_TASKS,
    RATE_ITEM_NAME,
    is_usable_answer,
    serialize_literal_eval,
)

FIXES = (
    components.keep_retried_answers_out_of_the_cache,
    components.free_finished_partition_cursors,
    components.bound_pending_tasks,
    components.keep_requests_out_of_the_budget,
)


def original(method: Callable[..., object]) -> Callable[..., object]:
    """The CDK's own version of a method, whether or not a fix wraps it."""
    unwrapped: Callable[..., object] = getattr(method, "__wrapped__", method)
    return unwrapped


@pytest.mark.parametrize("fix", FIXES, ids=lambda fix: fix.__name__)
def test_each_fix_finds_the_cdk_code_it_hooks_and_installs_once(fix: Callable[[], bool]) -> None:
    # False (with one warning) would mean the CDK moved that code: re-read the fix against it.
    assert fix() is True
    assert fix() is True


STREAM = "idea_comments"
FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
IDEAS = [str(n) for n in range(1, 7)]


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
    _assert_waits_at_max_pending_tasks(pool)


def test_a_pool_built_before_the_fix_was_installed_gets_the_bound_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Local (image) mode imports the components after the source has built its thread pool.
    monkeypatch.delattr(ThreadPoolManager, "_max_concurrent_tasks")
    with ThreadPoolExecutor(1) as executor:
        pool = ThreadPoolManager(executor, logging.getLogger("airbyte"))
        assert pool._max_concurrent_tasks == ThreadPoolManager.DEFAULT_MAX_QUEUE_SIZE
        assert components.bound_pending_tasks() is True
        assert pool._max_concurrent_tasks == MAX_PENDING_TASKS


def _assert_waits_at_max_pending_tasks(pool: ThreadPoolManager) -> None:
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


# The request cache: what a parent stream's cached session may keep.


def test_every_cached_session_of_a_parent_stream_filters_what_it_saves() -> None:
    client = HttpClient(name="ideas", logger=logging.getLogger("test"), use_cache=True)

    assert client._session.settings.filter_fn is is_usable_answer


def test_a_filter_the_cdk_sets_itself_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    def the_cdk_s_own(response: requests.Response) -> bool:
        return True

    factory = original(HttpClient._request_session)

    def with_a_filter(self: HttpClient) -> requests.Session:
        session = factory(self)
        session.settings.filter_fn = the_cdk_s_own  # type: ignore[attr-defined]
        return session

    monkeypatch.setattr(HttpClient, "_request_session", with_a_filter)
    assert components.keep_retried_answers_out_of_the_cache() is True
    client = HttpClient(name="ideas", logger=logging.getLogger("test"), use_cache=True)

    assert client._session.settings.filter_fn is the_cdk_s_own


@pytest.mark.parametrize(
    ("content_type", "body", "usable"),
    [
        pytest.param("application/json", b'{"ideas": []}', True, id="json_page"),
        pytest.param("application/json", b'{"ideas": [{"id', False, id="truncated"),
        pytest.param("application/json", b"", False, id="empty"),
        pytest.param("application/json", b"{}", False, id="empty_object"),
        pytest.param("text/html", b"<html></html>", False, id="html"),
    ],
)
def test_only_answers_the_handler_accepts_are_cached(
    content_type: str, body: bytes, usable: bool
) -> None:
    response = requests.Response()
    response.status_code, response._content = 200, body
    response.headers["Content-Type"] = content_type

    assert is_usable_answer(response) is usable


# CPython's concurrent `ast.literal_eval` race (python/cpython#106905).


def test_the_literal_eval_guard_is_installed_exactly_on_interpreters_with_the_race() -> None:
    affected = tuple(sys.version_info[:3]) < LITERAL_EVAL_FIXED_IN
    assert getattr(ast.literal_eval, "_source_aha_fix", False) is affected
    assert serialize_literal_eval() is affected  # a second call does not wrap twice


@pytest.mark.parametrize("version", [(3, 11, 8), (3, 12, 0), (3, 13, 1)])
def test_fixed_interpreters_are_left_alone(version: tuple[int, int, int]) -> None:
    before = ast.literal_eval
    assert serialize_literal_eval(version) is False
    assert ast.literal_eval is before


def test_the_guarded_literal_eval_evaluates_and_fails_like_the_original(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ast, "literal_eval", ast.literal_eval)  # restored after the test
    serialize_literal_eval((3, 11, 7))
    assert getattr(ast.literal_eval, "_source_aha_fix", False)

    assert ast.literal_eval("[1, 'a', {'b': None}]") == [1, "a", {"b": None}]
    assert ast.literal_eval("12345678901234567890") == 12345678901234567890
    with pytest.raises(ValueError, match="malformed node"):
        ast.literal_eval("open('x')")
    with pytest.raises(SyntaxError):
        ast.literal_eval("2024-01-01T00:00:00Z")
