"""Custom fields as columns: the schema discover builds from the definitions, the fallback when
they cannot be read, and the values each record carries in those columns.

Each test uses its own subdomain: the CDK's schema loader reads through a process-wide requests
cache, and another test's answer for the same URL must not be the one read here.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from airbyte_cdk.models import FailureType, Level, Type
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput, discover
from airbyte_cdk.test.mock_http import HttpMocker, HttpResponse

from source_aha.components import LiftCustomFields
from unit_tests.conftest import get_source
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.request_builder import AhaRequestBuilder
from unit_tests.mock_server.response_builder import JSON_HEADERS, a_response_with_status

CUSTOM_FIELD_STREAMS = ("ideas", "features", "epics", "initiatives")
NULLABLE_STRING = {"type": ["null", "string"]}
STRING_LIST = {"type": ["null", "array"], "items": {"type": ["null", "string"]}}
# Every definition type on features: (key, Aha! type) -> the column's schema.
FEATURE_COLUMNS = {
    ("text", "TextField"): NULLABLE_STRING,
    ("note", "NoteField"): NULLABLE_STRING,
    ("link", "UrlField"): NULLABLE_STRING,
    ("effort", "NumberField"): {"type": ["null", "number"]},
    ("launch", "DateField"): {"type": ["null", "string"], "format": "date"},
    ("checked", "CheckboxField"): {"type": ["null", "boolean"]},
    ("priority", "SelectConstant"): NULLABLE_STRING,
    ("theme", "SelectEditable"): NULLABLE_STRING,
    ("platforms", "SelectMultipleConstant"): STRING_LIST,
    ("labels", "SelectMultipleEditable"): STRING_LIST,
    ("owners", "Records::UsersField"): STRING_LIST,
    ("impact", "ScorecardField"): NULLABLE_STRING,  # a type the mapping does not know
    ("linked", "LinkMany"): NULLABLE_STRING,
    ("mystery", "SomethingNew"): NULLABLE_STRING,
}
OTHER_TYPES = {"ideas": "Ideas::Idea", "epics": "Epic", "initiatives": "Initiative"}


def definition(key: str, kind: str, record_type: str, n: int) -> dict[str, Any]:
    return {
        "id": str(581360000 + n),
        "key": key,
        "name": key.title(),
        "type": f"CustomFieldDefinitions::{kind}",
        "custom_fieldable_type": record_type,
        "internal_name": None,
    }


def definitions_answer() -> HttpResponse:
    rows = [definition(k, t, "Feature", n) for n, (k, t) in enumerate(FEATURE_COLUMNS)]
    for n, (stream, record_type) in enumerate(OTHER_TYPES.items()):
        rows.append(definition(f"{stream}_date", "DateField", record_type, 90 + n))
    rows.append(definition("release_train", "TextField", "Release", 99))
    rows.append(definition("", "TextField", "Feature", 98))  # no key: no column
    return HttpResponse(json.dumps({"custom_field_definitions": rows}), 200, JSON_HEADERS)


def products_answer() -> HttpResponse:
    return HttpResponse(json.dumps({"products": [{"id": "1"}]}), 200, JSON_HEADERS)


def discover_with(
    subdomain: str,
    answer: HttpResponse,
    access: HttpResponse | None = None,
    expecting_exception: bool = False,
) -> tuple[EntrypointOutput, dict]:
    """Discover with `answer` to the definitions and, if they are refused, `access` (a product)
    to the one request that tells the plan from the key's user."""
    config = ConfigBuilder().with_subdomain(subdomain).build()
    base_url = f"https://{subdomain}.aha.io"
    with HttpMocker() as http_mocker:
        request = AhaRequestBuilder.endpoint("custom_field_definitions")
        http_mocker.get(request.with_base_url(base_url).build(), [answer] * 4)
        if answer.status_code == 403:
            probe = AhaRequestBuilder("products", {"per_page": "1"}).with_base_url(base_url)
            http_mocker.get(probe.build(), access or products_answer())
        output = discover(get_source(config), config, expecting_exception=expecting_exception)
    if expecting_exception:
        return output, {}
    schemas = {s.name: s.json_schema for s in output.catalog.catalog.streams}
    return output, schemas


def static_schemas() -> dict[str, Any]:
    return discover_with("cfstatic", a_response_with_status(403))[1]


def columns(schema: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in schema["properties"].items() if k.startswith("cf_")}


def warnings(output: EntrypointOutput) -> list[str]:
    return [m.log.message for m in output.logs if m.log.level == Level.WARN]


@pytest.fixture(scope="module")
def discovered() -> dict[str, Any]:
    return discover_with("cfcolumns", definitions_answer())[1]


@pytest.mark.parametrize(
    ("key", "schema"),
    [pytest.param(key, schema, id=kind) for (key, kind), schema in FEATURE_COLUMNS.items()],
)
def test_given_a_definition_of_each_type_when_discover_then_its_column_has_the_mapped_type(
    discovered, key, schema
):
    assert discovered["features"]["properties"][f"cf_{key}"] == schema


def test_given_definitions_of_several_record_types_when_discover_then_each_stream_gets_its_own(
    discovered,
):
    assert set(columns(discovered["features"])) == {f"cf_{key}" for key, _ in FEATURE_COLUMNS}
    for stream in OTHER_TYPES:
        assert set(columns(discovered[stream])) == {f"cf_{stream}_date"}
    assert not any("cf_release_train" in s["properties"] for s in discovered.values())


