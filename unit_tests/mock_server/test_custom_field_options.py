"""`custom_field_options`: GET /custom_field_definitions/{id}/options for each select field only,
read whole; keyed by `id`, a copy of the option's id (`value`), and stamped with the
definition's id."""

from __future__ import annotations

import json
from typing import Any
from unittest import TestCase

from airbyte_cdk.models import AirbyteStreamStatus, SyncMode
from airbyte_cdk.test.mock_http import HttpMocker, HttpResponse
from airbyte_cdk.test.mock_http.response_builder import find_template

from unit_tests.conftest import read_stream
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.request_builder import AhaRequestBuilder
from unit_tests.mock_server.response_builder import JSON_HEADERS, a_response_with_status
from unit_tests.mock_server.stream_scenarios import stream_schemas, warnings, with_http_mocker

SELECT, MULTI, DATE = "581360680", "581360683", "581360681"


def json_answer(body: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(body), status, JSON_HEADERS)


def a_definition(definition_id: str, kind: str) -> dict[str, Any]:
    return {"id": definition_id, "key": f"k{definition_id}", "name": "Field",
            "type": f"CustomFieldDefinitions::{kind}", "custom_fieldable_type": "Feature",
            "internal_name": None}  # fmt: skip


def options_request(definition_id: str) -> Any:
    return AhaRequestBuilder.endpoint("custom_field_options", definition_id).build()


class CustomFieldOptionsTest(TestCase):
    def given_definitions(self, http_mocker: HttpMocker) -> None:
        rows = [a_definition(SELECT, "SelectConstant"), a_definition(DATE, "DateField"),
                a_definition(MULTI, "SelectMultipleConstant")]  # fmt: skip
        http_mocker.get(
            AhaRequestBuilder.endpoint("custom_field_definitions").build(),
            json_answer({"custom_field_definitions": rows}),
        )

    def read(self) -> Any:
        return read_stream("custom_field_options", SyncMode.full_refresh, ConfigBuilder().build())

    @with_http_mocker
    def test_given_select_and_other_fields_when_read_then_only_select_fields_are_asked(
        self, http_mocker: HttpMocker
    ) -> None:
        self.given_definitions(http_mocker)
        template = find_template("custom_field_options", __file__)
        select_request = options_request(SELECT)
        http_mocker.get(select_request, json_answer(template))
        other = {"options": [{"text": "Docs", "value": "1", "meta": {}}]}
        http_mocker.get(options_request(MULTI), json_answer(other))

        output = self.read()

        got = sorted((m.record.data["custom_field_definition_id"], m.record.data["id"],
                      m.record.data["text"]) for m in output.records)  # fmt: skip
        assert all(m.record.data["id"] == m.record.data["value"] for m in output.records)
        assert got == [(SELECT, "486420793", "P1"), (SELECT, "486420794", "P2"),
                       (MULTI, "1", "Docs")]  # fmt: skip
        http_mocker.assert_number_of_calls(select_request, 1)  # no page 2
        assert not output.errors
        schema = stream_schemas()["custom_field_options"]
        assert schema["required"] == ["id", "custom_field_definition_id", "value"]

    @with_http_mocker
    def test_given_no_select_field_when_read_then_no_options_request(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(
            AhaRequestBuilder.endpoint("custom_field_definitions").build(),
            json_answer({"custom_field_definitions": [a_definition(DATE, "DateField")]}),
        )

        output = self.read()

        assert output.records == []
        assert not output.errors

    @with_http_mocker
    def test_given_http_status_403_when_read_then_no_records_no_error_and_one_warning(
        self, http_mocker: HttpMocker
    ) -> None:
        self.given_definitions(http_mocker)
        http_mocker.get(options_request(SELECT), a_response_with_status(403))
        http_mocker.get(options_request(MULTI), a_response_with_status(403))

        output = self.read()

        assert output.records == []
        assert not output.errors
        [warning] = warnings(output)
        assert "custom_field_options" in warning
        assert "custom field definitions" in warning
        statuses = output.get_stream_statuses("custom_field_options")
        assert statuses[-1] == AirbyteStreamStatus.COMPLETE

    @with_http_mocker
    def test_given_a_definition_deleted_during_the_sync_when_read_then_it_is_skipped(
        self, http_mocker: HttpMocker
    ) -> None:
        self.given_definitions(http_mocker)
        http_mocker.get(options_request(SELECT), a_response_with_status(404))
        http_mocker.get(options_request(MULTI), json_answer({"options": []}))

        output = self.read()

        assert output.records == []
        assert not output.errors
