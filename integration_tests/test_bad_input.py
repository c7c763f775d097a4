"""Bad configurations, catalogs, states and arguments, table-driven, against the installed program.

Every case ends with a clear message naming what is wrong and no stack trace anywhere: `check`
reports a FAILED connection status and exits 0; `discover` and `read` emit one config-error TRACE
and exit 1 (argparse errors exit 2 with a usage line). No case sends a request: each has its own
emulator, which must see none, and hosts outside loopback are under `.invalid`, so a request would
have shown up as a slow DNS failure instead of a quick config error.

A bad config is the manifest's to refuse (the spec's schema, then `ConfigChecks`), so those cases
run on `source-declarative-manifest` too, given the manifest and components: it must refuse each
one before any request, with the CDK's schema message or the same words as `source-aha`. (Its
LOG lines still carry the CDK's tracebacks.) Unreadable files, catalogs and states are the
`source-aha` launcher's own input handling.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from aha_emulator import AhaEmulator
from integration_tests.conftest import emulator_config
from integration_tests.connector import EXECUTABLE, Run, configured_catalog, run_manifest_only
from integration_tests.reliability_support import (
    API_KEY,
    guard_outputs,
    has_traceback,
    run,
    scan_for_secrets,
)
from source_aha.components import config_problems
from source_aha.config import _manifest
from source_aha.state import normalize_state

UNKNOWN_STREAM_CATALOG = {
    "streams": [
        {
            "stream": {
                "name": "ideaz",
                "json_schema": {},
                "supported_sync_modes": ["full_refresh"],
            },
            "sync_mode": "full_refresh",
            "destination_sync_mode": "overwrite",
        },
        *configured_catalog(["ideas"])["streams"],
    ]
}


def _state(stream: str, stream_state: Any) -> list[dict[str, Any]]:
    return [
        {
            "type": "STREAM",
            "stream": {"stream_descriptor": {"name": stream}, "stream_state": stream_state},
        }
    ]


@pytest.fixture(autouse=True)
def api_key_never_leaks() -> Iterator[None]:
    yield from guard_outputs()


@dataclass(frozen=True)
class Case:
    """One bad input. `config` builds the config from the case's emulator (None: no config file);
    `files` are raw file contents passed as `--flag path`; `expect` must all be in the message."""

    command: str
    expect: tuple[str, ...]
    config: Callable[[AhaEmulator], Any] | None = lambda e: emulator_config(e)
    files: dict[str, str] = field(default_factory=dict)
    catalog: Any = None
    state: Any = None
    args: tuple[str, ...] = ()
    usage_error: bool = False  # rejected by argparse: exit 2 and a usage line on stderr

    @property
    def about_the_config(self) -> bool:
        """A case whose only fault is the config's content (every launcher refuses it alike)."""
        return not (self.files or self.catalog or self.state or self.args or self.usage_error)


def _bad(**overrides: Any) -> Callable[[AhaEmulator], dict[str, Any]]:
    return lambda e: emulator_config(e, **overrides)


def _base_url(template: str) -> Callable[[AhaEmulator], dict[str, Any]]:
    return lambda e: emulator_config(e, base_url=template.format(port=e.port))


