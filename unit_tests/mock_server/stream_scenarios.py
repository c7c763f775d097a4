"""The scenario matrix shared by the list streams, written once and run for every stream.

A stream's module (`test_<stream>.py`) describes its endpoint in a `StreamCase` and mixes the
scenario sets that apply to it into one `TestCase`:

- `ListStreamScenarios` (every stream): one page, two pages (page 2 asked for, page 1 once), an
  empty list, 401 -> config error, 429 then 200 -> records.
- `FanOutScenarios` (per-idea and per-product streams): one request per parent, the parent id on
  each record, no request without parents.
- `ServerSideIncrementalScenarios`: the state is the most recent cursor, and an incoming state is
  sent as `updated_since`.
- `ClientSideIncrementalScenarios`: the state is the most recent cursor, records older than an
  incoming state are dropped, and `updated_since` is never sent.
- `PlanFeatureScenarios` (streams of a higher Aha! plan): 403 -> no records, no error, one WARN
  naming the plan feature and the stream; a stream read in the same sync is still read.
- `FullRefreshOnlyScenarios` (rows without `updated_at`): a second sync emits the same records.
- `StartDateScenarios` (server-side incremental): `start_date` is sent as `updated_since` without
  a state, and a later state wins over it.
- `IdeaSelectionScenarios` (`ideas` and the streams read idea by idea from a copy of it): the idea
  filters and `max_ideas` are sent, and only the ideas they select are read, or asked for.
- `ZeroCountSkipScenarios` (a parent copy of `ideas` that skips ideas whose `count_field` is 0):
  no request for those ideas.
- `NestedIdeaRemovedScenarios` (votes): the nested `idea` object is removed and `idea_id` kept,
  the partition's id winning over the row's on a per-idea read.
- `InvalidJsonRetryScenarios`: a 200 whose JSON is cut off is retried, then the records are read.

The test ids name both: `test_<stream>.py::<Stream>Test::test_given_<scenario>...`.
`HttpMocker` matches query parameters exactly, so every mocked request also asserts what is sent
(the `fields` list, `per_page`, and `updated_since` or its absence).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, ClassVar

import freezegun
import requests_mock
from airbyte_cdk.models import AirbyteStreamStatus, FailureType, Level, SyncMode
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput, discover
from airbyte_cdk.test.mock_http import HttpMocker, HttpResponse
from airbyte_cdk.test.mock_http.matcher import HttpRequestMatcher
from airbyte_cdk.test.mock_http.mocker import SupportedHttpMethods
from airbyte_cdk.test.mock_http.response_builder import FieldPath, RecordBuilder, find_template
from airbyte_cdk.test.state_builder import StateBuilder
from jsonschema import Draft7Validator

from testkit.resources import of_stream
from unit_tests.conftest import get_source, read_stream, read_streams
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.request_builder import AhaRequestBuilder, aha_timestamp
from unit_tests.mock_server.response_builder import (
    JSON_HEADERS,
    RECORDS_FIELDS,
    a_product,
    a_record_of,
    a_response_of,
    a_response_with_status,
    aha_datetime,
    products_response,
)

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)
A_CURSOR = datetime(2024, 5, 1, 8, 30, tzinfo=timezone.utc)
A_START_DATE = "2024-01-01T00:00:00Z"
_PARENT_UPDATED_AT = datetime(2024, 4, 2, 10, 0, tzinfo=timezone.utc)
# A full-refresh-only stream read next to a plan-feature stream in one sync.
_COMPANION_STREAM = "idea_portals"

SERVER_SIDE = "server_side"
CLIENT_SIDE = "client_side"


@dataclass(frozen=True)
class Parent:
    """The stream whose records a per-idea or per-product stream fans out over."""

    name: str
    partition_field: str
    endpoint: Callable[[], AhaRequestBuilder]
    ids: tuple[str, str]
    has_cursor: bool = True  # False: the parent's rows have no `updated_at` (ideas portals)


IDEAS_PARENT = Parent("ideas", "idea_id", AhaRequestBuilder.ideas_endpoint, ("1001", "1002"))
# The workflow status of the `ideas` template's rows, so a filter on it keeps them.
TEMPLATE_IDEAS_STATUS = "New"
# `ideas` asked for the ideas in that status, as a per-idea read with that filter asks.
IDEAS_IN_STATUS_PARENT = Parent(
    "ideas",
    "idea_id",
    lambda: AhaRequestBuilder.ideas_endpoint().with_workflow_status(TEMPLATE_IDEAS_STATUS),
    IDEAS_PARENT.ids,
)
PRODUCTS_PARENT = Parent(
    "products", "product_id", AhaRequestBuilder.all_products_endpoint, ("130841236", "131108696")
)


def mock_an_old_and_a_recent_product(http_mocker: HttpMocker) -> tuple[str, str]:
    """Serves `PRODUCTS_PARENT`'s two products, one updated in 2022 and one in 2024 (either
    side of a 2024-01-01 `start_date`), and returns their ids, oldest first."""
    old, recent = PRODUCTS_PARENT.ids
    http_mocker.get(
        AhaRequestBuilder.all_products_endpoint().build(),
        products_response()
        .with_records(
            a_product()
            .with_id(old)
            .with_cursor(aha_datetime(datetime(2022, 3, 1, tzinfo=timezone.utc))),
            a_product()
            .with_id(recent)
            .with_cursor(aha_datetime(datetime(2024, 5, 1, tzinfo=timezone.utc))),
        )
        .build(),
    )
    return old, recent


@dataclass(frozen=True)
class StreamCase:
    """One stream: its endpoint and which scenarios' expectations apply.

    Attributes:
        name: the stream, also the name of its response template.
        endpoint: the request builder for the first page (given the parent id for a child);
            by default the manifest's definition of the stream, `AhaRequestBuilder.endpoint`.
        parent: the parent a child stream fans out over.
        incremental: `SERVER_SIDE`, `CLIENT_SIDE`, or None for a full-refresh-only stream.
        global_cursor: the state is `{"use_global_cursor": true, "state": {...}, ...}`.
        parent_state: the state also carries the parent's cursor (incremental dependency).
        parent_id_in_rows: the rows name their parent themselves (`product_id` on releases), so
            the connector adds nothing; otherwise it adds the parent id from the partition.
        plan_feature: the plan feature named in the warning on a 403.
        config: the config the stream's scenarios read with (the default one unless a setting
            changes how the stream is read, as an idea filter does for proxy votes).
        count_field: the parent is a copy of `ideas` that skips ideas whose `count_field` is 0.
        cursor_field: the records' cursor (`created_at` where rows are never edited).
    """

    name: str
    endpoint: Callable[..., AhaRequestBuilder] | None = None
    parent: Parent | None = None
    incremental: str | None = None
    global_cursor: bool = False
    parent_state: bool = False
    parent_id_in_rows: bool = False
    plan_feature: str | None = None
    config: Callable[[], ConfigBuilder] = ConfigBuilder
    count_field: str | None = None
    cursor_field: str = "updated_at"


def per_idea_case(
    name: str,
    endpoint: Callable[[str], AhaRequestBuilder] | None = None,
    parent: Parent = IDEAS_PARENT,
    **options: Any,
) -> StreamCase:
    """A stream read idea by idea: client-side incremental under one global cursor that keeps the
    parent's (`incremental_dependency`)."""
    return StreamCase(
        name,
        endpoint,
        parent=parent,
        incremental=CLIENT_SIDE,
        global_cursor=True,
        parent_state=True,
        **options,
    )


