"""One mistake, one line, on the manifest path (`source-declarative-manifest` with the manifest and
`components.py`, as Airbyte runs the connector): a rejected key, a host that is not Aha!'s (an HTML
page, or a redirect to a sign-in page) and a host that refuses connections each end `check`,
`discover` and `read` within seconds. The check status, or the first error trace, is one short
message naming the setting to fix, with no hint about resuming; no LOG line carries a traceback
and nothing is written to stderr. `discover` fails rather than print a catalog.
"""

from __future__ import annotations

import http.server
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from aha_emulator import AhaEmulator
from integration_tests.conftest import API_KEY, emulator_config
from integration_tests.connector import Run, run_manifest_only
from testkit.catalog import configured_catalog
from testkit.streams import EVERY_STREAM

COMMANDS = ("check", "discover", "read")
SECONDS = 15
MAX_CHARACTERS = 300


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


def _closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


# Each mistake: how it is made, and the setting its message must name.
MISTAKES: dict[str, tuple[Callable[[AhaEmulator, str], dict[str, Any]], str]] = {
    "key_rejected": (lambda em, _: emulator_config(em, api_key="not-the-key"), "`api_key`"),
    "host_not_aha": (lambda em, web: emulator_config(em, base_url=web), "`base_url`"),
    "host_refuses": (lambda em, _: emulator_config(em, base_url=_closed_port_url()), "`base_url`"),
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
    tmp_path: Path, emulator: AhaEmulator, not_aha: str, mistake: str, command: str
) -> None:
    make_config, setting = MISTAKES[mistake]
    config = make_config(emulator, not_aha)
    catalog = configured_catalog(EVERY_STREAM) if command == "read" else None

    started = time.monotonic()
    run = run_manifest_only(command, tmp_path, config, catalog)
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
