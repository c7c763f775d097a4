"""Every bad config is refused before a request, on every launcher: by the spec's JSON schema
(the CDK's check), or by `ConfigChecks` for what a schema cannot say. `source-aha` says the same
refusals first, naming the key (`config_errors`), and never echoes the API key."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import jsonschema
import pytest
from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.mock_http import HttpMocker
from airbyte_cdk.utils.airbyte_secrets_utils import filter_secrets, update_secrets
from airbyte_cdk.utils.traced_exception import AirbyteTracedException
from freezegun import freeze_time

from source_aha.components import ConfigChecks, config_problems
from source_aha.config import _manifest, config_errors
from unit_tests.conftest import read_streams
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.request_builder import AhaRequestBuilder
from unit_tests.mock_server.response_builder import a_record_of, a_response_of

_NOW = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)
_API_KEY = "s3cr3t-aha-key-value"
_VALID = {"api_key": _API_KEY, "subdomain": "company"}
_SPEC = _manifest()["spec"]["connection_specification"]
_SETTINGS = _SPEC["properties"]


def _with(**settings: Any) -> dict[str, Any]:
    return {**_VALID, **settings}


def refused_by_the_manifest(config: dict[str, Any], now: datetime = _NOW) -> list[str]:
    """What every launcher's CDK says about `config`: the spec's schema check, then
    `ConfigChecks`."""
    schema_errors = [e.message for e in jsonschema.Draft7Validator(_SPEC).iter_errors(config)]
    return schema_errors or config_problems(config, _SETTINGS, now=now)


@pytest.mark.parametrize(
    "config",
    [
        pytest.param(_VALID, id="minimal"),
        pytest.param(_with(subdomain="company.euw4"), id="regional_subdomain"),
        pytest.param(_with(subdomain="a"), id="one_letter_subdomain"),
        pytest.param(_with(start_date="2024-01-01T00:00:00Z"), id="start_date"),
        pytest.param(_with(ideas_workflow_status="Under consideration"), id="status_name"),
        pytest.param(_with(ideas_workflow_status="6776881149485328232"), id="status_id"),
        pytest.param(_with(ideas_q="dark mode"), id="ideas_q"),
        pytest.param(_with(q="dark mode"), id="alias_q"),
        pytest.param(_with(ideas_q="sso", q="sso"), id="ideas_q_and_same_alias"),
        pytest.param(_with(max_ideas=1), id="max_ideas_int"),
        pytest.param(_with(max_ideas="250"), id="max_ideas_numeric_string"),
        pytest.param(_with(base_url="https://ideas.example.com"), id="https_base_url"),
        pytest.param(_with(base_url="https://ideas.example.com:8443/"), id="base_url_port_slash"),
        pytest.param(_with(base_url="http://localhost:8765"), id="http_localhost"),
        pytest.param(_with(base_url="http://127.0.0.1"), id="http_loopback"),
        pytest.param(_with(max_requests_per_minute=1), id="lowest_budget"),
        pytest.param(_with(max_requests_per_minute=100000), id="highest_budget"),
        pytest.param(_with(num_workers=1), id="one_worker"),
        pytest.param(_with(num_workers=8), id="eight_workers"),
        # Every number setting takes a whole number given as text, as `max_ideas` always has.
        pytest.param(_with(num_workers="4"), id="workers_string"),
        pytest.param(_with(max_requests_per_minute="240"), id="budget_string"),
        pytest.param(_with(__injected_declarative_manifest={}), id="cdk_private_key_ignored"),
    ],
)
def test_given_valid_config_when_checked_then_no_error(config: dict[str, Any]) -> None:
    assert refused_by_the_manifest(config) == []
    with freeze_time(_NOW):
        assert config_errors(config) == []


@pytest.mark.parametrize(
    ("config", "key"),
    [
        pytest.param({"subdomain": "company"}, "api_key", id="missing_api_key"),
        pytest.param({"api_key": _API_KEY}, "subdomain", id="missing_subdomain"),
        pytest.param(_with(api_key=""), "api_key", id="empty_api_key"),
        pytest.param(_with(api_key=f"{_API_KEY} x"), "api_key", id="api_key_with_space"),
        pytest.param(_with(api_key=12345), "api_key", id="api_key_not_a_string"),
        pytest.param(_with(subdomain="https://company.aha.io"), "subdomain", id="url_subdomain"),
        pytest.param(_with(subdomain="company.aha.io"), "subdomain", id="subdomain_with_aha_io"),
        pytest.param(_with(subdomain="my company"), "subdomain", id="subdomain_with_space"),
        pytest.param(_with(subdomain="-company"), "subdomain", id="subdomain_leading_dash"),
        pytest.param(_with(start_date="2024-01-01"), "start_date", id="start_date_no_time"),
        pytest.param(
            _with(start_date="2024-01-01T00:00:00+02:00"), "start_date", id="start_date_offset"
        ),
        pytest.param(_with(start_date="2099-01-01T00:00:00Z"), "start_date", id="future_start"),
        pytest.param(
            _with(start_date="2024-02-30T00:00:00Z"),
            "start_date",
            id="start_date_february_30",
        ),
        pytest.param(
            _with(start_date="2024-13-01T00:00:00Z"),
            "start_date",
            id="start_date_month_13",
        ),
        pytest.param(_with(ideas_workflow_status=""), "ideas_workflow_status", id="empty_status"),
        pytest.param(_with(ideas_q=""), "ideas_q", id="empty_ideas_q"),
        pytest.param(_with(q=""), "q", id="empty_alias_q"),
        pytest.param(_with(ideas_q="sso", q="dark"), "ideas_q", id="ideas_q_and_other_alias"),
        pytest.param(_with(max_ideas=0), "max_ideas", id="max_ideas_zero"),
        pytest.param(_with(max_ideas=-5), "max_ideas", id="max_ideas_negative"),
        pytest.param(_with(max_ideas="0"), "max_ideas", id="max_ideas_zero_string"),
        pytest.param(_with(max_ideas="ten"), "max_ideas", id="max_ideas_text"),
        pytest.param(_with(max_ideas=2.5), "max_ideas", id="max_ideas_fraction"),
        pytest.param(_with(base_url="http://ideas.example.com"), "base_url", id="plain_http"),
        pytest.param(_with(base_url="https://ideas.example.com/api/v1"), "base_url", id="path"),
        pytest.param(
            _with(base_url=f"https://user:{_API_KEY}@example.com"), "base_url", id="credentials"
        ),
        pytest.param(_with(max_requests_per_minute=0), "max_requests_per_minute", id="budget_0"),
        pytest.param(
            _with(max_requests_per_minute=100001), "max_requests_per_minute", id="budget_too_big"
        ),
        pytest.param(
            _with(max_requests_per_minute="100001"),
            "max_requests_per_minute",
            id="budget_string_too_big",
        ),
        pytest.param(_with(max_requests_per_minute="a lot"), "max_requests_per_minute", id="text"),
        pytest.param(_with(num_workers=0), "num_workers", id="zero_workers"),
        pytest.param(_with(num_workers=9), "num_workers", id="nine_workers"),
        pytest.param(_with(num_workers="9"), "num_workers", id="nine_workers_string"),
        pytest.param(_with(num_workers="0"), "num_workers", id="zero_workers_string"),
        pytest.param(_with(api_kee=_API_KEY), "api_kee", id="unknown_key"),
    ],
)
def test_given_bad_config_when_checked_then_error_names_the_key_and_hides_the_api_key(
    config: dict[str, Any], key: str
) -> None:
    with freeze_time(_NOW):
        errors = config_errors(config)

    assert refused_by_the_manifest(config)
    assert errors
    assert any(f"`{key}`" in error for error in errors)
    assert not any(_API_KEY in error for error in errors)


def test_the_manifest_validates_the_whole_config_with_the_spec_settings() -> None:
    rules = _manifest()["spec"]["config_normalization_rules"]
    (added,) = rules["transformations"][0]["fields"]
    (validation,) = rules["validations"]
    assert added["path"] == ["__config"]
    assert added["value"] == "{{ config }}"
    assert validation["field_path"] == ["__config"]
    assert validation["validation_strategy"]["class_name"].endswith(".ConfigChecks")
    assert validation["validation_strategy"]["settings"] == {
        "$ref": "#/spec/connection_specification/properties"
    }


def test_config_checks_raise_one_config_error_with_every_problem() -> None:
    checks = ConfigChecks(settings=_SETTINGS)
    config = _with(colour="blue", start_date="2999-01-01T00:00:00Z")

    with pytest.raises(AirbyteTracedException) as raised:
        checks.validate(config)

    assert raised.value.failure_type.value == "config_error"
    assert "Unknown config key `colour`" in raised.value.message
    assert "`start_date` 2999-01-01T00:00:00Z is in the future" in raised.value.message
    checks.validate(_VALID)  # a good config passes


def test_config_checks_hide_the_api_key_however_it_was_pasted() -> None:
    checks = ConfigChecks(settings=_SETTINGS)
    update_secrets([])
    checks.validate(_with(api_key=f"  Bearer {_API_KEY} "))

    assert _API_KEY not in filter_secrets(f"key {_API_KEY} and {_API_KEY.upper()}x")


def test_given_several_bad_settings_when_checked_then_one_error_per_setting() -> None:
    config = {"api_key": _API_KEY, "num_workers": 0, "max_ideas": 0}

    errors = config_errors(config)

    assert len(errors) == 3
    assert all(
        any(f"`{key}`" in error for error in errors)
        for key in ("subdomain", "max_ideas", "num_workers")
    )


@pytest.mark.parametrize("config", [None, [_VALID], "{}"], ids=["none", "list", "str"])
def test_given_config_that_is_not_an_object_when_checked_then_one_error(config: Any) -> None:
    assert config_errors(config) == ["The config must be a JSON object."]


def test_config_checks_say_so_when_the_cdk_hands_them_no_config(
    caplog: pytest.LogCaptureFixture,
) -> None:
    ConfigChecks(settings=_SETTINGS).validate("{'api_key': 'x'}")

    assert "the config could not be checked" in caplog.text


def test_number_settings_given_as_text_run_the_sync_as_numbers() -> None:
    config = ConfigBuilder().with_num_workers("2").with_max_requests_per_minute("240").build()
    ideas = AhaRequestBuilder.ideas_endpoint().build()
    idea = a_record_of("ideas").with_id("1001")
    with HttpMocker() as http_mocker:
        http_mocker.get(ideas, a_response_of("ideas").with_records(idea).with_page(1, 1).build())
        output = read_streams(["ideas"], SyncMode.full_refresh, config)

    assert [m.record.data["id"] for m in output.records] == ["1001"]
    assert not output.errors