@functools.cache
def stream_schemas() -> dict[str, dict[str, Any]]:
    """The JSON schema of every stream, as discover announces it (opt-in streams included)."""
    config = ConfigBuilder().with_idea_subscriptions().build()
    catalog = discover(get_source(config), config).catalog.catalog
    return {stream.name: stream.json_schema for stream in catalog.streams}


def with_http_mocker(test: Callable[..., None]) -> Callable[..., None]:
    """`@HttpMocker()` with a fresh mocker on every call: the scenarios run once per stream, and
    one decorator instance would pile every stream's matchers up. A stream with custom field
    columns may also ask for the definitions (`given_custom_field_definitions`)."""

    @functools.wraps(test)
    def run(self: Any) -> None:
        def with_definitions(*args: Any, http_mocker: HttpMocker) -> None:
            if getattr(getattr(self, "case", None), "name", None) in CUSTOM_FIELD_STREAMS:
                given_custom_field_definitions(http_mocker)
            test(*args, http_mocker=http_mocker)

        HttpMocker()(with_definitions)(self)

    return run


# The streams with a column per custom field definition.
CUSTOM_FIELD_STREAMS = frozenset({"ideas", "features", "epics", "initiatives"})


def given_custom_field_definitions(http_mocker: HttpMocker) -> None:
    """Answers `GET /custom_field_definitions` (the template) as often as it is asked, never too.

    The CDK announces a stream with its schema when it starts reading it, so a read of a stream
    with custom field columns asks for the definitions once, unless the CDK's process-wide
    requests cache (which the schema loader uses) still holds them from an earlier test.
    `HttpMocker.get` would demand exactly one call; this matcher demands none.
    """
    request = AhaRequestBuilder.endpoint("custom_field_definitions").build()
    matcher = HttpRequestMatcher(request, 0)
    http_mocker._matchers[SupportedHttpMethods.GET].append(matcher)
    http_mocker._mocker.get(
        requests_mock.ANY,
        additional_matcher=http_mocker._matches_wrapper(matcher),
        text=json.dumps(find_template("custom_field_definitions", __file__)),
        headers=JSON_HEADERS,
    )


