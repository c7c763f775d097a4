"""One mistake, one line, on the manifest path (`source-declarative-manifest` with the manifest and
`components.py`, as Airbyte runs the connector): a rejected key, a host that is not Aha!'s (an HTML
page, or a redirect to a sign-in page), a subdomain whose name does not resolve, a host that
refuses connections, one that drops them (as a firewall does) and a key whose user may read
nothing (403 on every endpoint) each end `check`, `discover` and `read` within seconds. The check
status, or the first error trace, is one short message naming the setting to fix, with no hint
about resuming; no LOG line carries a traceback and nothing is written to stderr. `discover`
fails rather than print a catalog.

No DNS query may leave this machine, so the name that does not resolve is made by the resolver:
the connector runs with a `sitecustomize` that answers every name but loopback as DNS answers a
name that does not exist (`EAI_NONAME`), and notes each name it was asked.

A plan without some streams is not a mistake: `check` and `discover` succeed (the streams exist,
and come with an upgrade), and `read` reads the rest, with one short warning per skipped stream
naming the stream and what the plan lacks.
"""

from __future__ import annotations

import copy
import http.server
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from aha_emulator import AhaEmulator
from aha_emulator.routes import PLANS, ROUTE_NAMES
from integration_tests.conftest import API_KEY, emulator_config
from integration_tests.connector import Run, run_manifest_only
from testkit.catalog import configured_catalog
from testkit.ports import dropping_port, free_port
from testkit.streams import EVERY_STREAM

COMMANDS = ("check", "discover", "read")
SECONDS = 15
MAX_CHARACTERS = 300
MAX_LOOKUPS = 3


class _NotAha(http.server.BaseHTTPRequestHandler):
    """A web server that is not Aha!'s API: `/api/...` redirects to an HTML sign-in page, and
    any other path is an HTML 404."""

    def do_GET(self) -> None:
        if self.path.startswith("/api/"):
            self.send_response(302)
            self.send_header("Location", "/users/sign_in")
            self.end_headers()
            return
        found = self.path == "/users/sign_in"
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(b"<!DOCTYPE html><html><body>Sign in</body></html>")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def not_aha() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NotAha)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def emulator() -> Iterator[AhaEmulator]:
    with AhaEmulator(ideas=5, seed=2, api_key=API_KEY) as server:
        yield server


@pytest.fixture(scope="module")
def refusing() -> Iterator[AhaEmulator]:
    """An account whose key's user may read nothing: every endpoint answers 403."""
    with AhaEmulator(ideas=5, seed=2, api_key=API_KEY) as server:
        server.set_forbidden(ROUTE_NAMES)
        yield server


_NO_SUCH_NAMES = """
import os, socket

_lookup = socket.getaddrinfo


def _loopback_only(host, *args, **kwargs):
    if host in (None, "127.0.0.1", "::1", "localhost"):
        return _lookup(host, *args, **kwargs)
    with open(os.path.join(os.path.dirname(__file__), "asked.txt"), "a") as asked:
        asked.write(f"{host}\\n")
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


socket.getaddrinfo = _loopback_only
"""


@pytest.fixture
def no_such_names(tmp_path: Path) -> Path:
    """A directory whose `sitecustomize` makes every name but loopback not resolve."""
    (tmp_path / "resolver").mkdir()
    (tmp_path / "resolver" / "sitecustomize.py").write_text(_NO_SUCH_NAMES, encoding="utf-8")
    return tmp_path / "resolver"


@pytest.fixture(scope="module")
def silent() -> Iterator[str]:
    """A host that drops connections, as a firewall does."""
    with dropping_port() as port:
        yield f"http://127.0.0.1:{port}"


@dataclass(frozen=True)
class Hosts:
    emulator: AhaEmulator
    refusing: AhaEmulator  # its key's user may read nothing
    not_aha: str  # a web server that is not Aha!'s
    silent: str  # drops connections


# Each mistake: how it is made, and the setting its message must name.
MISTAKES: dict[str, tuple[Callable[[Hosts], dict[str, Any]], str]] = {
    "key_rejected": (lambda h: emulator_config(h.emulator, api_key="not-the-key"), "`api_key`"),
    "host_not_aha": (lambda h: emulator_config(h.emulator, base_url=h.not_aha), "`base_url`"),
    "name_does_not_resolve": (
        lambda h: emulator_config(h.emulator, base_url=None, subdomain="nosuchaccount"),
        "`subdomain`",
    ),
    "host_refuses": (
        lambda h: emulator_config(h.emulator, base_url=f"http://127.0.0.1:{free_port()}"),
        "`base_url`",
    ),
    "host_drops_connections": (
        lambda h: emulator_config(h.emulator, base_url=h.silent),
        "`base_url`",
    ),
    "permission_denied": (lambda h: emulator_config(h.refusing), "`api_key`"),
}


