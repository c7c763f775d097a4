"""`idea_comments`: GET /ideas/{idea_id}/idea_comments for every idea with comments.

The parent is a copy of `ideas` that drops ideas whose `comments_count` is 0; comments are
incremental on the client side under one global cursor, and the parent is read incrementally
from the `parent_state` saved with it (`incremental_dependency`).
"""

from __future__ import annotations

from unittest import TestCase

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.mock_server.deletes_scenarios import DeletesScenarios
from unit_tests.mock_server.request_builder import AhaRequestBuilder
from unit_tests.mock_server.response_builder import a_response_with_status
from unit_tests.mock_server.stream_scenarios import (
    ClientSideIncrementalScenarios,
    FanOutScenarios,
    IdeaSelectionScenarios,
    InvalidJsonRetryScenarios,
    ListStreamScenarios,
    ZeroCountSkipScenarios,
    an_idea_with,
    per_idea_case,
    record_to_parent,
    with_http_mocker,
)


class IdeaCommentsTest(
    ListStreamScenarios,
    FanOutScenarios,
    ClientSideIncrementalScenarios,
    IdeaSelectionScenarios,
    ZeroCountSkipScenarios,
    InvalidJsonRetryScenarios,
    DeletesScenarios,
    TestCase,
):
    case = per_idea_case(
        "idea_comments", AhaRequestBuilder.idea_comments_endpoint, count_field="comments_count"
    )

    @with_http_mocker
    def test_given_numeric_idea_id_when_read_then_idea_id_stays_a_string(
        self, http_mocker: HttpMocker
    ) -> None:
        idea_id = "6776881149499462668"
        self.given_parents(http_mocker, idea_id)
        http_mocker.get(self.request(idea_id).build(), self.page(self.record("2001")))

        output = self.read()

        assert [m.record.data["idea_id"] for m in output.records] == [idea_id]

    @with_http_mocker
    def test_given_two_pages_of_ideas_when_read_then_comments_of_both_pages(
        self, http_mocker: HttpMocker
    ) -> None:
        self.given_ideas(
            http_mocker,
            AhaRequestBuilder.ideas_endpoint,
            [an_idea_with("1001")],
            [an_idea_with("1002")],
        )
        for idea_id, comment_id in (("1001", "2001"), ("1002", "2002")):
            http_mocker.get(self.request(idea_id).build(), self.page(self.record(comment_id)))

        output = self.read()

        assert record_to_parent(output, "idea_id") == {"2001": "1001", "2002": "1002"}

    @with_http_mocker
    def test_given_idea_deleted_during_sync_when_read_then_skip_it_and_read_the_others(
        self, http_mocker: HttpMocker
    ) -> None:
        self.given_parents(http_mocker, "1001", "1002")
        http_mocker.get(self.request("1001").build(), a_response_with_status(404))
        http_mocker.get(self.request("1002").build(), self.page(self.record("2002")))

        output = self.read()

        assert record_to_parent(output, "idea_id") == {"2002": "1002"}
        assert not output.errors
