"""The live verification kit's parts that decide where the key may go and how the answers read:
the base-URL rule, the key's masking, the 429 retry hint, the table's cells. The kit as a whole
runs against the emulator in integration_tests/test_verify_live.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from verify_live.audits import audit_problems
from verify_live.client import ApiResponse, retry_wait
from verify_live.redact import Redactor
from verify_live.settings import SetupError, checked_base_url
from verify_live.verdicts import (
    SETTINGS_BY_VERDICTS,
    config_settings,
    confirmed,
    markdown_table,
    refuted,
)

API_KEY = "kit-test-key-5f0c9a1e7d"
_CELL = re.compile(r"(?<!\\)\|")


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        pytest.param("https://company.aha.io", True, id="https"),
        pytest.param("https://aha.example.com:8443/", True, id="https_custom_domain_and_port"),
        pytest.param("http://127.0.0.1:5000", True, id="http_loopback_ipv4"),
        pytest.param("http://localhost:5000", True, id="http_localhost"),
        pytest.param("http://[::1]:5000", True, id="http_loopback_ipv6"),
        pytest.param("http://company.aha.io", False, id="http_remote"),
        pytest.param("http://127.0.0.1.example.com", False, id="http_lookalike_host"),
        pytest.param("https://user:pw@company.aha.io", False, id="credentials"),
        pytest.param("https://company.aha.io/api/v1", False, id="path"),
    ],
)
def test_the_key_is_sent_over_https_or_to_this_machine_only(url, allowed):
    if allowed:
        assert checked_base_url(url) == url.rstrip("/")
    else:
        with pytest.raises(SetupError):
            checked_base_url(url)


def test_the_redactor_masks_the_key_with_or_without_its_bearer_prefix():
    redactor = Redactor(API_KEY)
    text = redactor.clean(f"Authorization: Bearer {API_KEY}; again {API_KEY}")
    assert API_KEY not in text
    assert text == "Authorization: Bearer ****; again ****"


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        pytest.param({"Retry-After": "7"}, 7.0, id="retry_after"),
        pytest.param({"retry_after": "3"}, 3.0, id="retry_after_with_an_underscore"),
        pytest.param({"X-Ratelimit-Reset": "1000000030"}, 30.0, id="reset_as_epoch_seconds"),
        pytest.param({"X-Ratelimit-Reset": "12"}, 12.0, id="reset_as_seconds_from_now"),
        pytest.param({}, None, id="no_hint"),
    ],
)
def test_a_429s_retry_hint_is_read_from_any_of_the_spellings(headers, wait):
    answer = ApiResponse("GET", "/api/v1/ideas", 429, headers, None)
    assert retry_wait(answer, now=lambda: 1_000_000_000.0) == wait


def test_the_table_keeps_a_pipe_in_the_evidence_inside_its_cell():
    table = markdown_table([confirmed("per_page_200", "a | b\nc")])
    row = table.splitlines()[2]
    assert len(_CELL.split(row)) == 6
    assert "a \\| b" in row


@pytest.mark.parametrize(
    ("audit", "problems"),
    [
        pytest.param(
            {"auditable_type": "idea_endorsement", "associated_type": "idea", "associated_id": "7"},
            [],
            id="snake_case_names",
        ),
        pytest.param(
            {
                "auditable_type": "Ideas::IdeaEndorsement",
                "associated_type": "Ideas::Idea",
                "associated_id": "7",
            },
            [],
            id="class_names",
        ),
        pytest.param(
            {"auditable_type": "ProxyVote", "associated_type": "idea", "associated_id": "7"},
            ["the connector routes auditable_type 'ProxyVote' to no stream, not idea_proxy_votes"],
            id="an_unknown_type",
        ),
        pytest.param(
            {"auditable_type": "idea_endorsement", "associated_type": None, "associated_id": None},
            ["it is not associated with its idea 7"],
            id="no_association",
        ),
    ],
)
def test_a_destroy_audit_fits_only_if_the_connector_routes_it_and_it_names_its_idea(
    audit, problems
):
    assert audit_problems(audit, "idea_proxy_votes", "7") == problems


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        pytest.param({}, "auto", id="nothing_tested_stays_auto"),
        pytest.param({"updated_at_on_vote": "c"}, "auto", id="partly_confirmed_stays_auto"),
        pytest.param(
            dict.fromkeys(SETTINGS_BY_VERDICTS["assume_child_changes_move_idea"], "c"),
            "yes",
            id="every_verdict_confirmed_trusts",
        ),
        pytest.param(
            {"updated_at_on_vote": "c", "updated_at_on_comment": "r"},
            "no",
            id="one_refuted_takes_the_safe_path",
        ),
    ],
)
def test_config_settings_follow_the_verdicts_of_each_setting(statuses, expected) -> None:
    make = {"c": confirmed, "r": refuted}
    verdicts = [make[s](key, "evidence") for key, s in statuses.items()]

    settings = config_settings(verdicts)

    assert settings["assume_child_changes_move_idea"] == expected
    assert settings["assume_comments_count_is_portal"] == "auto"


def test_config_settings_name_only_keys_of_the_connectors_spec() -> None:
    spec = yaml.safe_load(Path("manifest.yaml").read_text())["spec"]["connection_specification"]

    for setting in SETTINGS_BY_VERDICTS:
        assert spec["properties"][setting]["enum"] == ["auto", "yes", "no"]
