"""`source_aha.config.config_errors`: every bad setting is named, and the API key never echoed."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from source_aha.config import config_errors

_NOW = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)
_API_KEY = "s3cr3t-aha-key-value"
_VALID = {"api_key": _API_KEY, "subdomain": "company"}


def _with(**settings: Any) -> dict[str, Any]:
    return {**_VALID, **settings}


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
        pytest.param(_with(__injected_declarative_manifest={}), id="cdk_private_key_ignored"),
    ],
)
def test_given_valid_config_when_checked_then_no_error(config: dict[str, Any]) -> None:
    assert config_errors(config, now=_NOW) == []


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
            _with(max_requests_per_minute="240"), "max_requests_per_minute", id="budget_string"
        ),
        pytest.param(_with(num_workers=0), "num_workers", id="zero_workers"),
        pytest.param(_with(num_workers=9), "num_workers", id="nine_workers"),
        pytest.param(_with(api_kee=_API_KEY), "api_kee", id="unknown_key"),
    ],
)
def test_given_bad_config_when_checked_then_error_names_the_key_and_hides_the_api_key(
    config: dict[str, Any], key: str
) -> None:
    errors = config_errors(config, now=_NOW)

    assert errors
    assert any(f"`{key}`" in error for error in errors)
    assert not any(_API_KEY in error for error in errors)


def test_given_several_bad_settings_when_checked_then_one_error_per_setting() -> None:
    config = {"api_key": _API_KEY, "num_workers": 0, "max_ideas": 0}

    errors = config_errors(config, now=_NOW)

    assert len(errors) == 3
    assert all(
        any(f"`{key}`" in error for error in errors)
        for key in ("subdomain", "max_ideas", "num_workers")
    )


@pytest.mark.parametrize(
    "config",
    [
        pytest.param(None, id="none"),
        pytest.param([_VALID], id="list"),
        pytest.param("{}", id="str"),
    ],
)
def test_given_config_that_is_not_an_object_when_checked_then_one_error(config: Any) -> None:
    assert config_errors(config, now=_NOW) == ["The config must be a JSON object."]
