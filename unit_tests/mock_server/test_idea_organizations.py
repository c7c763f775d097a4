"""`idea_organizations`: GET /idea_organizations?fields=... (list rows lack `updated_at` unless
asked for), read whole every sync (a vote changes `endorsements_count` but not `updated_at`); an
Ideas Advanced feature, skipped on a 403."""

from __future__ import annotations

from unittest import TestCase

from unit_tests.mock_server.request_builder import AhaRequestBuilder
from unit_tests.mock_server.stream_scenarios import (
    FullRefreshOnlyScenarios,
    ListStreamScenarios,
    PlanFeatureScenarios,
    StreamCase,
)


class IdeaOrganizationsTest(
    ListStreamScenarios, FullRefreshOnlyScenarios, PlanFeatureScenarios, TestCase
):
    case = StreamCase(
        "idea_organizations",
        AhaRequestBuilder.idea_organizations_endpoint,
        plan_feature="Aha! Ideas Advanced (idea organizations)",
    )