# Ids as strings: a workflow's id is a JSON number.
def record_ids(output: EntrypointOutput) -> list[str]:
    return sorted(str(message.record.data["id"]) for message in output.records)


def ids_in_order(output: EntrypointOutput) -> list[str]:
    """The record ids as emitted."""
    return [str(message.record.data["id"]) for message in output.records]


def record_to_parent(output: EntrypointOutput, partition_field: str) -> dict[str, str]:
    return {str(m.record.data["id"]): m.record.data[partition_field] for m in output.records}


def an_idea_with(idea_id: str, **fields: Any) -> RecordBuilder:
    """An `ideas` row (the template's, so in `TEMPLATE_IDEAS_STATUS`) with some fields set."""
    record = a_record_of("ideas").with_id(idea_id).with_cursor(aha_datetime(A_CURSOR))
    for name, value in fields.items():
        record = record.with_field(FieldPath(name), value)
    return record


def a_workflow_status(status_id: str, name: str) -> dict[str, Any]:
    return {"id": status_id, "name": name, "position": 2, "complete": False}


def stream_state(
    case: StreamCase, cursor: datetime, parent_cursor: datetime | None = None
) -> list[Any]:
    """The state a previous sync of `case` left: its cursor, under the global cursor (with the
    parent's) where the case has one."""
    value: dict[str, Any] = {case.cursor_field: aha_timestamp(cursor)}
    if case.global_cursor:
        parent_state = {}
        if case.parent_state and case.parent and parent_cursor:
            parent_state = {case.parent.name: {"updated_at": aha_timestamp(parent_cursor)}}
        value = {
            "use_global_cursor": True,
            "state": value,
            "lookback_window": 0,
            "parent_state": parent_state,
        }
    return StateBuilder().with_stream_state(case.name, value).build()


def warnings(output: EntrypointOutput) -> list[str]:
    return [message.log.message for message in output.logs if message.log.level == Level.WARN]


