"""Deletes across streams: when the destroy audits are read (once per incremental sync, never in
a full refresh or with `track_deletes: false`), from where, what a 403 or an old cursor does, and
that a stream's state moves past its deletes only after its tombstones are out. Each stream's own
tombstones: `deletes_scenarios.DeletesScenarios`."""

from __future__ import annotations

from typing import Any
from unittest import TestCase

import freezegun
from airbyte_cdk.models import AirbyteStreamStatus, SyncMode, TraceType, Type
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput
from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import read_streams
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.deletes_scenarios import (
    DELETED_AT,
    NEXT_CREATED_SINCE,
    SAVED_CURSOR,
    an_audit,
    audits_page,
    last_state,
    with_deletes,
)
from unit_tests.mock_server.request_builder import AhaRequestBuilder
from unit_tests.mock_server.response_builder import a_response_with_status
from unit_tests.mock_server.stream_scenarios import (
    A_CURSOR,
    NOW,
    StreamCase,
    StreamScenarios,
    stream_state,
    warnings,
    with_http_mocker,
)
from unit_tests.mock_server.test_idea_comments import IdeaCommentsTest

IDEAS = StreamCase("ideas", AhaRequestBuilder.ideas_endpoint, incremental="server_side")
TRACKING = ConfigBuilder().with_track_deletes()


class _Ideas(StreamScenarios):
    case = IDEAS


