"""`features`: GET /features?fields=...&updated_since=... (list rows lack `updated_at` unless
asked for), incremental on the server; an Aha! Roadmaps feature, skipped on a 403."""

from __future__ import annotations

from unittest import TestCase

from unit_tests.mock_server.deletes_scenarios import DeletesScenarios
from unit_tests.mock_server.request_builder import AhaRequestBuilder
from unit_tests.mock_server.stream_scenarios import (
    SERVER_SIDE,
    ListStreamScenarios,
    PlanFeatureScenarios,
    ServerSideIncrementalScenarios,
    StreamCase,
)


class FeaturesTest(
    ListStreamScenarios,
    ServerSideIncrementalScenarios,
    PlanFeatureScenarios,
    DeletesScenarios,
    TestCase,
):
    case = StreamCase(
        "features",
        AhaRequestBuilder.features_endpoint,
        incremental=SERVER_SIDE,
        plan_feature="Aha! Roadmaps",
    )
