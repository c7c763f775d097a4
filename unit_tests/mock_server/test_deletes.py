"""Deletes across streams: when the destroy audits are read (once per sync, only for a window that
resumes a saved state: never in a first sync, a full refresh or with `track_deletes: false`), from
where (the oldest saved cursor of the sync), which tombstones each stream gets (those after its
own cursor), what a 403, another error or an old cursor does, how a 0.x state with its own
`deletes` cursor is taken over, and that the tombstones move the stream's cursor only once they
are out. Each stream's own tombstones: `deletes_scenarios.DeletesScenarios`."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any
from unittest import TestCase

import freezegun
import requests_mock
from airbyte_cdk.models import AirbyteStreamStatus, SyncMode, TraceType, Type
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput
from airbyte_cdk.test.mock_http import HttpMocker, HttpResponse
from airbyte_cdk.test.mock_http.matcher import HttpRequestMatcher
from airbyte_cdk.test.mock_http.mocker import SupportedHttpMethods

from unit_tests.conftest import read_streams
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.deletes_scenarios import (
    DELETED_AT,
    PARENT_CURSOR,
    an_audit,
    audits_page,
    cursor_value,
    last_state,
    states_of,
    tombstones,
    with_0x_deletes,
)
from unit_tests.mock_server.request_builder import AhaRequestBuilder, aha_timestamp
from unit_tests.mock_server.response_builder import JSON_HEADERS, a_response_with_status
from unit_tests.mock_server.stream_scenarios import (
    A_CURSOR,
    A_START_DATE,
    NOW,
    SERVER_SIDE,
    StreamCase,
    StreamScenarios,
    per_idea_case,
    stream_state,
    warnings,
    with_http_mocker,
)

IDEAS = StreamCase("ideas", AhaRequestBuilder.ideas_endpoint, incremental=SERVER_SIDE)
FEATURES = StreamCase("features", AhaRequestBuilder.features_endpoint, incremental=SERVER_SIDE)
IDEA_COMMENTS = per_idea_case(
    "idea_comments", AhaRequestBuilder.idea_comments_endpoint, count_field="comments_count"
)
IDEA_VOTES = StreamCase(
    "idea_votes", AhaRequestBuilder.idea_votes_endpoint, incremental=SERVER_SIDE
)
PROXY_VOTES = StreamCase(
    "idea_proxy_votes", AhaRequestBuilder.account_proxy_votes_endpoint, incremental=SERVER_SIDE
)
TRACKING = ConfigBuilder().with_track_deletes()
# A second saved cursor, three weeks after `A_CURSOR`.
LATER_CURSOR = datetime(2024, 5, 20, tzinfo=timezone.utc)


class _Stream(StreamScenarios):
    """The requests and records of one case, outside of a `TestCase`."""

    def __init__(self, case: StreamCase) -> None:
        self.case = case  # type: ignore[misc]


def allow(http_mocker: HttpMocker, request: AhaRequestBuilder, response: HttpResponse) -> None:
    """Answers `request` with `response` however often it is asked, never too (`HttpMocker.get`
    demands at least one call)."""
    matcher = HttpRequestMatcher(request.build(), 0)
    http_mocker._matchers[SupportedHttpMethods.GET].append(matcher)
    http_mocker._mocker.get(
        requests_mock.ANY,
        additional_matcher=http_mocker._matches_wrapper(matcher),
        text=response.body,
        status_code=response.status_code,
        headers=response.headers,
    )


def _ids(output: EntrypointOutput) -> list[tuple[str, str]]:
    return [(m.record.stream, str(m.record.data["id"])) for m in output.records]


class DeletesTest(TestCase):
    case = IDEAS  # `with_http_mocker` answers its custom field definitions

    def setUp(self) -> None:
        freezer = freezegun.freeze_time(NOW)
        freezer.start()
        self.addCleanup(freezer.stop)
        self.ideas = _Stream(IDEAS)

    def given_ideas(
        self, http_mocker: HttpMocker, since: datetime | None = A_CURSOR, *records: Any
    ) -> None:
        """`ideas` asked `updated_since` `since` (from the epoch when None), answering `records`
        (ids, or `(id, updated_at)`)."""
        self.given_stream(http_mocker, self.ideas, since, *records)

    def given_stream(
        self, http_mocker: HttpMocker, stream: _Stream, since: datetime | None, *records: Any
    ) -> None:
        request = stream.request()
        request = request.with_updated_since(since) if since else request
        rows = (stream.record(*r) if isinstance(r, tuple) else stream.record(r) for r in records)
        http_mocker.get(request.build(), stream.page(*rows))

    def read(
        self,
        state: list[Any] | None,
        config: ConfigBuilder = TRACKING,
        mode: SyncMode = SyncMode.incremental,
        streams: tuple[str, ...] = ("ideas",),
        expecting_exception: bool = False,
    ) -> EntrypointOutput:
        return read_streams(list(streams), mode, config.build(), state, expecting_exception)

    def assert_no_deletes_read(self, output: EntrypointOutput) -> None:
        # An unmocked audits request would fail, and its failure would be logged as a warning.
        assert warnings(output) == []
        assert tombstones(output) == []
        assert not output.errors
        assert all("deletes" not in s for s in states_of(output))

    # When the audits are read

    @with_http_mocker
    def test_given_track_deletes_false_when_incremental_read_then_no_audits_read(
        self, http_mocker: HttpMocker
    ) -> None:
        self.given_ideas(http_mocker, A_CURSOR, "1001")

        output = self.read(stream_state(IDEAS, A_CURSOR), ConfigBuilder().with_track_deletes(False))

        self.assert_no_deletes_read(output)
        assert _ids(output) == [("ideas", "1001")]

    @with_http_mocker
    def test_given_full_refresh_when_read_then_no_audits_read(
        self, http_mocker: HttpMocker
    ) -> None:
        # The table is overwritten: nothing deleted before is owed.
        self.given_ideas(http_mocker, None, "1001")

        output = self.read(None, mode=SyncMode.full_refresh)

        self.assert_no_deletes_read(output)
        assert _ids(output) == [("ideas", "1001")]

    @with_http_mocker
    def test_given_no_state_when_incremental_read_then_no_audits_read_and_state_is_newest_record(
        self, http_mocker: HttpMocker
    ) -> None:
        self.given_ideas(http_mocker, None, "1001")

        output = self.read([])

        self.assert_no_deletes_read(output)
        assert last_state(output) == {"updated_at": aha_timestamp(A_CURSOR)}

    @with_http_mocker
    def test_given_start_date_and_no_state_when_incremental_read_then_no_audits_read(
        self, http_mocker: HttpMocker
    ) -> None:
        self.given_ideas(http_mocker, datetime(2024, 1, 1, tzinfo=timezone.utc), "1001")

        output = self.read([], ConfigBuilder().with_track_deletes().with_start_date(A_START_DATE))

        self.assert_no_deletes_read(output)

    # What is read, and where the state goes

    @with_http_mocker
    def test_given_state_when_read_then_audits_from_its_cursor_and_state_moves_to_the_tombstone(
        self, http_mocker: HttpMocker
    ) -> None:
        self.given_ideas(http_mocker, A_CURSOR, ("1001", datetime(2024, 5, 2, tzinfo=timezone.utc)))
        audits = AhaRequestBuilder.destroy_audits_endpoint("2024-05-01T08:30:00Z").build()
        http_mocker.get(audits, audits_page(an_audit("6100000950", "idea", "1009")))

        output = self.read(stream_state(IDEAS, A_CURSOR))

        assert _ids(output) == [("ideas", "1001"), ("ideas", "1009")]
        assert last_state(output) == {"updated_at": cursor_value(DELETED_AT)}
        http_mocker.assert_number_of_calls(audits, 1)

    @with_http_mocker
    def test_given_a_record_newer_than_every_tombstone_when_read_then_state_is_the_record(
        self, http_mocker: HttpMocker
    ) -> None:
        newest = datetime(2024, 6, 1, 9, tzinfo=timezone.utc)
        self.given_ideas(http_mocker, A_CURSOR, ("1001", newest))
        http_mocker.get(
            AhaRequestBuilder.destroy_audits_endpoint(A_CURSOR).build(),
            audits_page(an_audit("6100000950", "idea", "1009")),
        )

        output = self.read(stream_state(IDEAS, A_CURSOR))

        assert _ids(output) == [("ideas", "1001"), ("ideas", "1009")]
        assert last_state(output) == {"updated_at": aha_timestamp(newest)}

    @with_http_mocker
    def test_given_no_records_and_no_audits_when_read_then_the_state_keeps_the_saved_cursor(
        self, http_mocker: HttpMocker
    ) -> None:
        self.given_ideas(http_mocker)
        audits = AhaRequestBuilder.destroy_audits_endpoint(A_CURSOR).build()
        http_mocker.get(audits, audits_page())

        output = self.read(stream_state(IDEAS, A_CURSOR))

        assert output.records == []
        assert last_state(output) == {"updated_at": aha_timestamp(A_CURSOR)}
        http_mocker.assert_number_of_calls(audits, 1)

    @with_http_mocker
    def test_given_two_pages_of_audits_when_read_then_both_pages_become_tombstones(
        self, http_mocker: HttpMocker
    ) -> None:
        self.given_ideas(http_mocker)
        first = AhaRequestBuilder.destroy_audits_endpoint(A_CURSOR)
        http_mocker.get(
            first.build(),
            audits_page(
                an_audit("6100000901", "idea", "1", "2024-05-10T00:00:00.000Z"), total_pages=2
            ),
        )
        http_mocker.get(
            AhaRequestBuilder.destroy_audits_endpoint(A_CURSOR).with_page(2).build(),
            audits_page(an_audit("6100000902", "Ideas::Idea", "2"), page=2, total_pages=2),
        )

        output = self.read(stream_state(IDEAS, A_CURSOR))

        assert _ids(output) == [("ideas", "1"), ("ideas", "2")]
        assert last_state(output) == {"updated_at": cursor_value(DELETED_AT)}

    @with_http_mocker
    def test_given_tombstones_when_read_then_states_before_them_keep_the_saved_cursor(
        self, http_mocker: HttpMocker
    ) -> None:
        # The state moves past the tombstones only once they are out: a sync killed before
        # them resumes from the saved cursor and finds them again.
        self.given_ideas(http_mocker, A_CURSOR, "1001")
        http_mocker.get(
            AhaRequestBuilder.destroy_audits_endpoint(A_CURSOR).build(),
            audits_page(an_audit("6100000901", "idea", "1009")),
        )

        output = self.read(stream_state(IDEAS, A_CURSOR))

        order = []
        for message in output.get_message_iterator():
            if message.type == Type.RECORD:
                order.append("tombstone" if "_ab_cdc_deleted_at" in message.record.data else "live")
            elif message.type == Type.STATE:
                order.append(message.state.stream.stream_state.updated_at)
            elif message.type == Type.TRACE and message.trace.type == TraceType.STREAM_STATUS:
                order.append(message.trace.stream_status.status.name)
        first = order.index("tombstone")
        assert order[first - 1] == "live", order  # the records first, then the tombstones
        assert set(order[:first]) <= {"live", "STARTED", "RUNNING", aha_timestamp(A_CURSOR)}
        after = order[first + 1 :]
        assert after[:2] == [cursor_value(DELETED_AT), "COMPLETE"], order
        assert set(after[2:]) <= {cursor_value(DELETED_AT)}, order  # the engine's closing state

    # Several streams in one sync

    @with_http_mocker
    def test_given_two_tracked_streams_when_read_then_audits_read_once_and_routed_to_each(
        self, http_mocker: HttpMocker
    ) -> None:
        self.given_ideas(http_mocker)  # the idea_comments' parent copy asks the same, cached
        state = stream_state(IDEAS, A_CURSOR) + stream_state(IDEA_COMMENTS, A_CURSOR, A_CURSOR)
        audits = AhaRequestBuilder.destroy_audits_endpoint(A_CURSOR).build()
        http_mocker.get(
            audits,
            audits_page(
                an_audit("6100000901", "idea_comment", "77", idea_id="1009"),
                an_audit("6100000902", "idea", "1009"),
            ),
        )

        output = self.read(state, streams=("ideas", "idea_comments"))

        assert sorted(_ids(output)) == [("idea_comments", "77"), ("ideas", "1009")]
        [comment] = [m.record.data for m in output.records if m.record.stream == "idea_comments"]
        assert comment["idea_id"] == "1009"
        http_mocker.assert_number_of_calls(audits, 1)
        for stream in ("ideas", "idea_comments"):
            final = last_state(output, stream)
            assert final.get("state", final)["updated_at"] == cursor_value(DELETED_AT), stream
            assert "deletes" not in final
        assert not output.errors

    @with_http_mocker
    def test_given_streams_with_different_cursors_then_one_walk_from_the_oldest_and_each_its_own(
        self, http_mocker: HttpMocker
    ) -> None:
        # features resumes three weeks after ideas: a feature deleted in between was sent by the
        # sync that saved its cursor, so it is not sent again.
        features = _Stream(FEATURES)
        self.given_ideas(http_mocker)
        self.given_stream(http_mocker, features, LATER_CURSOR)
        audits = AhaRequestBuilder.destroy_audits_endpoint(A_CURSOR).build()
        http_mocker.get(
            audits,
            audits_page(
                an_audit("6100000901", "idea", "1009", "2024-05-10T00:00:00.000Z"),
                an_audit("6100000902", "feature", "2001", "2024-05-10T00:00:00.000Z"),
                an_audit("6100000903", "feature", "2002", "2024-05-25T00:00:00.000Z"),
            ),
        )
        state = stream_state(IDEAS, A_CURSOR) + stream_state(FEATURES, LATER_CURSOR)

        output = self.read(state, streams=("ideas", "features"))

        assert sorted(_ids(output)) == [("features", "2002"), ("ideas", "1009")]
        http_mocker.assert_number_of_calls(audits, 1)
        assert not output.errors

    @with_http_mocker
    def test_given_a_vote_deleted_when_both_vote_streams_read_then_each_gets_its_tombstone(
        self, http_mocker: HttpMocker
    ) -> None:
        # Aha! audits a vote, proxy or not, as one type: both streams take it.
        votes, proxy_votes = _Stream(IDEA_VOTES), _Stream(PROXY_VOTES)
        self.given_stream(http_mocker, votes, A_CURSOR)
        self.given_stream(http_mocker, proxy_votes, A_CURSOR)
        audits = AhaRequestBuilder.destroy_audits_endpoint(A_CURSOR).build()
        http_mocker.get(
            audits, audits_page(an_audit("6100000901", "IdeaEndorsement", "31", idea_id="1009"))
        )
        state = stream_state(IDEA_VOTES, A_CURSOR) + stream_state(PROXY_VOTES, A_CURSOR)

        output = self.read(state, streams=("idea_votes", "idea_proxy_votes"))

        expected = {"id": "31", "updated_at": DELETED_AT, "_ab_cdc_deleted_at": DELETED_AT}
        assert sorted((m.record.stream, m.record.data) for m in output.records) == [
            ("idea_proxy_votes", expected | {"idea_id": "1009"}),
            ("idea_votes", expected | {"idea_id": "1009"}),
        ]
        http_mocker.assert_number_of_calls(audits, 1)

    @with_http_mocker
    def test_given_deleted_idea_without_child_audits_when_children_read_then_one_warning(
        self, http_mocker: HttpMocker
    ) -> None:
        self.given_ideas(http_mocker)
        state = stream_state(IDEAS, A_CURSOR) + stream_state(IDEA_COMMENTS, A_CURSOR, A_CURSOR)
        http_mocker.get(
            AhaRequestBuilder.destroy_audits_endpoint(A_CURSOR).build(),
            audits_page(an_audit("6100000901", "idea", "1009")),
        )

        output = self.read(state, streams=("ideas", "idea_comments"))

        assert _ids(output) == [("ideas", "1009")]
        [warning] = warnings(output)
        assert "1 ideas deleted in Aha! came with no audit" in warning
        assert "idea_comments" in warning
        assert not output.errors

    @with_http_mocker
    def test_given_idea_deleted_when_its_children_read_then_the_deleted_idea_is_not_asked(
        self, http_mocker: HttpMocker
    ) -> None:
        # The parent copy of `ideas` sends the deleted idea's tombstone too: no partition of its
        # own (an unmocked request for its comments would fail the read).
        comments = _Stream(IDEA_COMMENTS)
        self.given_ideas(
            http_mocker, PARENT_CURSOR, ("1001", datetime(2024, 5, 2, tzinfo=timezone.utc))
        )
        http_mocker.get(comments.request("1001").build(), comments.page())
        http_mocker.get(
            AhaRequestBuilder.destroy_audits_endpoint(PARENT_CURSOR).build(),
            audits_page(
                an_audit("6100000901", "idea", "1002"),
                an_audit("6100000902", "idea_comment", "77", idea_id="1002"),
            ),
        )

        output = self.read(
            stream_state(IDEA_COMMENTS, A_CURSOR, PARENT_CURSOR), streams=("idea_comments",)
        )

        assert [m.record.data for m in output.records] == [
            {
                "id": "77",
                "updated_at": DELETED_AT,
                "_ab_cdc_deleted_at": DELETED_AT,
                "idea_id": "1002",
            }
        ]
        assert not output.errors

    # When the audits cannot be read

    @with_http_mocker
    def test_given_audits_answer_403_when_read_then_records_read_one_warning_and_streams_complete(
        self, http_mocker: HttpMocker
    ) -> None:
        newest = datetime(2024, 5, 2, tzinfo=timezone.utc)
        features = _Stream(FEATURES)
        self.given_ideas(http_mocker, A_CURSOR, ("1001", newest))
        self.given_stream(http_mocker, features, A_CURSOR, ("2001", newest))
        audits = AhaRequestBuilder.destroy_audits_endpoint(A_CURSOR).build()
        http_mocker.get(audits, a_response_with_status(403))
        state = stream_state(IDEAS, A_CURSOR) + stream_state(FEATURES, A_CURSOR)

        output = self.read(state, streams=("ideas", "features"))

        assert sorted(_ids(output)) == [("features", "2001"), ("ideas", "1001")]
        [warning] = warnings(output)  # once for the sync, not once per stream
        assert "Deletes are not tracked in this sync" in warning
        assert "/api/v1/audits" in warning
        assert "403" in warning
        for stream in ("ideas", "features"):
            assert last_state(output, stream) == {"updated_at": aha_timestamp(newest)}
            assert output.get_stream_statuses(stream)[-1] == AirbyteStreamStatus.COMPLETE
        assert not output.errors
        http_mocker.assert_number_of_calls(audits, 1)  # a 403 is not retried, nor asked again

    @with_http_mocker
    def test_given_audits_fail_otherwise_when_read_then_tracked_streams_fail_and_keep_cursors(
        self, http_mocker: HttpMocker
    ) -> None:
        # Without the audits, a stream cannot say what was deleted: its cursor must not move
        # past the deletes, so it fails; the error is kept, and the audits asked once.
        newest = datetime(2024, 5, 2, tzinfo=timezone.utc)
        features = _Stream(FEATURES)
        self.given_ideas(http_mocker, A_CURSOR, ("1001", newest))
        self.given_stream(http_mocker, features, A_CURSOR, ("2001", newest))
        audits = AhaRequestBuilder.destroy_audits_endpoint(A_CURSOR).build()
        http_mocker.get(
            audits, HttpResponse(json.dumps({"error": "Bad Request"}), 400, JSON_HEADERS)
        )
        state = stream_state(IDEAS, A_CURSOR) + stream_state(FEATURES, A_CURSOR)

        output = self.read(state, streams=("ideas", "features"), expecting_exception=True)

        assert tombstones(output) == []
        for stream in ("ideas", "features"):
            assert output.get_stream_statuses(stream)[-1] == AirbyteStreamStatus.INCOMPLETE
            assert all(
                s == {"updated_at": aha_timestamp(A_CURSOR)}
                for s in (
                    dict(m.state.stream.stream_state.__dict__)
                    for m in output.state_messages
                    if m.state.stream.stream_descriptor.name == stream
                )
            ), stream
        assert output.errors
        http_mocker.assert_number_of_calls(audits, 1)

    @with_http_mocker
    def test_given_cursor_older_than_the_audits_retention_then_read_from_it_without_a_warning(
        self, http_mocker: HttpMocker
    ) -> None:
        old = datetime(2022, 1, 1, tzinfo=timezone.utc)
        self.given_ideas(http_mocker, old)
        # NOW less 365 days, plus one: the oldest day Aha! still has audits for.
        audits = AhaRequestBuilder.destroy_audits_endpoint("2023-06-03T12:00:00Z").build()
        http_mocker.get(audits, audits_page())

        output = self.read(stream_state(IDEAS, old))

        # Said at INFO: an old cursor is usually a quiet stream's, not a year without a sync.
        assert warnings(output) == []
        [said] = [m for m in output.logs if "12 months" in m.log.message]
        assert "deletes are looked for from 2023-06-03" in said.log.message
        assert "full refresh" in said.log.message
        http_mocker.assert_number_of_calls(audits, 1)

    # A state source-aha 0.x saved, with its own deletes cursor

    @with_http_mocker
    def test_given_0x_state_with_newer_deletes_cursor_when_read_then_resumes_from_its_cursor(
        self, http_mocker: HttpMocker
    ) -> None:
        self.given_ideas(http_mocker)
        audits = AhaRequestBuilder.destroy_audits_endpoint(A_CURSOR).build()
        http_mocker.get(audits, audits_page())
        deletes = {"created_since": "2024-05-31T09:00:00Z", "after_id": "6100000900"}

        output = self.read(with_0x_deletes(stream_state(IDEAS, A_CURSOR), deletes))

        assert last_state(output) == {"updated_at": aha_timestamp(A_CURSOR)}
        assert all("deletes" not in s for s in states_of(output))
        http_mocker.assert_number_of_calls(audits, 1)

    @with_http_mocker
    def test_given_0x_state_with_older_deletes_cursor_then_both_streams_resume_from_theirs(
        self, http_mocker: HttpMocker
    ) -> None:
        # ideas goes back to its 0.x deletes cursor; features, saved by this version, does not:
        # the feature deleted before its cursor was sent by the sync that saved it.
        older = datetime(2024, 4, 20, tzinfo=timezone.utc)
        features = _Stream(FEATURES)
        self.given_ideas(http_mocker, older)
        self.given_stream(http_mocker, features, A_CURSOR)
        audits = AhaRequestBuilder.destroy_audits_endpoint(older).build()
        http_mocker.get(
            audits,
            audits_page(
                an_audit("6100000901", "idea", "1009", "2024-04-25T00:00:00.000Z"),
                an_audit("6100000902", "feature", "2001", "2024-04-25T00:00:00.000Z"),
            ),
        )
        # Whichever stream asks first: features may walk from its own cursor before ideas.
        allow(http_mocker, AhaRequestBuilder.destroy_audits_endpoint(A_CURSOR), audits_page())
        deletes = {"created_since": "2024-04-20T00:00:00Z", "after_id": "6100000800"}
        state = with_0x_deletes(stream_state(IDEAS, A_CURSOR), deletes)

        output = self.read(state + stream_state(FEATURES, A_CURSOR), streams=("ideas", "features"))

        assert _ids(output) == [("ideas", "1009")]
        assert all("deletes" not in s for s in states_of(output))
        http_mocker.assert_number_of_calls(audits, 1)
        assert not output.errors

    @with_http_mocker
    def test_given_0x_state_with_malformed_deletes_cursor_when_read_then_it_is_dropped(
        self, http_mocker: HttpMocker
    ) -> None:
        self.given_ideas(http_mocker)
        audits = AhaRequestBuilder.destroy_audits_endpoint(A_CURSOR).build()
        http_mocker.get(audits, audits_page())

        output = self.read(with_0x_deletes(stream_state(IDEAS, A_CURSOR), {"created_since": 7}))

        assert last_state(output) == {"updated_at": aha_timestamp(A_CURSOR)}
        assert not output.errors
