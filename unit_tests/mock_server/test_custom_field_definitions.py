"""`custom_field_definitions`: GET /custom_field_definitions, read whole (one answer, no paging
in Aha!'s example; a 403 skips it with one warning)."""

from __future__ import annotations

import json
from unittest import TestCase

from airbyte_cdk.test.mock_http import HttpMocker, HttpResponse

from unit_tests.mock_server.response_builder import JSON_HEADERS
from unit_tests.mock_server.stream_scenarios import (
    FullRefreshOnlyScenarios,
    ListStreamScenarios,
    PlanFeatureScenarios,
    StreamCase,
    with_http_mocker,
)


class CustomFieldDefinitionsTest(
    ListStreamScenarios, FullRefreshOnlyScenarios, PlanFeatureScenarios, TestCase
):
    case = StreamCase("custom_field_definitions", plan_feature="Aha!'s custom field definitions")

    @with_http_mocker
    def test_given_an_answer_without_pagination_when_read_then_one_request_and_every_row(
        self, http_mocker: HttpMocker
    ) -> None:
        request = self.request().build()
        rows = [self.record(row_id).build() for row_id in ("7001", "7002")]
        body = json.dumps({"custom_field_definitions": rows})
        http_mocker.get(request, HttpResponse(body, 200, JSON_HEADERS))

        output = self.read()

        assert [m.record.data["id"] for m in output.records] == ["7001", "7002"]
        http_mocker.assert_number_of_calls(request, 1)
        assert not output.errors
