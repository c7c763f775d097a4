"""`idea_votes`: every vote, proxy or not: GET /ideas/endorsements (no `proxy`), incremental on
`updated_since`, the nested `idea` removed."""

from __future__ import annotations

from unittest import TestCase

from airbyte_cdk.test.mock_http import HttpMocker
from airbyte_cdk.test.mock_http.response_builder import FieldPath

from unit_tests.mock_server.request_builder import AhaRequestBuilder
from unit_tests.mock_server.stream_scenarios import (
    SERVER_SIDE,
    ListStreamScenarios,
    ServerSideIncrementalScenarios,
    StreamCase,
    with_http_mocker,
)


class IdeaVotesTest(ListStreamScenarios, ServerSideIncrementalScenarios, TestCase):
    case = StreamCase("idea_votes", AhaRequestBuilder.idea_votes_endpoint, incremental=SERVER_SIDE)

    @with_http_mocker
    def test_given_votes_when_read_then_nested_idea_removed_and_idea_id_kept(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(
            self.request().build(),
            self.page(
                self.record("7001").with_field(FieldPath("idea_id"), "1001"),
                self.record("7002").with_field(FieldPath("idea_id"), "1002"),
            ),
        )

        output = self.read()

        assert {m.record.data["id"]: m.record.data["idea_id"] for m in output.records} == {
            "7001": "1001",
            "7002": "1002",
        }
        assert all("idea" not in message.record.data for message in output.records)