CASES: dict[str, Case] = {
    # api_key
    "missing_api_key": Case("check", ("`api_key` is required",), _bad(api_key=None)),
    "api_key_with_a_trailing_space": Case(
        "check", ("`api_key` starts or ends with a space",), _bad(api_key=API_KEY + " ")
    ),
    "empty_api_key": Case("check", ("`api_key`",), _bad(api_key="")),
    "api_key_with_a_space": Case("check", ("`api_key`",), _bad(api_key=f"{API_KEY} trailing")),
    # subdomain (base_url points at the case's emulator: a request would be counted there)
    "missing_subdomain": Case("check", ("`subdomain` is required",), _bad(subdomain=None)),
    "subdomain_with_a_scheme": Case("check", ("`subdomain`",), _bad(subdomain="https://company")),
    "subdomain_with_a_path": Case("check", ("`subdomain`",), _bad(subdomain="company/ideas")),
    "subdomain_with_a_port": Case("check", ("`subdomain`",), _bad(subdomain="company:443")),
    "subdomain_with_spaces": Case("check", ("`subdomain`",), _bad(subdomain="my company")),
    "subdomain_unicode": Case("check", ("`subdomain`",), _bad(subdomain="cömpany")),
    "subdomain_evil_host_and_path": Case("check", ("`subdomain`",), _bad(subdomain="evil.com/x")),
    "subdomain_with_trailing_aha_io": Case(
        "check", ("`subdomain`",), _bad(subdomain="company.aha.io")
    ),
    "subdomain_with_header_injection": Case(
        "check", ("`subdomain`",), _bad(subdomain="company\r\nX-Injected: 1")
    ),
    # base_url
    "base_url_http_to_a_remote_host": Case(
        "check", ("`base_url`",), _base_url("http://aha-test.invalid")
    ),
    "base_url_ftp": Case("check", ("`base_url`",), _base_url("ftp://127.0.0.1:{port}")),
    "base_url_with_credentials": Case(
        "check", ("`base_url`",), _base_url(f"https://user:{API_KEY}@aha-test.invalid")
    ),
    "base_url_with_a_path": Case(
        "check", ("`base_url`",), _base_url("https://aha-test.invalid/api/v1")
    ),
    "base_url_port_out_of_range": Case(
        "check", ("`base_url`", "port"), _base_url("https://aha-test.invalid:99999")
    ),
    "base_url_loopback_lookalike": Case(
        "check", ("`base_url`",), _base_url("http://127.0.0.1.aha-test.invalid:{port}")
    ),
    # start_date
    "start_date_month_13": Case(
        "check", ("`start_date`",), _bad(start_date="2024-13-01T00:00:00Z")
    ),
    "start_date_in_the_future": Case(
        "check", ("`start_date`", "future"), _bad(start_date="2999-01-01T00:00:00Z")
    ),
    # max_ideas and the other numbers
    "max_ideas_zero": Case("check", ("`max_ideas`",), _bad(max_ideas=0)),
    "max_ideas_negative": Case("check", ("`max_ideas`",), _bad(max_ideas=-5)),
    "max_ideas_non_numeric": Case("check", ("`max_ideas`",), _bad(max_ideas="ten")),
    "max_requests_per_minute_zero": Case(
        "check", ("`max_requests_per_minute`",), _bad(max_requests_per_minute=0)
    ),
    # the config as a whole
    "unknown_key": Case("check", ("Unknown config key `colour`",), _bad(colour="blue")),
    "config_not_an_object": Case("check", ("JSON object",), None, files={"config": '["a"]'}),
    "config_not_json": Case(
        "check",
        ("config file", "not valid JSON"),
        None,
        files={"config": f'{{"api_key": "{API_KEY}", "subdomain": '},
    ),
    "missing_config_file": Case(
        "check", ("config file", "does not exist"), None, args=("--config", "/nonexistent/c.json")
    ),
    # discover
    "discover_with_bad_subdomain": Case("discover", ("`subdomain`",), _bad(subdomain="evil.com/x")),
    # read: catalog and state
    "read_with_bad_base_url": Case(
        "read", ("`base_url`",), _base_url("http://aha-test.invalid:{port}")
    ),
    "read_catalog_with_unknown_stream": Case(
        "read", ("`ideaz`", "does not have"), catalog=UNKNOWN_STREAM_CATALOG
    ),
    "read_catalog_without_streams": Case(
        "read", ("selects no streams", "`discover`"), catalog={"streams": []}
    ),
    "read_opt_in_stream_switched_off": Case(
        "read",
        ("`idea_subscriptions`", "`read_idea_subscriptions`"),
        catalog=configured_catalog(["ideas", "idea_subscriptions"]),
    ),
    "read_catalog_not_json": Case(
        "read", ("catalog file", "not valid JSON"), files={"catalog": "{streams"}
    ),
    "read_state_not_json": Case("read", ("state file", "not valid JSON"), files={"state": "[{"}),
    "read_state_not_a_list": Case("read", ("state", "list of state messages"), state=42),
    "read_state_unknown_legacy_layout": Case(
        "read", ("legacy", "unknown streams: tickets"), state={"tickets": {"updated_at": "x"}}
    ),
    "read_state_malformed_cursor": Case(
        "read",
        ("stream `ideas`", "updated_at", "'yesterday'", "not a UTC timestamp"),
        state=_state("ideas", {"updated_at": "yesterday"}),
    ),
    "read_state_the_cdk_cannot_use": Case(
        "read",
        ("state could not be used", "ValueError"),
        state=_state(
            "idea_comments",
            {"state": {"updated_at": "2024-01-01T00:00:00Z"}, "lookback_window": "an hour"},
        ),
    ),
    # arguments
    "unknown_command": Case("frobnicate", ("invalid choice: 'frobnicate'",), usage_error=True),
    "check_without_config": Case("check", ("--config",), None, usage_error=True),
}


