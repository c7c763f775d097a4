"""`teams`: GET /teams?fields=..., read whole (rows have no `updated_at`); an Aha! Roadmaps
feature, skipped on a 403."""

from __future__ import annotations

from unittest import TestCase

from unit_tests.mock_server.stream_scenarios import (
    FullRefreshOnlyScenarios,
    ListStreamScenarios,
    PlanFeatureScenarios,
    StreamCase,
)


class TeamsTest(ListStreamScenarios, FullRefreshOnlyScenarios, PlanFeatureScenarios, TestCase):
    case = StreamCase("teams", plan_feature="Aha! Roadmaps")
