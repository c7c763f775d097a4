"""`idea_comments`: GET /ideas/{idea_id}/idea_comments for every idea with comments.

The parent is a copy of `ideas` that drops ideas whose `comments_count` is 0; comments are
incremental on the client side under one global cursor, and the parent is read incrementally
from the `parent_state` saved with it (`incremental_dependency`).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from unittest import TestCase

import freezegun
from airbyte_cdk.models import FailureType, SyncMode
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput
from airbyte_cdk.test.mock_http import HttpMocker, HttpResponse
from airbyte_cdk.test.mock_http.response_builder import FieldPath
from airbyte_cdk.test.state_builder import StateBuilder

from unit_tests.conftest import read_stream
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.request_builder import AhaRequestBuilder, aha_timestamp
from unit_tests.mock_server.response_builder import (
    a_response_with_status,
    aha_datetime,
    an_idea,
    an_idea_comment,
    idea_comments_response,
    ideas_response,
)

_STREAM_NAME = "idea_comments"
_NOW = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)
_A_CURSOR = datetime(2024, 5, 1, 8, 30, tzinfo=timezone.utc)
_AN_IDEA_ID = "6776881149499462668"
_NO_STATE: list[Any] = []


def _an_idea(idea_id: str, comments_count: int = 1, updated_at: datetime = _A_CURSOR):
    return (
        an_idea()
        .with_id(idea_id)
        .with_cursor(aha_datetime(updated_at))
        .with_field(FieldPath("comments_count"), comments_count)
    )


def _a_comment(comment_id: str, updated_at: datetime = _A_CURSOR):
    return an_idea_comment().with_id(comment_id).with_cursor(aha_datetime(updated_at))


def _ideas_page(*ideas, page: int = 1, total_pages: int = 1) -> HttpResponse:
    return ideas_response().with_records(*ideas).with_page(page, total_pages).build()


def _comments_page(*comments, page: int = 1, total_pages: int = 1) -> HttpResponse:
    return idea_comments_response().with_records(*comments).with_page(page, total_pages).build()


def _ids(output: EntrypointOutput) -> list[str]:
    return sorted(message.record.data["id"] for message in output.records)


def _comment_to_idea(output: EntrypointOutput) -> dict[str, str]:
    return {m.record.data["id"]: m.record.data["idea_id"] for m in output.records}


@freezegun.freeze_time(_NOW.isoformat())
class FullRefreshTest(TestCase):
    @staticmethod
    def _read(config: dict[str, Any], expecting_exception: bool = False) -> EntrypointOutput:
        return read_stream(
            _STREAM_NAME, SyncMode.full_refresh, config, expecting_exception=expecting_exception
        )

    @HttpMocker()
    def test_given_one_page_when_read_then_return_records_with_their_idea_id(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(AhaRequestBuilder.ideas_endpoint().build(), _ideas_page(_an_idea("1001")))
        http_mocker.get(
            AhaRequestBuilder.idea_comments_endpoint("1001").build(),
            _comments_page(_a_comment("2001"), _a_comment("2002")),
        )

        output = self._read(ConfigBuilder().build())

        assert _comment_to_idea(output) == {"2001": "1001", "2002": "1001"}
        assert not output.errors

    @HttpMocker()
    def test_given_numeric_idea_id_when_read_then_idea_id_stays_a_string(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(
            AhaRequestBuilder.ideas_endpoint().build(), _ideas_page(_an_idea(_AN_IDEA_ID))
        )
        http_mocker.get(
            AhaRequestBuilder.idea_comments_endpoint(_AN_IDEA_ID).build(),
            _comments_page(_a_comment("2001")),
        )

        output = self._read(ConfigBuilder().build())

        assert [m.record.data["idea_id"] for m in output.records] == [_AN_IDEA_ID]

    @HttpMocker()
    def test_given_two_pages_of_comments_when_read_then_request_each_page_once(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(AhaRequestBuilder.ideas_endpoint().build(), _ideas_page(_an_idea("1001")))
        first_page = AhaRequestBuilder.idea_comments_endpoint("1001").build()
        http_mocker.get(first_page, _comments_page(_a_comment("2001"), page=1, total_pages=2))
        http_mocker.get(
            AhaRequestBuilder.idea_comments_endpoint("1001").with_page(2).build(),
            _comments_page(_a_comment("2002"), page=2, total_pages=2),
        )

        output = self._read(ConfigBuilder().build())

        assert _ids(output) == ["2001", "2002"]
        http_mocker.assert_number_of_calls(first_page, 1)

    @HttpMocker()
    def test_given_two_pages_of_ideas_when_read_then_comments_of_both_pages(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(
            AhaRequestBuilder.ideas_endpoint().build(),
            _ideas_page(_an_idea("1001"), page=1, total_pages=2),
        )
        http_mocker.get(
            AhaRequestBuilder.ideas_endpoint().with_page(2).build(),
            _ideas_page(_an_idea("1002"), page=2, total_pages=2),
        )
        for idea_id, comment_id in (("1001", "2001"), ("1002", "2002")):
            http_mocker.get(
                AhaRequestBuilder.idea_comments_endpoint(idea_id).build(),
                _comments_page(_a_comment(comment_id)),
            )

        output = self._read(ConfigBuilder().build())

        assert _comment_to_idea(output) == {"2001": "1001", "2002": "1002"}

    @HttpMocker()
    def test_given_no_comments_when_read_then_no_records_and_no_error(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(AhaRequestBuilder.ideas_endpoint().build(), _ideas_page(_an_idea("1001")))
        http_mocker.get(
            AhaRequestBuilder.idea_comments_endpoint("1001").build(), _comments_page(total_pages=0)
        )

        output = self._read(ConfigBuilder().build())

        assert output.records == []
        assert not output.errors

    @HttpMocker()
    def test_given_no_ideas_when_read_then_no_comment_request(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(AhaRequestBuilder.ideas_endpoint().build(), _ideas_page(total_pages=0))

        output = self._read(ConfigBuilder().build())

        assert output.records == []
        assert not output.errors

    @HttpMocker()
    def test_given_ideas_with_and_without_comments_when_read_then_request_only_ideas_with_comments(
        self, http_mocker: HttpMocker
    ) -> None:
        # No request is mocked for 1002: asking for its comments would fail the read.
        http_mocker.get(
            AhaRequestBuilder.ideas_endpoint().build(),
            _ideas_page(
                _an_idea("1001", comments_count=2),
                _an_idea("1002", comments_count=0),
                _an_idea("1003", comments_count=1),
            ),
        )
        http_mocker.get(
            AhaRequestBuilder.idea_comments_endpoint("1001").build(),
            _comments_page(_a_comment("2001"), _a_comment("2002")),
        )
        http_mocker.get(
            AhaRequestBuilder.idea_comments_endpoint("1003").build(),
            _comments_page(_a_comment("2003")),
        )

        output = self._read(ConfigBuilder().build())

        assert _comment_to_idea(output) == {"2001": "1001", "2002": "1001", "2003": "1003"}
        assert not output.errors

    @HttpMocker()
    def test_given_idea_deleted_during_sync_when_read_then_skip_it_and_read_the_others(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(
            AhaRequestBuilder.ideas_endpoint().build(),
            _ideas_page(_an_idea("1001"), _an_idea("1002")),
        )
        http_mocker.get(
            AhaRequestBuilder.idea_comments_endpoint("1001").build(), a_response_with_status(404)
        )
        http_mocker.get(
            AhaRequestBuilder.idea_comments_endpoint("1002").build(),
            _comments_page(_a_comment("2002")),
        )

        output = self._read(ConfigBuilder().build())

        assert _comment_to_idea(output) == {"2002": "1002"}
        assert not output.errors

    @HttpMocker()
    def test_given_http_status_401_when_read_then_config_error(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(AhaRequestBuilder.ideas_endpoint().build(), _ideas_page(_an_idea("1001")))
        http_mocker.get(
            AhaRequestBuilder.idea_comments_endpoint("1001").build(), a_response_with_status(401)
        )

        output = self._read(ConfigBuilder().build(), expecting_exception=True)

        assert output.records == []
        assert output.errors[-1].trace.error.failure_type == FailureType.config_error

    @HttpMocker()
    def test_given_http_status_429_then_200_when_read_then_return_records(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(AhaRequestBuilder.ideas_endpoint().build(), _ideas_page(_an_idea("1001")))
        http_mocker.get(
            AhaRequestBuilder.idea_comments_endpoint("1001").build(),
            [a_response_with_status(429, {"Retry-After": "1"}), _comments_page(_a_comment("2001"))],
        )

        output = self._read(ConfigBuilder().build())

        assert _ids(output) == ["2001"]
        assert not output.errors

    @HttpMocker()
    def test_given_truncated_json_then_200_when_read_then_retry_and_return_records(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(AhaRequestBuilder.ideas_endpoint().build(), _ideas_page(_an_idea("1001")))
        http_mocker.get(
            AhaRequestBuilder.idea_comments_endpoint("1001").build(),
            [
                HttpResponse('{"idea_comments": [{"id', 200, {"Content-Type": "application/json"}),
                _comments_page(_a_comment("2001")),
            ],
        )

        output = self._read(ConfigBuilder().build())

        assert _ids(output) == ["2001"]
        assert not output.errors

    @HttpMocker()
    def test_given_workflow_status_name_when_read_then_only_comments_of_matching_ideas(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(
            AhaRequestBuilder.ideas_endpoint().with_workflow_status("Shipped").build(),
            _ideas_page(
                _an_idea("1001").with_field(FieldPath("workflow_status"), _status("7", "Shipped")),
                _an_idea("1002").with_field(FieldPath("workflow_status"), _status("8", "New")),
            ),
        )
        http_mocker.get(
            AhaRequestBuilder.idea_comments_endpoint("1001").build(),
            _comments_page(_a_comment("2001")),
        )

        output = self._read(ConfigBuilder().with_ideas_workflow_status("Shipped").build())

        assert _comment_to_idea(output) == {"2001": "1001"}
        assert not output.errors

    @HttpMocker()
    def test_given_workflow_status_id_when_read_then_only_comments_of_matching_ideas(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(
            AhaRequestBuilder.ideas_endpoint().with_workflow_status("7").build(),
            _ideas_page(
                _an_idea("1001").with_field(FieldPath("workflow_status"), _status("8", "New")),
                _an_idea("1002").with_field(FieldPath("workflow_status"), _status("7", "Shipped")),
            ),
        )
        http_mocker.get(
            AhaRequestBuilder.idea_comments_endpoint("1002").build(),
            _comments_page(_a_comment("2002")),
        )

        output = self._read(ConfigBuilder().with_ideas_workflow_status("7").build())

        assert _comment_to_idea(output) == {"2002": "1002"}
        assert not output.errors

    @HttpMocker()
    def test_given_ideas_q_when_read_then_only_comments_of_matching_ideas(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(
            AhaRequestBuilder.ideas_endpoint().with_q("sso").build(),
            _ideas_page(
                _an_idea("1001").with_field(FieldPath("name"), "SSO with Okta"),
                _an_idea("1002").with_field(FieldPath("name"), "Dark mode"),
            ),
        )
        http_mocker.get(
            AhaRequestBuilder.idea_comments_endpoint("1001").build(),
            _comments_page(_a_comment("2001")),
        )

        output = self._read(ConfigBuilder().with_ideas_q("sso").build())

        assert _comment_to_idea(output) == {"2001": "1001"}
        assert not output.errors

    @HttpMocker()
    def test_given_alias_q_when_read_then_only_comments_of_matching_ideas(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(
            AhaRequestBuilder.ideas_endpoint().with_q("sso").build(),
            _ideas_page(
                _an_idea("1001").with_field(FieldPath("name"), "Dark mode"),
                _an_idea("1002").with_field(FieldPath("name"), "SSO with Okta"),
            ),
        )
        http_mocker.get(
            AhaRequestBuilder.idea_comments_endpoint("1002").build(),
            _comments_page(_a_comment("2002")),
        )

        output = self._read(ConfigBuilder().with_q("sso").build())

        assert _comment_to_idea(output) == {"2002": "1002"}
        assert not output.errors

    @HttpMocker()
    def test_given_max_ideas_3_when_read_then_comments_of_the_first_3_ideas_only(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(
            AhaRequestBuilder.ideas_endpoint().with_per_page(3).build(),
            _ideas_page(*(_an_idea(f"{1001 + n}") for n in range(3)), page=1, total_pages=2),
        )
        for n in range(3):
            http_mocker.get(
                AhaRequestBuilder.idea_comments_endpoint(f"{1001 + n}").build(),
                _comments_page(_a_comment(f"{2001 + n}")),
            )

        output = self._read(ConfigBuilder().with_max_ideas(3).build())

        assert _ids(output) == ["2001", "2002", "2003"]
        assert not output.errors

    @HttpMocker()
    def test_given_max_ideas_250_when_read_then_comments_of_exactly_the_first_250_ideas(
        self, http_mocker: HttpMocker
    ) -> None:
        # Only the first, the 250th and the 251st idea have comments; the 251st is past the limit.
        with_comments = {"0", "249", "250"}

        def idea(n: int):
            return _an_idea(str(n), comments_count=1 if str(n) in with_comments else 0)

        http_mocker.get(
            AhaRequestBuilder.ideas_endpoint().build(),
            _ideas_page(*(idea(n) for n in range(200)), page=1, total_pages=3),
        )
        http_mocker.get(
            AhaRequestBuilder.ideas_endpoint().with_page(2).build(),
            _ideas_page(*(idea(n) for n in range(200, 400)), page=2, total_pages=3),
        )
        for idea_id in ("0", "249"):
            http_mocker.get(
                AhaRequestBuilder.idea_comments_endpoint(idea_id).build(),
                _comments_page(_a_comment(f"c{idea_id}")),
            )

        output = self._read(ConfigBuilder().with_max_ideas(250).build())

        assert _comment_to_idea(output) == {"c0": "0", "c249": "249"}
        assert not output.errors


def _status(status_id: str, name: str) -> dict[str, Any]:
    return {"id": status_id, "name": name, "position": 1, "complete": False}


@freezegun.freeze_time(_NOW.isoformat())
class IncrementalTest(TestCase):
    @staticmethod
    def _read(config: dict[str, Any], state: list[Any] | None = None) -> EntrypointOutput:
        return read_stream(_STREAM_NAME, SyncMode.incremental, config, state)

    @HttpMocker()
    def test_given_no_state_when_read_then_state_is_most_recent_cursor(
        self, http_mocker: HttpMocker
    ) -> None:
        latest = datetime(2024, 5, 20, 9, 15, 30, 123000, tzinfo=timezone.utc)
        idea_updated = datetime(2024, 5, 21, tzinfo=timezone.utc)
        http_mocker.get(
            AhaRequestBuilder.ideas_endpoint().build(),
            _ideas_page(_an_idea("1001", updated_at=idea_updated)),
        )
        http_mocker.get(
            AhaRequestBuilder.idea_comments_endpoint("1001").build(),
            _comments_page(
                _a_comment("2001", datetime(2024, 5, 2, tzinfo=timezone.utc)),
                _a_comment("2002", latest),
            ),
        )

        output = self._read(ConfigBuilder().build(), _NO_STATE)

        assert _ids(output) == ["2001", "2002"]
        state = output.most_recent_state.stream_state.__dict__
        assert state["state"] == {"updated_at": aha_timestamp(latest)}
        assert state["parent_state"] == {"ideas": {"updated_at": aha_timestamp(idea_updated)}}

    @HttpMocker()
    def test_given_state_when_read_then_parent_updated_since_is_parent_state_and_old_ones_dropped(
        self, http_mocker: HttpMocker
    ) -> None:
        parent_cursor = datetime(2024, 5, 1, tzinfo=timezone.utc)
        child_cursor = datetime(2024, 5, 10, tzinfo=timezone.utc)
        newer = datetime(2024, 5, 15, tzinfo=timezone.utc)
        http_mocker.get(
            AhaRequestBuilder.ideas_endpoint().with_updated_since(parent_cursor).build(),
            _ideas_page(_an_idea("1001", updated_at=newer)),
        )
        http_mocker.get(
            AhaRequestBuilder.idea_comments_endpoint("1001").build(),
            _comments_page(
                _a_comment("2001", datetime(2024, 5, 5, tzinfo=timezone.utc)),
                _a_comment("2002", newer),
            ),
        )
        state = (
            StateBuilder()
            .with_stream_state(
                _STREAM_NAME,
                {
                    "use_global_cursor": True,
                    "state": {"updated_at": aha_timestamp(child_cursor)},
                    "lookback_window": 0,
                    "parent_state": {"ideas": {"updated_at": aha_timestamp(parent_cursor)}},
                },
            )
            .build()
        )

        output = self._read(ConfigBuilder().build(), state)

        assert _ids(output) == ["2002"]
        new_state = output.most_recent_state.stream_state.__dict__
        assert new_state["state"] == {"updated_at": aha_timestamp(newer)}
        assert new_state["parent_state"] == {"ideas": {"updated_at": aha_timestamp(newer)}}