def test_given_definitions_when_discover_then_the_static_schema_is_kept_whole(discovered):
    static = static_schemas()
    for stream in CUSTOM_FIELD_STREAMS:
        with_columns = dict(discovered[stream])
        properties = {k: v for k, v in with_columns.pop("properties").items() if k[:3] != "cf_"}
        assert {**with_columns, "properties": properties} == static[stream]
        assert static[stream]["required"] == ["id", "updated_at"]
        assert "custom_fields" in static[stream]["properties"]


def test_given_definitions_the_key_may_not_read_when_discover_then_static_schemas_and_a_warning():
    output, schemas = discover_with("cf403", a_response_with_status(403))

    assert not output.errors
    assert [columns(schemas[name]) for name in CUSTOM_FIELD_STREAMS] == [{}, {}, {}, {}]
    for stream in CUSTOM_FIELD_STREAMS:
        [warning] = [w for w in warnings(output) if f"custom field columns of {stream}" in w]
        assert "403 Forbidden" in warning
        assert schemas[stream]["required"] == ["id", "updated_at"]


def test_given_a_key_whose_user_may_read_nothing_when_discover_then_it_fails_naming_the_key():
    output, _ = discover_with(
        "cf403all", a_response_with_status(403), a_response_with_status(403), True
    )

    assert not output.get_message_by_types([Type.CATALOG])
    [error] = output.errors
    assert error.trace.error.failure_type == FailureType.config_error
    assert "HTTP 403" in error.trace.error.message
    assert "`api_key`" in error.trace.error.message


@pytest.mark.parametrize(
    ("answer", "setting"),
    [
        pytest.param(a_response_with_status(401), "`api_key`", id="key_rejected"),
        pytest.param(
            HttpResponse("<html>sign in</html>", 200, {"Content-Type": "text/html"}),
            "`subdomain`",
            id="not_aha",
        ),
    ],
)
def test_given_a_config_mistake_when_discover_then_it_fails_with_one_error_naming_the_setting(
    answer, setting
):
    config = ConfigBuilder().with_subdomain("cfmistake").build()
    with HttpMocker() as http_mocker:
        request = AhaRequestBuilder.endpoint("custom_field_definitions")
        http_mocker.get(request.with_base_url("https://cfmistake.aha.io").build(), answer)
        output = discover(get_source(config), config, expecting_exception=True)

    assert not output.get_message_by_types([Type.CATALOG])
    [error] = output.errors
    assert error.trace.error.failure_type == FailureType.config_error
    assert setting in error.trace.error.message
    assert not any("Traceback" in m.log.message for m in output.logs)


# Lifting ----------------------------------------------------------------------------------------


def lifted(*elements: dict[str, Any], **record: Any) -> dict[str, Any]:
    data = {"id": "1", **record, "custom_fields": list(elements)}
    LiftCustomFields(config={}, parameters={}).transform(data)
    return data


def element(key: str, value: Any, kind: str | None) -> dict[str, Any]:
    return {"id": 848810602, "key": key, "name": key, "updatedAt": "2019-01-01T00:00:00Z",
            "value": value, "type": kind}  # fmt: skip


@pytest.mark.parametrize(
    ("value", "kind", "column"),
    [
        pytest.param("2019-01-01", "date", "2019-01-01", id="date"),
        pytest.param("retail", "string", "retail", id="string"),
        pytest.param("https://x.example", "url", "https://x.example", id="url"),
        pytest.param(12.5, "number", 12.5, id="number"),
        pytest.param("12", "number", 12, id="number_sent_as_integer_text"),
        pytest.param("12.5", "number", 12.5, id="number_sent_as_decimal_text"),
        pytest.param("n/a", "number", "n/a", id="number_field_with_text_kept"),
        pytest.param(True, "boolean", True, id="boolean"),
        pytest.param(["Web", "iOS"], "array", ["Web", "iOS"], id="multi_select"),
        pytest.param(["a@example.com"], "array", ["a@example.com"], id="users"),
        pytest.param(None, "date", None, id="null"),
        pytest.param(42, "scorecard", "42", id="unknown_type_number_as_text"),
        pytest.param(
            {"values": {"a": {"value": 10}}},
            "equation_sheet",
            '{"values": {"a": {"value": 10}}}',
            id="unknown_type_object_as_json_text",
        ),
        pytest.param([{"id": "1"}], "array", '[{"id": "1"}]', id="list_of_objects_as_json_text"),
    ],
)
def test_given_a_custom_field_when_lifted_then_its_column_holds_the_value(value, kind, column):
    record = lifted(element("field", value, kind))
    assert record["cf_field"] == column
    assert record["custom_fields"] == [element("field", value, kind)]  # the list is untouched


def test_given_a_key_equal_to_a_field_of_the_record_when_lifted_then_the_field_wins():
    record = lifted(element("name", "custom", "string"), cf_name="mine")
    assert record["cf_name"] == "mine"


@pytest.mark.parametrize(
    "custom_fields",
    [None, "oops", [None, "x", {"value": 1}, {"key": "", "value": 1}]],
    ids=["null", "not_a_list", "odd_elements"],
)
def test_given_no_usable_custom_fields_when_lifted_then_no_column(custom_fields):
    data = {"id": "1", "custom_fields": custom_fields}
    LiftCustomFields(config={}, parameters={}).transform(data)
    assert data == {"id": "1", "custom_fields": custom_fields}
