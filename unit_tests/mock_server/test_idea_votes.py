"""`idea_votes`: every vote, proxy or not: GET /ideas/endorsements (no `proxy`), incremental on
`updated_since`, the nested `idea` removed."""

from __future__ import annotations

from unittest import TestCase

from unit_tests.mock_server.deletes_scenarios import DeletesScenarios
from unit_tests.mock_server.request_builder import AhaRequestBuilder
from unit_tests.mock_server.stream_scenarios import (
    SERVER_SIDE,
    ListStreamScenarios,
    NestedIdeaRemovedScenarios,
    ServerSideIncrementalScenarios,
    StreamCase,
)


class IdeaVotesTest(
    ListStreamScenarios,
    ServerSideIncrementalScenarios,
    NestedIdeaRemovedScenarios,
    DeletesScenarios,
    TestCase,
):
    case = StreamCase("idea_votes", AhaRequestBuilder.idea_votes_endpoint, incremental=SERVER_SIDE)
