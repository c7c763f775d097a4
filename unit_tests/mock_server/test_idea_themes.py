"""`idea_themes`: GET /idea_themes, read whole (Aha! documents only `page` and `per_page`)."""

from __future__ import annotations

from unittest import TestCase

from unit_tests.mock_server.stream_scenarios import (
    FullRefreshOnlyScenarios,
    ListStreamScenarios,
    StreamCase,
)


class IdeaThemesTest(ListStreamScenarios, FullRefreshOnlyScenarios, TestCase):
    case = StreamCase("idea_themes")
