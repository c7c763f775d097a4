"""`idea_portals`: GET /idea_portals, read whole (rows have no `updated_at`)."""

from __future__ import annotations

from unittest import TestCase

from unit_tests.mock_server.request_builder import AhaRequestBuilder
from unit_tests.mock_server.stream_scenarios import (
    FullRefreshOnlyScenarios,
    ListStreamScenarios,
    StreamCase,
)


class IdeaPortalsTest(ListStreamScenarios, FullRefreshOnlyScenarios, TestCase):
    case = StreamCase("idea_portals", AhaRequestBuilder.idea_portals_endpoint)
