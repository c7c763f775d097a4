"""`tasks` (to-dos and approvals): GET /tasks?fields=...&updated_since=... (list rows lack
`updated_at` unless asked for), incremental on the server."""

from __future__ import annotations

from unittest import TestCase

from unit_tests.mock_server.deletes_scenarios import DeletesScenarios
from unit_tests.mock_server.stream_scenarios import (
    SERVER_SIDE,
    InvalidJsonRetryScenarios,
    ListStreamScenarios,
    ServerSideIncrementalScenarios,
    StartDateScenarios,
    StreamCase,
)


class TasksTest(
    ListStreamScenarios,
    ServerSideIncrementalScenarios,
    StartDateScenarios,
    InvalidJsonRetryScenarios,
    DeletesScenarios,
    TestCase,
):
    case = StreamCase("tasks", incremental=SERVER_SIDE)
