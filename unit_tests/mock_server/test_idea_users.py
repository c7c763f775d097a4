"""`idea_users`: the ideas portal contacts, GET /idea_users, read whole (rows have no
`updated_at`)."""

from __future__ import annotations

from unittest import TestCase

from unit_tests.mock_server.request_builder import AhaRequestBuilder
from unit_tests.mock_server.stream_scenarios import (
    FullRefreshOnlyScenarios,
    ListStreamScenarios,
    StreamCase,
)


class IdeaUsersTest(ListStreamScenarios, FullRefreshOnlyScenarios, TestCase):
    case = StreamCase("idea_users", AhaRequestBuilder.idea_users_endpoint)
