"""The API key never appears in what the connector prints: stdout (records aside, every LOG, TRACE
and status message), stderr, debug logs, error traces and stack traces.

Every test in the reliability, bad-input, bad-data and secrets modules uses the same long,
distinctive key (`reliability_support.API_KEY`), and every connector output those tests capture is
scanned for it by one shared assertion (`scan_for_secrets`): plain, URL- and form-encoded, in
`Bearer ...`, base64, JSON-escaped, and by its random tail alone. This module checks the scan
itself, then the situations most likely to leak a key: debug logging of requests, a wrong key,
a server that echoes the Authorization header back in its errors, the key pasted into the wrong
setting.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from aha_emulator import AhaEmulator
from integration_tests.conftest import emulator_config
from integration_tests.connector import configured_catalog
from integration_tests.reliability_support import (
    API_KEY,
    OUTPUTS,
    StubAha,
    guard_outputs,
    has_traceback,
    run,
    scan_for_secrets,
    secret_forms,
)

OTHER_KEY = "aha-key-" + "5a1t" * 6  # a second distinctive key, for the wrong-key cases


@pytest.fixture(autouse=True)
def api_key_never_leaks() -> Iterator[None]:
    yield from guard_outputs(keys=(API_KEY, OTHER_KEY))


# The scan itself -------------------------------------------------------------------------------


def test_the_shared_key_is_long_and_distinctive():
    assert re.fullmatch(r"aha-key-[0-9a-f]{24}", API_KEY)


@pytest.mark.parametrize("form", sorted(secret_forms(API_KEY)))
def test_the_scan_finds_the_key_in_each_form(form):
    leaked = f"prefix {secret_forms(API_KEY)[form]} suffix"
    with pytest.raises(AssertionError, match="contains the API key"):
        scan_for_secrets(leaked, "sample")


def test_the_scan_finds_a_url_encoded_key_inside_a_url():
    with pytest.raises(AssertionError):
        scan_for_secrets(f"GET https://x.invalid/?token={quote(API_KEY)}", "url")


def test_the_scan_passes_the_masked_form_the_cdk_prints():
    scan_for_secrets("'Authorization': 'Bearer ****'", "masked")


# Situations that could leak ---------------------------------------------------------------------


def test_debug_read_logs_requests_with_the_authorization_header_masked(tmp_path):
    with AhaEmulator(ideas=10, seed=1, api_key=API_KEY) as emulator:
        result = run(
            "read",
            tmp_path,
            config=emulator_config(emulator),
            catalog=configured_catalog(),
            extra_args=["--debug"],
        )
    assert result.returncode == 0
    debug = [line for line in result.stdout.splitlines() if "Making outbound API request" in line]
    assert debug, "--debug logs each request"
    assert all("'Authorization': 'Bearer ****'" in line for line in debug)
    assert OUTPUTS, "the outputs were recorded for the scan"


@pytest.mark.parametrize("command", ["check", "discover", "read"])
def test_a_wrong_key_is_rejected_without_printing_either_key(tmp_path, command):
    with AhaEmulator(ideas=10, seed=1, api_key=API_KEY) as emulator:
        config = emulator_config(emulator, api_key=OTHER_KEY)
        catalog = configured_catalog() if command == "read" else None
        result = run(command, tmp_path, config=config, catalog=catalog)
    if command == "check":
        assert result.connection_status["status"] == "FAILED"
        assert "api_key" in result.connection_status["message"]
    elif command == "read":
        assert result.returncode == 1
        assert any(e["failure_type"] == "config_error" for e in result.errors)
    scan_for_secrets(result.stdout + result.stderr, command, keys=(API_KEY, OTHER_KEY))


def _echo_headers(status: int):
    """A server that answers `status` with the request's Authorization header in the body."""

    def intercept(path: str, authorization: str):
        return status, {"error": "nope", "you_sent": {"Authorization": authorization}}

    return intercept


@pytest.mark.parametrize("status", [400, 401, 403, 503])
def test_a_server_echoing_the_authorization_header_in_errors_does_not_make_it_leak(
    tmp_path, status
):
    """Error bodies are logged (retries log the response content); the key inside them must be
    masked. Persistent 5xx take the full retry budget, so this drives them with a short one."""
    calls = {"n": 0}

    def intercept(path: str, authorization: str):
        calls["n"] += 1  # 5xx: echo twice, then serve normally (retries log the bodies)
        if status >= 500 and calls["n"] > 2:
            return None
        return _echo_headers(status)(path, authorization)

    with StubAha([{"id": "1", "updated_at": "2024-01-01T00:00:00Z"}], intercept=intercept) as stub:
        config = {"api_key": API_KEY, "subdomain": "company", "base_url": stub.url}
        result = run("read", tmp_path, config=config, catalog=configured_catalog(["ideas"]))
    errors = [e["message"][:80] for e in result.errors]
    print(f"HTTP {status}: exit {result.returncode}, errors {errors}")
    scan_for_secrets(result.stdout + result.stderr, f"HTTP {status}")


@pytest.mark.parametrize(
    ("command", "overrides"),
    [
        pytest.param("check", {"subdomain": f"{API_KEY}/x"}, id="key_as_subdomain"),
        pytest.param("check", {"base_url": f"https://{API_KEY}@aha.invalid"}, id="key_in_base_url"),
        pytest.param("check", {"start_date": API_KEY}, id="key_as_start_date"),
        pytest.param("check", {"notes": API_KEY}, id="key_in_an_unknown_setting"),
        pytest.param("check", {"api_key": f"Bearer {API_KEY}"}, id="key_with_bearer_prefix"),
        pytest.param("read", {"subdomain": f"{API_KEY}/x"}, id="read_key_as_subdomain"),
        pytest.param("read", {"ideas_q": "", "q": API_KEY}, id="read_other_error_with_key_set"),
    ],
)
def test_a_config_error_never_echoes_the_key_wherever_it_was_pasted(tmp_path, command, overrides):
    with AhaEmulator(ideas=5, seed=1, api_key=API_KEY) as emulator:
        config = emulator_config(emulator, **overrides)
        catalog = configured_catalog() if command == "read" else None
        result = run(command, tmp_path, config=config, catalog=catalog)
        assert emulator.stats.total == 0
    assert not has_traceback(result)
    message = (
        result.connection_status["message"] if command == "check" else result.errors[0]["message"]
    )
    assert message.startswith("Invalid configuration")
    scan_for_secrets(result.stdout + result.stderr, command)
