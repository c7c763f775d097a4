"""`idea_portal_users`: GET /idea_portals/{idea_portal_id}/portal_users for every portal, read
whole (rows have no `updated_at`), with the portal's id added as `idea_portal_id`."""

from __future__ import annotations

from unittest import TestCase

from unit_tests.mock_server.request_builder import AhaRequestBuilder
from unit_tests.mock_server.stream_scenarios import (
    FanOutScenarios,
    FullRefreshOnlyScenarios,
    ListStreamScenarios,
    Parent,
    StreamCase,
)

IDEA_PORTALS_PARENT = Parent(
    "idea_portals",
    "idea_portal_id",
    AhaRequestBuilder.idea_portals_endpoint,
    ("6776900007126972956", "6776900007126972957"),
    has_cursor=False,
)


class IdeaPortalUsersTest(ListStreamScenarios, FanOutScenarios, FullRefreshOnlyScenarios, TestCase):
    case = StreamCase("idea_portal_users", parent=IDEA_PORTALS_PARENT)