class StreamScenarios:
    """What every scenario set uses: the case's requests, records, pages, reads and states."""

    case: ClassVar[StreamCase]

    def setUp(self) -> None:
        freezer = freezegun.freeze_time(NOW)
        freezer.start()
        self.addCleanup(freezer.stop)  # type: ignore[attr-defined]

    # Requests and responses
    def request(self, parent_id: str | None = None) -> AhaRequestBuilder:
        endpoint = self.case.endpoint or functools.partial(
            AhaRequestBuilder.endpoint, of_stream(self.case.name).definition
        )
        if self.case.parent is None:
            return endpoint()
        return endpoint(parent_id or self.case.parent.ids[0])

    def record(self, record_id: str, updated_at: datetime = A_CURSOR) -> RecordBuilder:
        has_cursor = self.case.incremental is not None
        record = a_record_of(self.case.name, has_cursor, self.case.cursor_field).with_id(record_id)
        return record.with_cursor(aha_datetime(updated_at)) if has_cursor else record

    def page(self, *records: RecordBuilder, page: int = 1, total_pages: int = 1) -> HttpResponse:
        response = a_response_of(self.case.name).with_records(*records)
        return response.with_page(page, total_pages).build()

    def given_parents(
        self,
        http_mocker: HttpMocker,
        *parent_ids: str,
        updated_since: datetime | None = None,
        updated_at: datetime = _PARENT_UPDATED_AT,
    ) -> None:
        """Mocks the parent list (nothing for a stream without parent); the first parent when no
        id is given."""
        parent = self.case.parent
        if parent is None:
            return
        request = parent.endpoint()
        if updated_since is not None:
            request = request.with_updated_since(updated_since)
        records = (
            a_record_of(parent.name).with_id(parent_id).with_cursor(aha_datetime(updated_at))
            if parent.has_cursor
            else a_record_of(parent.name, with_cursor=False).with_id(parent_id)
            for parent_id in (parent_ids or parent.ids[:1])
        )
        response = a_response_of(parent.name).with_records(*records)
        http_mocker.get(request.build(), response.with_page(1, 1).build())

    # Reads
    def read(
        self,
        sync_mode: SyncMode = SyncMode.full_refresh,
        state: list[Any] | None = None,
        config: dict[str, Any] | None = None,
        expecting_exception: bool = False,
    ) -> EntrypointOutput:
        return read_stream(
            self.case.name,
            sync_mode,
            config or self.case.config().build(),
            state,
            expecting_exception=expecting_exception,
        )

    # States
    def incoming_state(self, cursor: datetime, parent_cursor: datetime | None = None) -> list[Any]:
        return stream_state(self.case, cursor, parent_cursor)

    def emitted_cursor(self, output: EntrypointOutput) -> str:
        """The cursor of the last state; the state (or its global `state`) holds nothing else."""
        assert output.most_recent_state is not None
        state = output.most_recent_state.stream_state.__dict__
        cursor = state["state"] if self.case.global_cursor else state
        assert list(cursor) == [self.case.cursor_field], state
        cursor_value: str = cursor[self.case.cursor_field]
        return cursor_value

    def emitted_parent_state(self, output: EntrypointOutput) -> dict[str, Any]:
        assert output.most_recent_state is not None
        return output.most_recent_state.stream_state.__dict__["parent_state"]

    # Scenarios more than one set runs
    def assert_retried_then_read(self, http_mocker: HttpMocker, first_answer: HttpResponse) -> None:
        """After `first_answer`, the page is asked again, and its record read without error."""
        self.given_parents(http_mocker)
        request = self.request().build()
        http_mocker.get(request, [first_answer, self.page(self.record("7001"))])

        output = self.read()

        assert record_ids(output) == ["7001"]
        assert not output.errors
        http_mocker.assert_number_of_calls(request, 2)

    def assert_state_cursor_sent_and_moved_on(
        self, http_mocker: HttpMocker, state: list[Any], config: dict[str, Any] | None = None
    ) -> None:
        """Read from `state`, whose cursor is `A_CURSOR`: it is sent as `updated_since` (to every
        parent's endpoint), and the state moves on to the newer records' cursor."""
        newer = datetime(2024, 5, 25, tzinfo=timezone.utc)
        parent_ids = self.case.parent.ids if self.case.parent else (None,)
        self.given_parents(http_mocker, *(i for i in parent_ids if i))
        for n, parent_id in enumerate(parent_ids):
            http_mocker.get(
                self.request(parent_id).with_updated_since(A_CURSOR).build(),
                self.page(self.record(f"700{n + 1}", newer)),
            )

        output = self.read(SyncMode.incremental, state, config)

        assert record_ids(output) == [f"700{n + 1}" for n in range(len(parent_ids))]
        assert self.emitted_cursor(output) == aha_timestamp(newer)
        assert not output.errors

    # Assertions
    def assert_records_match_the_schema(self, output: EntrypointOutput) -> None:
        validator = Draft7Validator(stream_schemas()[self.case.name])
        for message in output.records:
            errors = [error.message for error in validator.iter_errors(message.record.data)]
            assert not errors, f"{self.case.name} record {message.record.data['id']}: {errors}"


class ListStreamScenarios(StreamScenarios):
    @with_http_mocker
    def test_given_one_page_when_read_then_return_records_matching_the_schema(
        self, http_mocker: HttpMocker
    ) -> None:
        self.given_parents(http_mocker)
        http_mocker.get(self.request().build(), self.page(self.record("7001"), self.record("7002")))

        output = self.read()

        assert ids_in_order(output) == ["7001", "7002"]
        assert all(message.record.stream == self.case.name for message in output.records)
        self.assert_records_match_the_schema(output)
        assert not output.errors

    @with_http_mocker
    def test_given_two_pages_when_read_then_request_page_2_and_page_1_once(
        self, http_mocker: HttpMocker
    ) -> None:
        self.given_parents(http_mocker)
        first_page = self.request().build()
        http_mocker.get(first_page, self.page(self.record("7001"), page=1, total_pages=2))
        http_mocker.get(
            self.request().with_page(2).build(),
            self.page(self.record("7002"), page=2, total_pages=2),
        )

        output = self.read()

        assert ids_in_order(output) == ["7001", "7002"]
        http_mocker.assert_number_of_calls(first_page, 1)

    @with_http_mocker
    def test_given_no_records_when_read_then_no_records_and_no_error(
        self, http_mocker: HttpMocker
    ) -> None:
        # Aha!'s empty list: `total_pages` 0 on `current_page` 1.
        self.given_parents(http_mocker)
        http_mocker.get(self.request().build(), self.page(total_pages=0))

        output = self.read()

        assert output.records == []
        assert not output.errors

    @with_http_mocker
    def test_given_http_status_401_when_read_then_config_error(
        self, http_mocker: HttpMocker
    ) -> None:
        self.given_parents(http_mocker)
        http_mocker.get(self.request().build(), a_response_with_status(401))

        output = self.read(expecting_exception=True)

        assert output.records == []
        error = output.errors[-1].trace.error
        assert error.failure_type == FailureType.config_error
        assert "test-api-key" not in error.message

    @with_http_mocker
    def test_given_http_status_429_then_200_when_read_then_return_records(
        self, http_mocker: HttpMocker
    ) -> None:
        self.assert_retried_then_read(
            http_mocker, a_response_with_status(429, {"Retry-After": "1"})
        )


