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

The test ids name both: `test_<stream>.py::<Stream>Test::test_given_<scenario>...`.
`HttpMocker` matches query parameters exactly, so every mocked request also asserts what is sent
(the `fields` list, `per_page`, and `updated_since` or its absence).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, ClassVar

import freezegun
from airbyte_cdk.models import AirbyteStreamStatus, FailureType, Level, SyncMode
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput, discover
from airbyte_cdk.test.mock_http import HttpMocker, HttpResponse
from airbyte_cdk.test.mock_http.response_builder import FieldPath, RecordBuilder
from airbyte_cdk.test.state_builder import StateBuilder
from jsonschema import Draft7Validator

from unit_tests.conftest import get_source, read_stream, read_streams
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.request_builder import AhaRequestBuilder, aha_timestamp
from unit_tests.mock_server.response_builder import (
    a_record_of,
    a_response_of,
    a_response_with_status,
    aha_datetime,
)

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)
A_CURSOR = datetime(2024, 5, 1, 8, 30, tzinfo=timezone.utc)
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


IDEAS_PARENT = Parent("ideas", "idea_id", AhaRequestBuilder.ideas_endpoint, ("1001", "1002"))
PRODUCTS_PARENT = Parent(
    "products", "product_id", AhaRequestBuilder.all_products_endpoint, ("130841236", "131108696")
)


@dataclass(frozen=True)
class StreamCase:
    """One stream: its endpoint and which scenarios' expectations apply.

    Attributes:
        name: the stream, also the name of its response template.
        endpoint: the request builder for the first page (given the parent id for a child).
        parent: the parent a child stream fans out over.
        incremental: `SERVER_SIDE`, `CLIENT_SIDE`, or None for a full-refresh-only stream.
        global_cursor: the state is `{"use_global_cursor": true, "state": {...}, ...}`.
        parent_state: the state also carries the parent's cursor (incremental dependency).
        parent_id_in_rows: the rows name their parent themselves (`product_id` on releases), so
            the connector adds nothing; otherwise it adds the parent id from the partition.
        plan_feature: the plan feature named in the warning on a 403.
    """

    name: str
    endpoint: Callable[..., AhaRequestBuilder]
    parent: Parent | None = None
    incremental: str | None = None
    global_cursor: bool = False
    parent_state: bool = False
    parent_id_in_rows: bool = False
    plan_feature: str | None = None


@functools.cache
def stream_schemas() -> dict[str, dict[str, Any]]:
    """The JSON schema of every stream, as discover announces it."""
    config = ConfigBuilder().build()
    catalog = discover(get_source(config), config).catalog.catalog
    return {stream.name: stream.json_schema for stream in catalog.streams}


def with_http_mocker(test: Callable[..., None]) -> Callable[..., None]:
    """`@HttpMocker()` with a fresh mocker on every call: the scenarios run once per stream, and
    one decorator instance would pile every stream's matchers up."""

    @functools.wraps(test)
    def run(self: Any) -> None:
        HttpMocker()(test)(self)

    return run


def record_ids(output: EntrypointOutput) -> list[str]:
    return sorted(message.record.data["id"] for message in output.records)


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
        if self.case.parent is None:
            return self.case.endpoint()
        return self.case.endpoint(parent_id or self.case.parent.ids[0])

    def record(self, record_id: str, updated_at: datetime = A_CURSOR) -> RecordBuilder:
        has_cursor = self.case.incremental is not None
        record = a_record_of(self.case.name, with_cursor=has_cursor).with_id(record_id)
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
            config or ConfigBuilder().build(),
            state,
            expecting_exception=expecting_exception,
        )

    # States
    def incoming_state(self, cursor: datetime, parent_cursor: datetime | None = None) -> list[Any]:
        value: dict[str, Any] = {"updated_at": aha_timestamp(cursor)}
        if self.case.global_cursor:
            parent_state = {}
            if self.case.parent_state and self.case.parent and parent_cursor:
                parent_state = {self.case.parent.name: {"updated_at": aha_timestamp(parent_cursor)}}
            value = {
                "use_global_cursor": True,
                "state": value,
                "lookback_window": 0,
                "parent_state": parent_state,
            }
        return StateBuilder().with_stream_state(self.case.name, value).build()

    def emitted_cursor(self, output: EntrypointOutput) -> str:
        assert output.most_recent_state is not None
        state = output.most_recent_state.stream_state.__dict__
        return (state["state"] if self.case.global_cursor else state)["updated_at"]

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

        assert record_ids(output) == ["7001", "7002"]
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

        assert record_ids(output) == ["7001", "7002"]
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
        self.given_parents(http_mocker)
        request = self.request().build()
        http_mocker.get(
            request,
            [a_response_with_status(429, {"Retry-After": "1"}), self.page(self.record("7001"))],
        )

        output = self.read()

        assert record_ids(output) == ["7001"]
        assert not output.errors
        http_mocker.assert_number_of_calls(request, 2)


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

        assert {
            message.record.data["id"]: message.record.data[parent.partition_field]
            for message in output.records
        } == {"7001": first, "7002": first, "7003": second}
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
            state = output.most_recent_state.stream_state.__dict__
            assert state["parent_state"] == {
                self.case.parent.name: {"updated_at": aha_timestamp(_PARENT_UPDATED_AT)}
            }


class ServerSideIncrementalScenarios(_IncrementalScenarios):
    @with_http_mocker
    def test_given_state_when_read_then_updated_since_is_the_state_cursor_and_state_moves_on(
        self, http_mocker: HttpMocker
    ) -> None:
        newer = datetime(2024, 5, 25, tzinfo=timezone.utc)
        parent_ids = self.case.parent.ids if self.case.parent else (None,)
        self.given_parents(http_mocker, *(i for i in parent_ids if i))
        for n, parent_id in enumerate(parent_ids):
            http_mocker.get(
                self.request(parent_id).with_updated_since(A_CURSOR).build(),
                self.page(self.record(f"700{n + 1}", newer)),
            )

        output = self.read(SyncMode.incremental, self.incoming_state(A_CURSOR))

        assert record_ids(output) == [f"700{n + 1}" for n in range(len(parent_ids))]
        assert self.emitted_cursor(output) == aha_timestamp(newer)
        assert not output.errors


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
