"""`idea_organizations`: GET /idea_organizations?fields=... (list rows lack `updated_at` unless
asked for), filtered on `updated_at` on the client; an Ideas Advanced feature, skipped on a 403."""

from __future__ import annotations

from unittest import TestCase

from unit_tests.mock_server.request_builder import AhaRequestBuilder
from unit_tests.mock_server.stream_scenarios import (
    CLIENT_SIDE,
    ClientSideIncrementalScenarios,
    ListStreamScenarios,
    PlanFeatureScenarios,
    StreamCase,
)


class IdeaOrganizationsTest(
    ListStreamScenarios, ClientSideIncrementalScenarios, PlanFeatureScenarios, TestCase
):
    case = StreamCase(
        "idea_organizations",
        AhaRequestBuilder.idea_organizations_endpoint,
        incremental=CLIENT_SIDE,
        plan_feature="Aha! Ideas Advanced (idea organizations)",
    )
