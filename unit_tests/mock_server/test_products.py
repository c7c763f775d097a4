"""`products`: GET /products?fields=...&updated_since=..., incremental on the server."""

from __future__ import annotations

from unittest import TestCase

from unit_tests.mock_server.deletes_scenarios import DeletesScenarios
from unit_tests.mock_server.request_builder import AhaRequestBuilder
from unit_tests.mock_server.stream_scenarios import (
    SERVER_SIDE,
    ListStreamScenarios,
    ServerSideIncrementalScenarios,
    StreamCase,
)


class ProductsTest(ListStreamScenarios, ServerSideIncrementalScenarios, DeletesScenarios, TestCase):
    case = StreamCase("products", AhaRequestBuilder.products_endpoint, incremental=SERVER_SIDE)
