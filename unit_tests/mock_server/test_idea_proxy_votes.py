"""`idea_proxy_votes`: proxy votes, read account-wide or idea by idea.

Without an idea filter the stream is one list, GET /ideas/endorsements?proxy=true, incremental on
`updated_since`. With a filter (`ideas_workflow_status`, `ideas_q`, `q` or `max_ideas`) it reads
GET /ideas/{idea_id}/endorsements?proxy=true for each selected idea whose `endorsements_count`
is not 0, incremental on the client side under one global cursor. Either way the nested `idea`
object is removed. The state one layout leaves is taken up by the other when the filter changes.
"""

from __future__ import annotations

from datetime import datetime, timezone
from unittest import TestCase

from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.deletes_scenarios import DeletesScenarios
from unit_tests.mock_server.request_builder import AhaRequestBuilder
from unit_tests.mock_server.stream_scenarios import (
    A_CURSOR,
    IDEAS_IN_STATUS_PARENT,
    SERVER_SIDE,
    TEMPLATE_IDEAS_STATUS,
    ClientSideIncrementalScenarios,
    FanOutScenarios,
    IdeaSelectionScenarios,
    ListStreamScenarios,
    NestedIdeaRemovedScenarios,
    ServerSideIncrementalScenarios,
    StartDateScenarios,
    StreamCase,
    ZeroCountSkipScenarios,
    per_idea_case,
    record_ids,
    stream_state,
    with_http_mocker,
)

ACCOUNT_WIDE = StreamCase(
    "idea_proxy_votes", AhaRequestBuilder.account_proxy_votes_endpoint, incremental=SERVER_SIDE
)
# Any idea filter makes the read per idea; the template's ideas are in this status.
PER_IDEA = per_idea_case(
    "idea_proxy_votes",
    AhaRequestBuilder.idea_proxy_votes_endpoint,
    parent=IDEAS_IN_STATUS_PARENT,
    config=lambda: ConfigBuilder().with_ideas_workflow_status(TEMPLATE_IDEAS_STATUS),
    count_field="endorsements_count",
)


class IdeaProxyVotesAccountWideTest(
    ListStreamScenarios,
    ServerSideIncrementalScenarios,
    StartDateScenarios,
    NestedIdeaRemovedScenarios,
    DeletesScenarios,
    TestCase,
):
    case = ACCOUNT_WIDE

    @with_http_mocker
    def test_given_per_idea_state_when_read_account_wide_then_updated_since_is_its_cursor(
        self, http_mocker: HttpMocker
    ) -> None:
        # The filter was cleared after per-idea syncs: their votes cursor carries over, and the
        # state takes the account-wide layout again.
        ideas_cursor = datetime(2024, 4, 1, tzinfo=timezone.utc)
        per_idea_state = stream_state(PER_IDEA, A_CURSOR, ideas_cursor)
        self.assert_state_cursor_sent_and_moved_on(http_mocker, per_idea_state)


class IdeaProxyVotesPerIdeaTest(
    ListStreamScenarios,
    FanOutScenarios,
    ClientSideIncrementalScenarios,
    IdeaSelectionScenarios,
    ZeroCountSkipScenarios,
    NestedIdeaRemovedScenarios,
    DeletesScenarios,
    TestCase,
):
    case = PER_IDEA

    @with_http_mocker
    def test_given_account_wide_state_when_read_per_idea_then_cursor_serves_parent_and_votes(
        self, http_mocker: HttpMocker
    ) -> None:
        # A filter set after account-wide syncs: the saved cursor becomes the parent's
        # `updated_since` and drops older votes on the client side.
        self.given_parents(http_mocker, updated_since=A_CURSOR)
        http_mocker.get(
            self.request().build(),
            self.page(
                self.record("7001", datetime(2024, 4, 1, tzinfo=timezone.utc)),
                self.record("7002", datetime(2024, 5, 15, tzinfo=timezone.utc)),
            ),
        )

        output = self.read(SyncMode.incremental, stream_state(ACCOUNT_WIDE, A_CURSOR))

        assert record_ids(output) == ["7002"]