class DeletesTest(TestCase):
    case = IDEAS  # `with_http_mocker` answers its custom field definitions

    def setUp(self) -> None:
        freezer = freezegun.freeze_time(NOW)
        freezer.start()
        self.addCleanup(freezer.stop)
        self.ideas = _Ideas()

    def given_ideas(self, http_mocker: HttpMocker, since: Any = A_CURSOR, *ids: str) -> None:
        request = self.ideas.request()
        request = request.with_updated_since(since) if since else request
        http_mocker.get(request.build(), self.ideas.page(*(self.ideas.record(i) for i in ids)))

    def read(
        self,
        state: list[Any] | None,
        config: ConfigBuilder = TRACKING,
        mode: SyncMode = SyncMode.incremental,
        streams: tuple[str, ...] = ("ideas",),
    ) -> EntrypointOutput:
        return read_streams(list(streams), mode, config.build(), state)

    def assert_no_deletes_read(self, output: EntrypointOutput) -> None:
        # An unmocked audits request would fail, and its failure would be logged as a warning.
        assert warnings(output) == []
        assert [m for m in output.records if "_ab_cdc_deleted_at" in m.record.data] == []
        assert not output.errors

    @with_http_mocker
    def test_given_track_deletes_false_when_incremental_read_then_no_audits_read_or_saved(
        self, http_mocker: HttpMocker
    ) -> None:
        self.given_ideas(http_mocker, A_CURSOR, "1001")

        output = self.read(stream_state(IDEAS, A_CURSOR), ConfigBuilder().with_track_deletes(False))

        self.assert_no_deletes_read(output)
        assert "deletes" not in last_state(output)

    @with_http_mocker
    def test_given_full_refresh_when_read_then_no_audits_read_and_the_cursor_starts_now(
        self, http_mocker: HttpMocker
    ) -> None:
        # The table is overwritten: nothing is owed, and the incremental syncs after it look for
        # deletes from this one on (PyAirbyte's `force_full_refresh` keeps this state).
        self.given_ideas(http_mocker, None, "1001")

        output = self.read(None, mode=SyncMode.full_refresh)

        self.assert_no_deletes_read(output)
        assert last_state(output)["deletes"] == {"created_since": NEXT_CREATED_SINCE}

    @with_http_mocker
    def test_given_no_state_when_incremental_read_then_no_audits_read_and_cursor_starts_now(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(self.ideas.request().build(), self.ideas.page(self.ideas.record("1001")))

        output = self.read([])

        self.assert_no_deletes_read(output)
        assert last_state(output)["deletes"] == {"created_since": NEXT_CREATED_SINCE}

    @with_http_mocker
    def test_given_state_saved_before_deletes_were_tracked_then_audits_from_its_cursor_less_an_hour(
        self, http_mocker: HttpMocker
    ) -> None:
        self.given_ideas(http_mocker)
        audits = AhaRequestBuilder.destroy_audits_endpoint("2024-05-01T07:30:00Z").build()
        http_mocker.get(audits, audits_page(an_audit("6100000950", "idea", "1009")))

        output = self.read(stream_state(IDEAS, A_CURSOR))

        assert [m.record.data["id"] for m in output.records] == ["1009"]
        assert last_state(output)["deletes"] == {
            "created_since": NEXT_CREATED_SINCE,
            "after_id": "6100000950",
        }

    @with_http_mocker
    def test_given_no_new_audits_when_read_then_cursor_keeps_the_last_audit_id(
        self, http_mocker: HttpMocker
    ) -> None:
        self.given_ideas(http_mocker)
        http_mocker.get(
            AhaRequestBuilder.destroy_audits_endpoint(**SAVED_CURSOR).build(), audits_page()
        )

        output = self.read(with_deletes(stream_state(IDEAS, A_CURSOR), SAVED_CURSOR))

        assert output.records == []
        assert last_state(output)["deletes"] == {
            "created_since": NEXT_CREATED_SINCE,
            "after_id": SAVED_CURSOR["after_id"],
        }

    @with_http_mocker
    def test_given_audits_answer_403_when_read_then_records_read_one_warning_and_cursor_kept(
        self, http_mocker: HttpMocker
    ) -> None:
        self.given_ideas(http_mocker, A_CURSOR, "1001")
        audits = AhaRequestBuilder.destroy_audits_endpoint(**SAVED_CURSOR).build()
        http_mocker.get(audits, a_response_with_status(403))

        output = self.read(with_deletes(stream_state(IDEAS, A_CURSOR), SAVED_CURSOR))

        assert [m.record.data["id"] for m in output.records] == ["1001"]
        [warning] = warnings(output)
        assert "Deletes are not tracked" in warning
        assert "/api/v1/audits" in warning
        assert "403" in warning
        assert last_state(output)["deletes"] == SAVED_CURSOR
        assert output.get_stream_statuses("ideas")[-1] == AirbyteStreamStatus.COMPLETE
        assert not output.errors
        http_mocker.assert_number_of_calls(audits, 1)  # a 403 is not retried

    @with_http_mocker
    def test_given_cursor_older_than_the_audits_retention_then_one_warning_and_read_from_it(
        self, http_mocker: HttpMocker
    ) -> None:
        self.given_ideas(http_mocker)
        # NOW less 365 days, plus one: the oldest day Aha! still has audits for.
        audits = AhaRequestBuilder.destroy_audits_endpoint("2023-06-03T12:00:00Z").build()
        http_mocker.get(audits, audits_page())
        old = {"created_since": "2022-01-01T00:00:00Z", "after_id": "5"}

        output = self.read(with_deletes(stream_state(IDEAS, A_CURSOR), old))

        [warning] = warnings(output)
        assert "Deletes before 2023-06-02 cannot be seen" in warning
        assert "12 months" in warning
        assert "full refresh" in warning
        http_mocker.assert_number_of_calls(audits, 1)

    @with_http_mocker
    def test_given_two_pages_of_audits_when_read_then_both_pages_become_tombstones(
        self, http_mocker: HttpMocker
    ) -> None:
        self.given_ideas(http_mocker)
        first = AhaRequestBuilder.destroy_audits_endpoint(**SAVED_CURSOR)
        http_mocker.get(
            first.build(), audits_page(an_audit("6100000901", "idea", "1"), total_pages=2)
        )
        http_mocker.get(
            first.with_page(2).build(),
            audits_page(an_audit("6100000902", "Ideas::Idea", "2"), page=2, total_pages=2),
        )

        output = self.read(with_deletes(stream_state(IDEAS, A_CURSOR), SAVED_CURSOR))

        assert [m.record.data["id"] for m in output.records] == ["1", "2"]
        assert last_state(output)["deletes"]["after_id"] == "6100000902"

    @with_http_mocker
    def test_given_two_tracked_streams_when_read_then_audits_read_once_and_routed_to_each(
        self, http_mocker: HttpMocker
    ) -> None:
        comments = IdeaCommentsTest()
        self.given_ideas(http_mocker)  # the idea_comments' parent copy asks the same, cached
        state = with_deletes(stream_state(IDEAS, A_CURSOR), SAVED_CURSOR) + with_deletes(
            stream_state(comments.case, A_CURSOR, A_CURSOR), SAVED_CURSOR
        )
        audits = AhaRequestBuilder.destroy_audits_endpoint(**SAVED_CURSOR).build()
        http_mocker.get(
            audits,
            audits_page(
                an_audit("6100000901", "idea_comment", "77", idea_id="1009"),
                an_audit("6100000902", "idea", "1009"),
            ),
        )

        output = self.read(state, streams=("ideas", "idea_comments"))

        by_stream = {(m.record.stream, m.record.data["id"]) for m in output.records}
        assert by_stream == {("ideas", "1009"), ("idea_comments", "77")}
        http_mocker.assert_number_of_calls(audits, 1)
        for stream in ("ideas", "idea_comments"):
            [final] = [
                m.state.stream.stream_state.deletes
                for m in output.state_messages
                if m.state.stream.stream_descriptor.name == stream
            ][-1:]
            assert final["after_id"] == "6100000902", stream
        assert not output.errors

    @with_http_mocker
    def test_given_tombstones_when_read_then_states_before_them_keep_the_saved_cursor(
        self, http_mocker: HttpMocker
    ) -> None:
        # A sync killed before the tombstones are out must find them again next time.
        self.given_ideas(http_mocker, A_CURSOR, "1001")
        http_mocker.get(
            AhaRequestBuilder.destroy_audits_endpoint(**SAVED_CURSOR).build(),
            audits_page(an_audit("6100000901", "idea", "1009")),
        )

        output = self.read(with_deletes(stream_state(IDEAS, A_CURSOR), SAVED_CURSOR))

        order = []
        for message in output.get_message_iterator():
            if message.type == Type.RECORD:
                order.append("tombstone" if "_ab_cdc_deleted_at" in message.record.data else "live")
            elif message.type == Type.STATE:
                order.append(message.state.stream.stream_state.deletes.get("after_id"))
            elif message.type == Type.TRACE and message.trace.type == TraceType.STREAM_STATUS:
                order.append(message.trace.stream_status.status.name)
        first = order.index("tombstone")
        assert "live" in order[:first]
        before = [step for step in order[:first] if step not in ("live", "STARTED", "RUNNING")]
        assert before, order
        assert set(before) == {SAVED_CURSOR["after_id"]}, order
        assert order[first + 1 : first + 3] == ["6100000901", "COMPLETE"], order
        assert set(order[first + 3 :]) <= {"6100000901"}, order  # the engine's closing state
        assert output.records[-1].record.data["_ab_cdc_deleted_at"] == DELETED_AT