class FanOutScenarios(StreamScenarios):
    @with_http_mocker
    def test_given_two_parents_when_read_then_records_of_each_carry_their_parent_id(
        self, http_mocker: HttpMocker
    ) -> None:
        parent = self.case.parent
        assert parent is not None
        first, second = parent.ids
        self.given_parents(http_mocker, first, second)

        def record(record_id: str, parent_id: str) -> RecordBuilder:
            if not self.case.parent_id_in_rows:
                return self.record(record_id)  # the template has no parent id: it is added
            return self.record(record_id).with_field(FieldPath(parent.partition_field), parent_id)

        http_mocker.get(
            self.request(first).build(),
            self.page(record("7001", first), record("7002", first)),
        )
        http_mocker.get(self.request(second).build(), self.page(record("7003", second)))

        output = self.read()

        assert record_to_parent(output, parent.partition_field) == {
            "7001": first,
            "7002": first,
            "7003": second,
        }
        assert not output.errors

    @with_http_mocker
    def test_given_no_parents_when_read_then_no_request_and_no_records(
        self, http_mocker: HttpMocker
    ) -> None:
        # Only the parent list is mocked: a child request would fail the read.
        parent = self.case.parent
        assert parent is not None
        http_mocker.get(
            parent.endpoint().build(), a_response_of(parent.name).with_page(1, 0).build()
        )

        output = self.read()

        assert output.records == []
        assert not output.errors


class _IncrementalScenarios(StreamScenarios):
    @with_http_mocker
    def test_given_no_state_when_read_then_state_is_most_recent_cursor(
        self, http_mocker: HttpMocker
    ) -> None:
        latest = datetime(2024, 5, 20, 9, 15, 30, 123000, tzinfo=timezone.utc)
        self.given_parents(http_mocker)
        http_mocker.get(
            self.request().build(),
            self.page(
                self.record("7001", datetime(2024, 5, 2, tzinfo=timezone.utc)),
                self.record("7002", latest),
                self.record("7003", datetime(2024, 5, 3, tzinfo=timezone.utc)),
            ),
        )

        output = self.read(SyncMode.incremental, [])

        assert record_ids(output) == ["7001", "7002", "7003"]
        assert self.emitted_cursor(output) == aha_timestamp(latest)
        if self.case.parent_state and self.case.parent:
            assert self.emitted_parent_state(output) == {
                self.case.parent.name: {"updated_at": aha_timestamp(_PARENT_UPDATED_AT)}
            }


class ServerSideIncrementalScenarios(_IncrementalScenarios):
    @with_http_mocker
    def test_given_state_when_read_then_updated_since_is_the_state_cursor_and_state_moves_on(
        self, http_mocker: HttpMocker
    ) -> None:
        self.assert_state_cursor_sent_and_moved_on(http_mocker, self.incoming_state(A_CURSOR))


