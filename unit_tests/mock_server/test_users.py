"""`users`: the account's users, GET /users (no `updated_since` on this endpoint), filtered on
`updated_at` on the client."""

from __future__ import annotations

from unittest import TestCase

from unit_tests.mock_server.deletes_scenarios import DeletesScenarios
from unit_tests.mock_server.request_builder import AhaRequestBuilder
from unit_tests.mock_server.stream_scenarios import (
    CLIENT_SIDE,
    ClientSideIncrementalScenarios,
    ListStreamScenarios,
    StreamCase,
)


class UsersTest(ListStreamScenarios, ClientSideIncrementalScenarios, DeletesScenarios, TestCase):
    case = StreamCase("users", AhaRequestBuilder.users_endpoint, incremental=CLIENT_SIDE)
