"""`idea_internal_comments`: the team's comments on each idea, GET /ideas/{idea_id}/comments for
every idea the incremental `ideas` read returns, filtered on `updated_at` on the client under one
global cursor that also keeps the parent's."""

from __future__ import annotations

from unittest import TestCase

from airbyte_cdk.test.mock_http import HttpMocker
from airbyte_cdk.test.mock_http.response_builder import FieldPath

from unit_tests.mock_server.deletes_scenarios import DeletesScenarios
from unit_tests.mock_server.request_builder import AhaRequestBuilder
from unit_tests.mock_server.response_builder import an_idea, ideas_response
from unit_tests.mock_server.stream_scenarios import (
    ClientSideIncrementalScenarios,
    FanOutScenarios,
    ListStreamScenarios,
    per_idea_case,
    with_http_mocker,
)


class IdeaInternalCommentsTest(
    ListStreamScenarios, FanOutScenarios, ClientSideIncrementalScenarios, DeletesScenarios, TestCase
):
    case = per_idea_case(
        "idea_internal_comments", AhaRequestBuilder.idea_internal_comments_endpoint
    )

    @with_http_mocker
    def test_given_ideas_without_portal_comments_when_read_then_every_idea_is_asked(
        self, http_mocker: HttpMocker
    ) -> None:
        # `comments_count` counts the portal conversation only, so it cannot skip an idea here.
        http_mocker.get(
            AhaRequestBuilder.ideas_endpoint().build(),
            ideas_response()
            .with_records(
                an_idea().with_id("1001").with_field(FieldPath("comments_count"), 0),
                an_idea().with_id("1002").with_field(FieldPath("comments_count"), 3),
            )
            .build(),
        )
        for idea_id, comment_id in (("1001", "7001"), ("1002", "7002")):
            http_mocker.get(self.request(idea_id).build(), self.page(self.record(comment_id)))

        output = self.read()

        assert {m.record.data["id"]: m.record.data["idea_id"] for m in output.records} == {
            "7001": "1001",
            "7002": "1002",
        }
