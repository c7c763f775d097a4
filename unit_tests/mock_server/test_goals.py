"""`goals`: GET /goals (no `updated_since` on this endpoint), filtered on `updated_at` on the
client; an Aha! Roadmaps feature, skipped on a 403."""

from __future__ import annotations

from unittest import TestCase

from unit_tests.mock_server.deletes_scenarios import DeletesScenarios
from unit_tests.mock_server.request_builder import AhaRequestBuilder
from unit_tests.mock_server.stream_scenarios import (
    CLIENT_SIDE,
    ClientSideIncrementalScenarios,
    ListStreamScenarios,
    PlanFeatureScenarios,
    StreamCase,
)


class GoalsTest(
    ListStreamScenarios,
    ClientSideIncrementalScenarios,
    PlanFeatureScenarios,
    DeletesScenarios,
    TestCase,
):
    case = StreamCase(
        "goals",
        AhaRequestBuilder.goals_endpoint,
        incremental=CLIENT_SIDE,
        plan_feature="Aha! Roadmaps",
    )