class ClientSideIncrementalScenarios(_IncrementalScenarios):
    @with_http_mocker
    def test_given_state_when_read_then_older_records_dropped_and_no_updated_since_sent(
        self, http_mocker: HttpMocker
    ) -> None:
        # The endpoint takes no date filter: the exact-match mock fails on any `updated_since`.
        parent_cursor = datetime(2024, 4, 1, tzinfo=timezone.utc)
        older = datetime(2024, 4, 20, tzinfo=timezone.utc)
        newer = datetime(2024, 5, 15, tzinfo=timezone.utc)
        self.given_parents(
            http_mocker, updated_since=parent_cursor if self.case.parent_state else None
        )
        http_mocker.get(
            self.request().build(),
            self.page(self.record("7001", older), self.record("7002", newer)),
        )

        output = self.read(SyncMode.incremental, self.incoming_state(A_CURSOR, parent_cursor))

        assert record_ids(output) == ["7002"]
        assert self.emitted_cursor(output) == aha_timestamp(newer)
        if self.case.parent_state and self.case.parent:  # the parent's cursor moves on too
            assert self.emitted_parent_state(output) == {
                self.case.parent.name: {"updated_at": aha_timestamp(_PARENT_UPDATED_AT)}
            }
        assert not output.errors


class PlanFeatureScenarios(StreamScenarios):
    def given_forbidden(self, http_mocker: HttpMocker) -> list[Any]:
        """Every request of the stream answers 403; returns those requests."""
        parent_ids = self.case.parent.ids if self.case.parent else (None,)
        self.given_parents(http_mocker, *(i for i in parent_ids if i))
        requests = [self.request(parent_id).build() for parent_id in parent_ids]
        for request in requests:
            http_mocker.get(request, a_response_with_status(403))
        return requests

    def assert_skipped_with_one_warning(self, output: EntrypointOutput) -> None:
        assert not output.errors
        assert output.get_stream_statuses(self.case.name)[-1] == AirbyteStreamStatus.COMPLETE
        [warning] = warnings(output)  # once per stream, even over several products
        assert self.case.plan_feature is not None
        assert self.case.plan_feature in warning
        assert self.case.name in warning

    @with_http_mocker
    def test_given_http_status_403_when_read_then_no_records_no_error_and_one_warning(
        self, http_mocker: HttpMocker
    ) -> None:
        requests = self.given_forbidden(http_mocker)

        output = self.read()

        assert output.records == []
        self.assert_skipped_with_one_warning(output)
        for request in requests:  # a 403 is not retried
            http_mocker.assert_number_of_calls(request, 1)

    @with_http_mocker
    def test_given_http_status_403_when_read_with_another_stream_then_the_other_is_read(
        self, http_mocker: HttpMocker
    ) -> None:
        self.given_forbidden(http_mocker)
        http_mocker.get(
            AhaRequestBuilder.idea_portals_endpoint().build(),
            a_response_of(_COMPANION_STREAM)
            .with_records(a_record_of(_COMPANION_STREAM, with_cursor=False).with_id("9001"))
            .build(),
        )

        output = read_streams(
            [self.case.name, _COMPANION_STREAM], SyncMode.full_refresh, ConfigBuilder().build()
        )

        assert [(m.record.stream, m.record.data["id"]) for m in output.records] == [
            (_COMPANION_STREAM, "9001")
        ]
        self.assert_skipped_with_one_warning(output)
        assert output.get_stream_statuses(_COMPANION_STREAM)[-1] == AirbyteStreamStatus.COMPLETE


class FullRefreshOnlyScenarios(StreamScenarios):
    @with_http_mocker
    def test_given_two_syncs_when_read_then_the_second_emits_the_same_records(
        self, http_mocker: HttpMocker
    ) -> None:
        self.given_parents(http_mocker)
        request = self.request().build()
        http_mocker.get(request, self.page(self.record("7001"), self.record("7002")))

        first = self.read()
        # The second sync gets whatever state the first one left.
        state = (
            StateBuilder()
            .with_stream_state(self.case.name, first.most_recent_state.stream_state.__dict__)
            .build()
            if first.most_recent_state
            else None
        )
        second = self.read(state=state)

        assert record_ids(first) == ["7001", "7002"]
        assert [m.record.data for m in second.records] == [m.record.data for m in first.records]
        http_mocker.assert_number_of_calls(request, 2)