def _message(run: Run, command: str) -> str:
    if command == "check":
        assert run.returncode == 0  # the protocol's convention: a FAILED status, exit 0
        assert run.connection_status["status"] == "FAILED"
        return str(run.connection_status["message"])
    assert run.returncode != 0
    assert run.of_type("CATALOG") == []
    assert run.of_type("RECORD") == []
    return str(run.errors[0]["message"])


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_each_mistake_ends_in_seconds_with_one_short_line_naming_the_setting(
    tmp_path: Path,
    emulator: AhaEmulator,
    refusing: AhaEmulator,
    not_aha: str,
    silent: str,
    no_such_names: Path,
    mistake: str,
    command: str,
) -> None:
    make_config, setting = MISTAKES[mistake]
    config = make_config(Hosts(emulator, refusing, not_aha, silent))
    catalog = configured_catalog(EVERY_STREAM) if command == "read" else None
    resolver = {"PYTHONPATH": str(no_such_names)}

    started = time.monotonic()
    run = run_manifest_only(command, tmp_path, config, catalog, extra_env=resolver)
    elapsed = time.monotonic() - started

    message = _message(run, command)
    assert elapsed < SECONDS, f"{command} took {elapsed:.1f} s"
    assert len(message) < MAX_CHARACTERS, message
    assert setting in message, message
    assert "\n" not in message, message
    assert "resume" not in message, message
    logs = [m["log"]["message"] for m in run.of_type("LOG")]
    assert not [log for log in logs if "Traceback" in log], f"{command}: a traceback was logged"
    assert "Traceback" not in run.stderr, run.stderr[-2000:]
    assert config["api_key"] not in run.stdout + run.stderr
    if mistake == "name_does_not_resolve":  # asked of the stand-in resolver, and not retried
        asked = (no_such_names / "asked.txt").read_text(encoding="utf-8").split()
        assert set(asked) == {"nosuchaccount.aha.io"}, asked
        assert len(asked) <= MAX_LOOKUPS, asked


def _warnings(run: Run) -> list[str]:
    return [m["log"]["message"] for m in run.of_type("LOG") if m["log"]["level"] == "WARN"]


def test_a_plan_without_roadmaps_reads_the_rest_and_says_once_per_stream_what_it_skips(
    tmp_path: Path,
) -> None:
    with AhaEmulator(ideas=5, seed=2, api_key=API_KEY) as server:
        server.set_plan("ideas_essentials")
        config = emulator_config(server)
        check = run_manifest_only("check", tmp_path, config)
        discover = run_manifest_only("discover", tmp_path, config)
        started = time.monotonic()
        read = run_manifest_only("read", tmp_path, config, configured_catalog(EVERY_STREAM))
        elapsed = time.monotonic() - started
    # The streams of the endpoints this plan lacks (`GET /api/v1/products/{id}/releases`: releases).
    lacking = {route.rsplit("/", 1)[-1] for route in PLANS["ideas_essentials"]}

    assert check.connection_status["status"] == "SUCCEEDED"
    (catalog,) = discover.of_type("CATALOG")
    assert {s["name"] for s in catalog["catalog"]["streams"]} >= set(EVERY_STREAM)
    assert read.returncode == 0, read.stdout[-2000:]
    assert elapsed < SECONDS, f"read took {elapsed:.1f} s"
    assert read.errors == []
    assert "ideas" in {m["record"]["stream"] for m in read.of_type("RECORD")}
    assert not lacking & {m["record"]["stream"] for m in read.of_type("RECORD")}
    warnings = _warnings(read)
    skips = [w for w in warnings if w.startswith("Skipping ")]
    assert sorted(w.split(":", 1)[0].removeprefix("Skipping ") for w in skips) == sorted(lacking)
    for warning in skips:
        assert len(warning) < MAX_CHARACTERS, warning
        assert "plan does not include Aha!" in warning, warning
    assert len(warnings) == len(set(warnings)), "a warning was said twice"
    assert "Traceback" not in read.stdout + read.stderr


def test_a_catalog_stream_this_source_lacks_is_read_around_and_named_once(
    tmp_path: Path, emulator: AhaEmulator
) -> None:
    # `source-aha` refuses such a catalog; on the manifest path the CDK skips the stream, and
    # the components say so.
    catalog = configured_catalog(EVERY_STREAM)
    renamed = copy.deepcopy(catalog["streams"][0])
    renamed["stream"]["name"] = "ideaz"
    catalog["streams"].append(renamed)

    read = run_manifest_only("read", tmp_path, emulator_config(emulator), catalog)

    assert read.returncode == 0, read.stdout[-2000:]
    assert {m["record"]["stream"] for m in read.of_type("RECORD")} >= {"ideas", "products"}
    [warning] = [w for w in _warnings(read) if "does not have" in w]
    assert warning == (
        "The catalog names streams this source does not have, so they are not read: `ideaz`. "
        "Refresh the source schema."
    )
