"""`idea_subscriptions`: the portal users following each idea, GET /ideas/{idea_id}/subscriptions
for every idea the incremental `ideas` read returns (Aha! gives no count to skip ideas by),
filtered on `created_at` on the client (subscriptions are never edited) under one global cursor
that also keeps the parent's; offered only with `read_idea_subscriptions`."""

from __future__ import annotations

from unittest import TestCase

from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.stream_scenarios import (
    ClientSideIncrementalScenarios,
    FanOutScenarios,
    ListStreamScenarios,
    per_idea_case,
)


class IdeaSubscriptionsTest(
    ListStreamScenarios, FanOutScenarios, ClientSideIncrementalScenarios, TestCase
):
    case = per_idea_case(
        "idea_subscriptions",
        cursor_field="created_at",
        config=lambda: ConfigBuilder().with_idea_subscriptions(),
    )