class StartDateScenarios(StreamScenarios):
    """Server-side incremental streams without a parent."""

    @with_http_mocker
    def test_given_start_date_and_no_state_when_read_then_updated_since_is_the_start_date(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(
            self.request().with_updated_since(datetime(2024, 1, 1, tzinfo=timezone.utc)).build(),
            self.page(self.record("7001")),
        )

        output = self.read(
            SyncMode.incremental, config=self.case.config().with_start_date(A_START_DATE).build()
        )

        assert record_ids(output) == ["7001"]
        assert not output.errors

    @with_http_mocker
    def test_given_start_date_and_a_later_state_when_read_then_updated_since_is_the_state_cursor(
        self, http_mocker: HttpMocker
    ) -> None:
        config = self.case.config().with_start_date(A_START_DATE).build()
        self.assert_state_cursor_sent_and_moved_on(
            http_mocker, self.incoming_state(A_CURSOR), config
        )


# The idea filters: each selects ideas 1001 and 1003 of `_selectable_ideas()` (1002 is neither in
# the status nor named with every word): the status by name (in any case) or by id, `ideas_q` or
# its alias `q` by every word of the idea's name (in any case and order).
_STATUS_NAME = ("ideas_workflow_status", "workflow_status", "Under consideration")
_STATUS_ID = ("ideas_workflow_status", "workflow_status", "3259217")
_WORDS = ("ideas_q", "q", "dark mode")
_WORDS_ALIAS = ("q", "q", "dark mode")


def _selectable_ideas() -> list[RecordBuilder]:
    under_consideration = a_workflow_status("3259217", "Under consideration")
    lower_case = a_workflow_status("3259217", "under consideration")
    shipped = a_workflow_status("3259218", "Shipped")
    return [
        an_idea_with("1001", name="Dark mode for reports", workflow_status=under_consideration),
        an_idea_with("1002", name="Dark theme", workflow_status=shipped),
        an_idea_with("1003", name="A mode that is DARK", workflow_status=lower_case),
    ]


def _selects(idea_filter: tuple[str, str, str]) -> Callable[[Any], None]:
    """The scenario of one idea filter: `(setting, request parameter, value)`. The request asks
    for exactly that parameter; only ideas 1001 and 1003 are read."""
    setting, parameter, value = idea_filter

    @with_http_mocker
    def test(self: IdeaSelectionScenarios, http_mocker: HttpMocker) -> None:
        def request() -> AhaRequestBuilder:
            ideas = AhaRequestBuilder.ideas_endpoint()
            return ideas.with_q(value) if parameter == "q" else ideas.with_workflow_status(value)

        self.given_ideas(http_mocker, request, _selectable_ideas())
        self.given_records_of(http_mocker, "1001", "1003")

        output = self.read(config={**ConfigBuilder().build(), setting: value})

        self.assert_read_the_ideas(output, "1001", "1003")

    return test


class IdeaSelectionScenarios(StreamScenarios):
    """`ideas_workflow_status`, `ideas_q` (or its alias `q`) and `max_ideas` select ideas: Aha! is
    sent the filter, and only the selected ideas are read. For `ideas` (no parent) those are the
    records, in order; a stream read idea by idea (`parent` `ideas`, with a `count_field`) asks for
    the records of the selected ideas only, one record each here: a request for another idea is
    not mocked and would fail the read."""

    def given_ideas(
        self,
        http_mocker: HttpMocker,
        request: Callable[[], AhaRequestBuilder],
        *pages: list[RecordBuilder],
        total_pages: int | None = None,
    ) -> None:
        """`ideas` answers `request` with `pages` (page n asked with `page=n` after the first)."""
        for number, ideas in enumerate(pages, start=1):
            page_request = request() if number == 1 else request().with_page(number)
            response = a_response_of("ideas").with_records(*ideas)
            http_mocker.get(
                page_request.build(),
                response.with_page(number, total_pages or len(pages)).build(),
            )

    def given_records_of(self, http_mocker: HttpMocker, *idea_ids: str) -> None:
        """One record of the stream for each idea (`r<idea id>`); none for `ideas` itself."""
        if self.case.parent is None:
            return
        for idea_id in idea_ids:
            http_mocker.get(self.request(idea_id).build(), self.page(self.record(f"r{idea_id}")))

    def assert_read_the_ideas(self, output: EntrypointOutput, *idea_ids: str) -> None:
        """The ideas themselves in order, or each idea's record carrying its idea's id."""
        if self.case.parent is None:
            assert ids_in_order(output) == list(idea_ids)
        else:
            assert record_to_parent(output, self.case.parent.partition_field) == {
                f"r{idea_id}": idea_id for idea_id in idea_ids
            }
        assert not output.errors

    test_given_workflow_status_name_when_read_then_only_ideas_in_it = _selects(_STATUS_NAME)
    test_given_workflow_status_id_when_read_then_only_ideas_in_it = _selects(_STATUS_ID)
    test_given_ideas_q_when_read_then_only_ideas_named_with_every_word = _selects(_WORDS)
    test_given_alias_q_when_read_then_only_ideas_named_with_every_word = _selects(_WORDS_ALIAS)

    @with_http_mocker
    def test_given_max_ideas_below_page_size_when_read_then_one_page_of_exactly_max_ideas(
        self, http_mocker: HttpMocker
    ) -> None:
        # Aha! reports more pages; none is requested once 3 ideas are read.
        self.given_ideas(
            http_mocker,
            lambda: AhaRequestBuilder.ideas_endpoint().with_per_page(3),
            [an_idea_with(f"{1001 + n}") for n in range(3)],
            total_pages=5,
        )
        self.given_records_of(http_mocker, "1001", "1002", "1003")

        output = self.read(config=ConfigBuilder().with_max_ideas(3).build())

        self.assert_read_the_ideas(output, "1001", "1002", "1003")

    @with_http_mocker
    def test_given_max_ideas_250_when_read_then_two_pages_and_exactly_the_first_250_ideas(
        self, http_mocker: HttpMocker
    ) -> None:
        # Page 3 is never asked. Read idea by idea, only ideas 0, 249 and 250 have records (a
        # `count_field` above 0); 250 is past the limit, so only 0 and 249 are asked.
        with_records = {"0", "249", "250"}

        def idea(n: int) -> RecordBuilder:
            if self.case.count_field is None:
                return an_idea_with(str(n))
            return an_idea_with(str(n), **{self.case.count_field: int(str(n) in with_records)})

        self.given_ideas(
            http_mocker,
            AhaRequestBuilder.ideas_endpoint,
            [idea(n) for n in range(200)],
            [idea(n) for n in range(200, 400)],
            total_pages=3,
        )
        self.given_records_of(http_mocker, "0", "249")

        output = self.read(config=ConfigBuilder().with_max_ideas(250).build())

        if self.case.parent is None:
            self.assert_read_the_ideas(output, *(str(n) for n in range(250)))
        else:
            self.assert_read_the_ideas(output, "0", "249")


class ZeroCountSkipScenarios(StreamScenarios):
    """A parent copy of `ideas` that drops the ideas whose `count_field` is 0."""

    @with_http_mocker
    def test_given_ideas_with_zero_and_nonzero_count_when_read_then_only_nonzero_ones_are_asked(
        self, http_mocker: HttpMocker
    ) -> None:
        # No request is mocked for 1002: asking for its records would fail the read.
        parent, count_field = self.case.parent, self.case.count_field
        assert parent is not None
        assert count_field is not None
        ideas = (
            an_idea_with(idea_id, **{count_field: count})
            for idea_id, count in (("1001", 3), ("1002", 0), ("1003", 1))
        )
        http_mocker.get(
            parent.endpoint().build(),
            a_response_of("ideas").with_records(*ideas).with_page(1, 1).build(),
        )
        http_mocker.get(
            self.request("1001").build(), self.page(self.record("7001"), self.record("7002"))
        )
        http_mocker.get(self.request("1003").build(), self.page(self.record("7003")))

        output = self.read()

        assert record_to_parent(output, parent.partition_field) == {
            "7001": "1001",
            "7002": "1001",
            "7003": "1003",
        }
        assert not output.errors


class NestedIdeaRemovedScenarios(StreamScenarios):
    """Votes: the answer nests the voted `idea`; the record keeps its `idea_id` only."""

    @with_http_mocker
    def test_given_votes_when_read_then_nested_idea_removed_and_idea_id_is_the_voted_ideas(
        self, http_mocker: HttpMocker
    ) -> None:
        # The rows name ideas 58056975 and 58056976; read idea by idea, the partition's id wins.
        self.given_parents(http_mocker)
        http_mocker.get(
            self.request().build(),
            self.page(
                self.record("7001").with_field(FieldPath("idea_id"), "58056975"),
                self.record("7002").with_field(FieldPath("idea_id"), "58056976"),
            ),
        )

        output = self.read()

        if self.case.parent is None:
            expected = {"7001": "58056975", "7002": "58056976"}
        else:
            expected = dict.fromkeys(("7001", "7002"), self.case.parent.ids[0])
        assert record_to_parent(output, "idea_id") == expected
        assert all("idea" not in message.record.data for message in output.records)
        assert not output.errors


class InvalidJsonRetryScenarios(StreamScenarios):
    @with_http_mocker
    def test_given_truncated_json_then_200_when_read_then_retry_and_return_records(
        self, http_mocker: HttpMocker
    ) -> None:
        truncated = '{"' + RECORDS_FIELDS[self.case.name] + '": [{"id": "70'
        self.assert_retried_then_read(http_mocker, HttpResponse(truncated, 200, JSON_HEADERS))
