"""`workflows`: GET /products/{product_id}/workflows for every product, read whole, with the
product's id added as `product_id` (the key is product and workflow: account-level workflows
are listed under every product); the workflow `id` is a JSON number."""

from __future__ import annotations

import json
from unittest import TestCase

from airbyte_cdk.test.mock_http import HttpMocker, HttpResponse
from airbyte_cdk.test.mock_http.response_builder import RecordBuilder

from unit_tests.mock_server.response_builder import JSON_HEADERS, a_record_of
from unit_tests.mock_server.stream_scenarios import (
    PRODUCTS_PARENT,
    FanOutScenarios,
    FullRefreshOnlyScenarios,
    ListStreamScenarios,
    StreamCase,
    with_http_mocker,
)


class WorkflowsTest(ListStreamScenarios, FanOutScenarios, FullRefreshOnlyScenarios, TestCase):
    case = StreamCase("workflows", parent=PRODUCTS_PARENT)

    def record(self, record_id: str, *args: object) -> RecordBuilder:
        return a_record_of("workflows", with_cursor=False).with_id(int(record_id))

    @with_http_mocker
    def test_given_an_answer_without_pagination_when_read_then_one_request_per_product(
        self, http_mocker: HttpMocker
    ) -> None:
        # As documented: `{"workflows": [...]}` and no `pagination` block.
        first, second = PRODUCTS_PARENT.ids
        self.given_parents(http_mocker, first, second)
        body = json.dumps({"workflows": [self.record("80245244").build()]})
        requests = [self.request(product_id).build() for product_id in (first, second)]
        for request in requests:
            http_mocker.get(request, HttpResponse(body, 200, JSON_HEADERS))

        output = self.read()

        keys = sorted((m.record.data["product_id"], m.record.data["id"]) for m in output.records)
        assert keys == sorted([(first, 80245244), (second, 80245244)])
        assert not output.errors
        self.assert_records_match_the_schema(output)
        for request in requests:
            http_mocker.assert_number_of_calls(request, 1)