@dataclass
class Outcome:
    run: Run
    requests: int


def _execute(case: Case, workdir: Path, manifest_only: bool = False) -> Outcome:
    with AhaEmulator(ideas=5, seed=1, api_key=API_KEY) as emulator:
        extra = list(case.args)
        for flag, content in case.files.items():
            path = workdir / f"raw_{flag}.json"
            workdir.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
            extra += [f"--{flag}", str(path)]
        catalog = case.catalog
        if case.command == "read" and catalog is None and "catalog" not in case.files:
            catalog = None if "--catalog" in case.args else configured_catalog()
        config = case.config(emulator) if case.config else None
        if manifest_only:
            result = run_manifest_only(
                case.command, workdir, config=config, catalog=catalog, state=case.state
            )
        else:
            result = run(
                case.command,
                workdir,
                config=config,
                catalog=catalog,
                state=case.state,
                extra_args=extra,
                timeout=120,
            )
        return Outcome(result, emulator.stats.total)


@pytest.fixture(scope="module")
def outcomes(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """Runs the selected cases three at a time (each is a separate process with its own
    emulator), once for the module."""
    selected = {
        (item.callspec.params["name"], item.callspec.params.get("launcher", PACKAGE))
        for item in request.session.items
        if item.module is request.module
        and hasattr(item, "callspec")
        and "name" in item.callspec.params
    }
    base = tmp_path_factory.mktemp("bad_input")
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {
            (name, launcher): pool.submit(
                _execute, CASES[name], base / launcher / name, launcher == MANIFEST_ONLY
            )
            for name, launcher in sorted(selected)
        }
        return {key: future.result() for key, future in futures.items()}


def _message(result: Run, case: Case, stack_trace_allowed: bool = False) -> str:
    """The message the user sees, after checking the exit status and message type."""
    if case.usage_error:
        assert result.returncode == 2
        assert result.messages == []
        return result.stderr
    if case.command == "check":
        status = result.connection_status
        assert status["status"] == "FAILED"
        assert result.returncode == 0
        return str(status["message"])
    (error,) = result.errors
    assert error["failure_type"] == "config_error"
    assert result.returncode == 1
    assert stack_trace_allowed or not error.get("stack_trace")
    return str(error["message"])


PACKAGE, MANIFEST_ONLY = "source-aha", "source-declarative-manifest"


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_fails_fast_with_a_clear_message_no_traceback_and_no_request(outcomes, name):
    case, outcome = CASES[name], outcomes[name, PACKAGE]
    result = outcome.run
    message = _message(result, case)
    for fragment in case.expect:
        assert fragment in message, message
    assert not has_traceback(result), result.stdout[-2000:] + result.stderr[-2000:]
    assert result.of_type("RECORD") == []
    assert result.of_type("STATE") == []
    assert outcome.requests == 0, "a request was sent despite the bad input"
    # Fast without a stopwatch: nothing was retried (a hang is cut by the 120-s process timeout).
    assert "retrying" not in (result.stdout + result.stderr).lower()
    scan_for_secrets(result.stdout + result.stderr, name)


CONFIG_CASES = [name for name, case in CASES.items() if case.about_the_config]
# On the manifest-only launcher: every check `ConfigChecks` makes, and one of each kind of schema
# refusal (a missing key, a pattern, a secret in a value, a number), on each command.
MANIFEST_ONLY_CASES = [
    "unknown_key",
    "start_date_month_13",
    "start_date_in_the_future",
    "base_url_port_out_of_range",
    "missing_api_key",
    "subdomain_with_a_scheme",
    "base_url_with_credentials",
    "max_ideas_zero",
    "discover_with_bad_subdomain",
    "read_with_bad_base_url",
    # and the catalog and state checks the manifest makes (`ConfigChecks`, `CursorCheck`)
    "read_catalog_without_streams",
    "read_opt_in_stream_switched_off",
    "read_state_malformed_cursor",
]


@pytest.mark.parametrize("launcher", [MANIFEST_ONLY])
@pytest.mark.parametrize("name", MANIFEST_ONLY_CASES)
def test_the_manifest_only_launcher_refuses_each_bad_input_before_any_request_no_traceback_logged(
    outcomes, name, launcher
):
    case, outcome = CASES[name], outcomes[name, launcher]
    result = outcome.run
    message = _message(result, case, stack_trace_allowed=True)
    said_alike = all(fragment in message for fragment in case.expect)
    assert said_alike or message.startswith("Config validation error: "), message
    logs = [m["log"]["message"] for m in result.of_type("LOG")]
    assert not [log for log in logs if "Traceback" in log], "a traceback was logged"
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert result.of_type("RECORD") == []
    assert outcome.requests == 0, "a request was sent despite the bad config"
    scan_for_secrets(result.stdout + result.stderr, name)


def test_source_aha_without_a_command_prints_its_usage_not_a_traceback():
    done = subprocess.run([EXECUTABLE], capture_output=True, text=True, timeout=60, check=False)

    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("usage: source-aha {spec,check,discover,read}")
    assert "a command is required" in done.stderr
    assert "Traceback" not in done.stderr


def test_at_least_25_bad_inputs_are_covered():
    assert len(CASES) >= 25
    assert set(MANIFEST_ONLY_CASES) - set(CONFIG_CASES) == {
        "read_catalog_without_streams",
        "read_opt_in_stream_switched_off",
        "read_state_malformed_cursor",
    }


# The checks behind the table, called directly -------------------------------------------------

STREAMS = {"ideas", "idea_proxy_votes", "idea_comments"}
_VALID = {"api_key": API_KEY, "subdomain": "company"}
_SETTINGS = _manifest()["spec"]["connection_specification"]["properties"]


@pytest.mark.parametrize("base_url", ["https://h.invalid:0", "https://h.invalid:70000"])
def test_config_checks_reject_a_base_url_port_outside_1_to_65535(base_url):
    assert config_problems({**_VALID, "base_url": base_url}, _SETTINGS) == [
        "`base_url` has a port outside 1-65535."
    ]


def test_config_checks_accept_a_base_url_with_a_real_port():
    assert config_problems({**_VALID, "base_url": "https://h.example:65535"}, _SETTINGS) == []


def test_normalize_state_converts_the_legacy_stream_object_to_per_stream_messages():
    legacy = {"ideas": {"updated_at": "2024-01-01T00:00:00.000000Z"}}
    assert normalize_state(legacy, STREAMS) == (_state("ideas", legacy["ideas"]), [])
    assert normalize_state({"type": "LEGACY", "data": legacy}, STREAMS) == (
        _state("ideas", legacy["ideas"]),
        [],
    )


@pytest.mark.parametrize("empty", [None, {}, []])
def test_normalize_state_reads_an_empty_state_as_no_state(empty):
    assert normalize_state(empty, STREAMS) == ([], [])
