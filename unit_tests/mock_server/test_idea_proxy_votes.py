"""`idea_proxy_votes`: proxy votes, read account-wide or idea by idea.

Without an idea filter the stream is one list, GET /ideas/endorsements?proxy=true, incremental on
`updated_since`. With a filter (`ideas_workflow_status`, `ideas_q`, `q` or `max_ideas`) it reads
GET /ideas/{idea_id}/endorsements?proxy=true for each selected idea whose `endorsements_count`
is not 0, incremental on the client side under one global cursor. Either way the nested `idea`
object is removed.
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
    a_proxy_vote,
    a_response_with_status,
    aha_datetime,
    an_idea,
    ideas_response,
    proxy_votes_response,
)

_STREAM_NAME = "idea_proxy_votes"
_NOW = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)
_A_START_DATE = datetime(2024, 1, 1, tzinfo=timezone.utc)
_A_CURSOR = datetime(2024, 5, 1, 8, 30, tzinfo=timezone.utc)
_A_STATUS = "Under consideration"
_NO_STATE: list[Any] = []


def _an_idea(idea_id: str, endorsements_count: int = 1, updated_at: datetime = _A_CURSOR):
    return (
        an_idea()
        .with_id(idea_id)
        .with_cursor(aha_datetime(updated_at))
        .with_field(FieldPath("endorsements_count"), endorsements_count)
        .with_field(FieldPath("workflow_status"), _status("3259217", _A_STATUS))
    )


def _status(status_id: str, name: str) -> dict[str, Any]:
    return {"id": status_id, "name": name, "position": 2, "complete": False}


def _a_vote(vote_id: str, idea_id: str = "1001", updated_at: datetime = _A_CURSOR):
    return (
        a_proxy_vote()
        .with_id(vote_id)
        .with_cursor(aha_datetime(updated_at))
        .with_field(FieldPath("idea_id"), idea_id)
    )


def _ideas_page(*ideas, page: int = 1, total_pages: int = 1) -> HttpResponse:
    return ideas_response().with_records(*ideas).with_page(page, total_pages).build()


def _votes_page(*votes, page: int = 1, total_pages: int = 1) -> HttpResponse:
    return proxy_votes_response().with_records(*votes).with_page(page, total_pages).build()


def _ids(output: EntrypointOutput) -> list[str]:
    return sorted(message.record.data["id"] for message in output.records)


def _vote_to_idea(output: EntrypointOutput) -> dict[str, str]:
    return {m.record.data["id"]: m.record.data["idea_id"] for m in output.records}


def _filtered_ideas_request():
    return AhaRequestBuilder.ideas_endpoint().with_workflow_status(_A_STATUS)


@freezegun.freeze_time(_NOW.isoformat())
class AccountWideFullRefreshTest(TestCase):
    @staticmethod
    def _read(config: dict[str, Any], expecting_exception: bool = False) -> EntrypointOutput:
        return read_stream(
            _STREAM_NAME, SyncMode.full_refresh, config, expecting_exception=expecting_exception
        )

    @HttpMocker()
    def test_given_one_page_when_read_then_return_records_without_nested_idea(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(
            AhaRequestBuilder.account_proxy_votes_endpoint().build(),
            _votes_page(_a_vote("3001", "1001"), _a_vote("3002", "1002")),
        )

        output = self._read(ConfigBuilder().build())

        assert _vote_to_idea(output) == {"3001": "1001", "3002": "1002"}
        assert all("idea" not in message.record.data for message in output.records)
        assert not output.errors

    @HttpMocker()
    def test_given_two_pages_when_read_then_request_each_page_once(
        self, http_mocker: HttpMocker
    ) -> None:
        first_page = AhaRequestBuilder.account_proxy_votes_endpoint().build()
        http_mocker.get(first_page, _votes_page(_a_vote("3001"), page=1, total_pages=2))
        http_mocker.get(
            AhaRequestBuilder.account_proxy_votes_endpoint().with_page(2).build(),
            _votes_page(_a_vote("3002"), page=2, total_pages=2),
        )

        output = self._read(ConfigBuilder().build())

        assert _ids(output) == ["3001", "3002"]
        http_mocker.assert_number_of_calls(first_page, 1)

    @HttpMocker()
    def test_given_no_proxy_votes_when_read_then_no_records_and_no_error(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(
            AhaRequestBuilder.account_proxy_votes_endpoint().build(), _votes_page(total_pages=0)
        )

        output = self._read(ConfigBuilder().build())

        assert output.records == []
        assert not output.errors

    @HttpMocker()
    def test_given_http_status_401_when_read_then_config_error(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(
            AhaRequestBuilder.account_proxy_votes_endpoint().build(), a_response_with_status(401)
        )

        output = self._read(ConfigBuilder().build(), expecting_exception=True)

        assert output.records == []
        assert output.errors[-1].trace.error.failure_type == FailureType.config_error

    @HttpMocker()
    def test_given_http_status_429_then_200_when_read_then_return_records(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(
            AhaRequestBuilder.account_proxy_votes_endpoint().build(),
            [a_response_with_status(429, {"Retry-After": "1"}), _votes_page(_a_vote("3001"))],
        )

        output = self._read(ConfigBuilder().build())

        assert _ids(output) == ["3001"]
        assert not output.errors


@freezegun.freeze_time(_NOW.isoformat())
class PerIdeaFullRefreshTest(TestCase):
    @staticmethod
    def _read(config: dict[str, Any], expecting_exception: bool = False) -> EntrypointOutput:
        return read_stream(
            _STREAM_NAME, SyncMode.full_refresh, config, expecting_exception=expecting_exception
        )

    @HttpMocker()
    def test_given_one_page_when_read_then_return_records_with_their_idea_id_without_nested_idea(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(_filtered_ideas_request().build(), _ideas_page(_an_idea("1001")))
        # The per-idea answer names another idea: the partition's id wins.
        http_mocker.get(
            AhaRequestBuilder.idea_proxy_votes_endpoint("1001").build(),
            _votes_page(_a_vote("3001", "58056975"), _a_vote("3002", "58056975")),
        )

        output = self._read(ConfigBuilder().with_ideas_workflow_status(_A_STATUS).build())

        assert _vote_to_idea(output) == {"3001": "1001", "3002": "1001"}
        assert all("idea" not in message.record.data for message in output.records)
        assert not output.errors

    @HttpMocker()
    def test_given_two_pages_when_read_then_request_each_page_once(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(_filtered_ideas_request().build(), _ideas_page(_an_idea("1001")))
        first_page = AhaRequestBuilder.idea_proxy_votes_endpoint("1001").build()
        http_mocker.get(first_page, _votes_page(_a_vote("3001"), page=1, total_pages=2))
        http_mocker.get(
            AhaRequestBuilder.idea_proxy_votes_endpoint("1001").with_page(2).build(),
            _votes_page(_a_vote("3002"), page=2, total_pages=2),
        )

        output = self._read(ConfigBuilder().with_ideas_workflow_status(_A_STATUS).build())

        assert _ids(output) == ["3001", "3002"]
        http_mocker.assert_number_of_calls(first_page, 1)

    @HttpMocker()
    def test_given_no_proxy_votes_when_read_then_no_records_and_no_error(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(_filtered_ideas_request().build(), _ideas_page(_an_idea("1001")))
        http_mocker.get(
            AhaRequestBuilder.idea_proxy_votes_endpoint("1001").build(), _votes_page(total_pages=0)
        )

        output = self._read(ConfigBuilder().with_ideas_workflow_status(_A_STATUS).build())

        assert output.records == []
        assert not output.errors

    @HttpMocker()
    def test_given_ideas_with_and_without_votes_when_read_then_request_only_ideas_with_votes(
        self, http_mocker: HttpMocker
    ) -> None:
        # No request is mocked for 1002: asking for its votes would fail the read.
        http_mocker.get(
            _filtered_ideas_request().build(),
            _ideas_page(
                _an_idea("1001", endorsements_count=3),
                _an_idea("1002", endorsements_count=0),
                _an_idea("1003", endorsements_count=1),
            ),
        )
        http_mocker.get(
            AhaRequestBuilder.idea_proxy_votes_endpoint("1001").build(),
            _votes_page(_a_vote("3001"), _a_vote("3002")),
        )
        http_mocker.get(
            AhaRequestBuilder.idea_proxy_votes_endpoint("1003").build(),
            _votes_page(_a_vote("3003")),
        )

        output = self._read(ConfigBuilder().with_ideas_workflow_status(_A_STATUS).build())

        assert _vote_to_idea(output) == {"3001": "1001", "3002": "1001", "3003": "1003"}
        assert not output.errors

    @HttpMocker()
    def test_given_http_status_401_when_read_then_config_error(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(_filtered_ideas_request().build(), _ideas_page(_an_idea("1001")))
        http_mocker.get(
            AhaRequestBuilder.idea_proxy_votes_endpoint("1001").build(),
            a_response_with_status(401),
        )

        output = self._read(
            ConfigBuilder().with_ideas_workflow_status(_A_STATUS).build(), expecting_exception=True
        )

        assert output.records == []
        assert output.errors[-1].trace.error.failure_type == FailureType.config_error

    @HttpMocker()
    def test_given_http_status_429_then_200_when_read_then_return_records(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(_filtered_ideas_request().build(), _ideas_page(_an_idea("1001")))
        http_mocker.get(
            AhaRequestBuilder.idea_proxy_votes_endpoint("1001").build(),
            [a_response_with_status(429, {"Retry-After": "1"}), _votes_page(_a_vote("3001"))],
        )

        output = self._read(ConfigBuilder().with_ideas_workflow_status(_A_STATUS).build())

        assert _ids(output) == ["3001"]
        assert not output.errors

    @HttpMocker()
    def test_given_workflow_status_name_when_read_then_only_votes_of_matching_ideas(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(
            AhaRequestBuilder.ideas_endpoint().with_workflow_status("shipped").build(),
            _ideas_page(
                _an_idea("1001").with_field(FieldPath("workflow_status"), _status("7", "Shipped")),
                _an_idea("1002").with_field(FieldPath("workflow_status"), _status("8", "New")),
            ),
        )
        http_mocker.get(
            AhaRequestBuilder.idea_proxy_votes_endpoint("1001").build(),
            _votes_page(_a_vote("3001")),
        )

        output = self._read(ConfigBuilder().with_ideas_workflow_status("shipped").build())

        assert _vote_to_idea(output) == {"3001": "1001"}
        assert not output.errors

    @HttpMocker()
    def test_given_workflow_status_id_when_read_then_only_votes_of_matching_ideas(
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
            AhaRequestBuilder.idea_proxy_votes_endpoint("1002").build(),
            _votes_page(_a_vote("3002")),
        )

        output = self._read(ConfigBuilder().with_ideas_workflow_status("7").build())

        assert _vote_to_idea(output) == {"3002": "1002"}
        assert not output.errors

    @HttpMocker()
    def test_given_ideas_q_when_read_then_only_votes_of_matching_ideas(
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
            AhaRequestBuilder.idea_proxy_votes_endpoint("1001").build(),
            _votes_page(_a_vote("3001")),
        )

        output = self._read(ConfigBuilder().with_ideas_q("sso").build())

        assert _vote_to_idea(output) == {"3001": "1001"}
        assert not output.errors

    @HttpMocker()
    def test_given_alias_q_when_read_then_only_votes_of_matching_ideas(
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
            AhaRequestBuilder.idea_proxy_votes_endpoint("1002").build(),
            _votes_page(_a_vote("3002")),
        )

        output = self._read(ConfigBuilder().with_q("sso").build())

        assert _vote_to_idea(output) == {"3002": "1002"}
        assert not output.errors

    @HttpMocker()
    def test_given_max_ideas_3_when_read_then_votes_of_the_first_3_ideas_only(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(
            AhaRequestBuilder.ideas_endpoint().with_per_page(3).build(),
            _ideas_page(*(_an_idea(f"{1001 + n}") for n in range(3)), page=1, total_pages=2),
        )
        for n in range(3):
            http_mocker.get(
                AhaRequestBuilder.idea_proxy_votes_endpoint(f"{1001 + n}").build(),
                _votes_page(_a_vote(f"{3001 + n}")),
            )

        output = self._read(ConfigBuilder().with_max_ideas(3).build())

        assert _ids(output) == ["3001", "3002", "3003"]
        assert not output.errors

    @HttpMocker()
    def test_given_max_ideas_250_when_read_then_votes_of_exactly_the_first_250_ideas(
        self, http_mocker: HttpMocker
    ) -> None:
        # Only the first, the 250th and the 251st idea have votes; the 251st is past the limit.
        with_votes = {"0", "249", "250"}

        def idea(n: int):
            return _an_idea(str(n), endorsements_count=1 if str(n) in with_votes else 0)

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
                AhaRequestBuilder.idea_proxy_votes_endpoint(idea_id).build(),
                _votes_page(_a_vote(f"v{idea_id}")),
            )

        output = self._read(ConfigBuilder().with_max_ideas(250).build())

        assert _vote_to_idea(output) == {"v0": "0", "v249": "249"}
        assert not output.errors


@freezegun.freeze_time(_NOW.isoformat())
class IncrementalTest(TestCase):
    @staticmethod
    def _read(config: dict[str, Any], state: list[Any] | None = None) -> EntrypointOutput:
        return read_stream(_STREAM_NAME, SyncMode.incremental, config, state)

    @HttpMocker()
    def test_given_no_state_when_read_account_wide_then_state_is_most_recent_cursor(
        self, http_mocker: HttpMocker
    ) -> None:
        latest = datetime(2024, 5, 20, 9, 15, 30, 123000, tzinfo=timezone.utc)
        http_mocker.get(
            AhaRequestBuilder.account_proxy_votes_endpoint().build(),
            _votes_page(
                _a_vote("3001", updated_at=datetime(2024, 5, 2, tzinfo=timezone.utc)),
                _a_vote("3002", updated_at=latest),
            ),
        )

        output = self._read(ConfigBuilder().build(), _NO_STATE)

        assert _ids(output) == ["3001", "3002"]
        assert output.most_recent_state.stream_state.__dict__ == {
            "updated_at": aha_timestamp(latest)
        }

    @HttpMocker()
    def test_given_start_date_when_read_account_wide_then_updated_since_is_start_date(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(
            AhaRequestBuilder.account_proxy_votes_endpoint()
            .with_updated_since(_A_START_DATE)
            .build(),
            _votes_page(_a_vote("3001")),
        )

        output = self._read(ConfigBuilder().with_start_date("2024-01-01T00:00:00Z").build())

        assert _ids(output) == ["3001"]
        # request matched http_mocker

    @HttpMocker()
    def test_given_state_when_read_account_wide_then_updated_since_is_state_cursor(
        self, http_mocker: HttpMocker
    ) -> None:
        newer = datetime(2024, 5, 25, tzinfo=timezone.utc)
        http_mocker.get(
            AhaRequestBuilder.account_proxy_votes_endpoint().with_updated_since(_A_CURSOR).build(),
            _votes_page(_a_vote("3001", updated_at=newer)),
        )
        state = (
            StateBuilder()
            .with_stream_state(_STREAM_NAME, {"updated_at": aha_timestamp(_A_CURSOR)})
            .build()
        )

        output = self._read(ConfigBuilder().build(), state)

        assert _ids(output) == ["3001"]
        assert output.most_recent_state.stream_state.__dict__ == {
            "updated_at": aha_timestamp(newer)
        }

    @HttpMocker()
    def test_given_no_state_when_read_per_idea_then_state_is_global_cursor_with_parent_state(
        self, http_mocker: HttpMocker
    ) -> None:
        latest = datetime(2024, 5, 20, 9, 15, 30, 123000, tzinfo=timezone.utc)
        idea_updated = datetime(2024, 5, 21, tzinfo=timezone.utc)
        http_mocker.get(
            _filtered_ideas_request().build(),
            _ideas_page(_an_idea("1001", updated_at=idea_updated)),
        )
        http_mocker.get(
            AhaRequestBuilder.idea_proxy_votes_endpoint("1001").build(),
            _votes_page(
                _a_vote("3001", updated_at=datetime(2024, 5, 2, tzinfo=timezone.utc)),
                _a_vote("3002", updated_at=latest),
            ),
        )

        output = self._read(ConfigBuilder().with_ideas_workflow_status(_A_STATUS).build())

        assert _ids(output) == ["3001", "3002"]
        state = output.most_recent_state.stream_state.__dict__
        assert state["state"] == {"updated_at": aha_timestamp(latest)}
        assert state["parent_state"] == {"ideas": {"updated_at": aha_timestamp(idea_updated)}}

    @HttpMocker()
    def test_given_state_when_read_per_idea_then_parent_updated_since_is_parent_state(
        self, http_mocker: HttpMocker
    ) -> None:
        parent_cursor = datetime(2024, 5, 1, tzinfo=timezone.utc)
        child_cursor = datetime(2024, 5, 10, tzinfo=timezone.utc)
        newer = datetime(2024, 5, 15, tzinfo=timezone.utc)
        http_mocker.get(
            _filtered_ideas_request().with_updated_since(parent_cursor).build(),
            _ideas_page(_an_idea("1001", updated_at=newer)),
        )
        http_mocker.get(
            AhaRequestBuilder.idea_proxy_votes_endpoint("1001").build(),
            _votes_page(
                _a_vote("3001", updated_at=datetime(2024, 5, 5, tzinfo=timezone.utc)),
                _a_vote("3002", updated_at=newer),
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

        output = self._read(ConfigBuilder().with_ideas_workflow_status(_A_STATUS).build(), state)

        assert _ids(output) == ["3002"]
        assert output.most_recent_state.stream_state.__dict__["state"] == {
            "updated_at": aha_timestamp(newer)
        }

    @HttpMocker()
    def test_given_account_wide_state_when_read_per_idea_then_cursor_serves_parent_and_votes(
        self, http_mocker: HttpMocker
    ) -> None:
        # A filter set after account-wide syncs: the saved cursor becomes the parent's
        # `updated_since` and drops older votes on the client side.
        http_mocker.get(
            _filtered_ideas_request().with_updated_since(_A_CURSOR).build(),
            _ideas_page(_an_idea("1001")),
        )
        http_mocker.get(
            AhaRequestBuilder.idea_proxy_votes_endpoint("1001").build(),
            _votes_page(
                _a_vote("3001", updated_at=datetime(2024, 4, 1, tzinfo=timezone.utc)),
                _a_vote("3002", updated_at=datetime(2024, 5, 15, tzinfo=timezone.utc)),
            ),
        )
        state = (
            StateBuilder()
            .with_stream_state(_STREAM_NAME, {"updated_at": aha_timestamp(_A_CURSOR)})
            .build()
        )

        output = self._read(ConfigBuilder().with_ideas_workflow_status(_A_STATUS).build(), state)

        assert _ids(output) == ["3002"]
