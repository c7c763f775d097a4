"""`source-aha check` against a host that refuses connections, run as a user runs it.

Issue 12: it used to spin for 74 s logging "Rate limit exceeded" and end with a 700-character
message about resuming syncs. A closed 127.0.0.1 port stands for the unreachable host (no DNS
query leaves the machine; the DNS case is covered in-process in the unit tests).
"""

from __future__ import annotations

import time

from integration_tests.connector import run_source
from testkit.ports import free_port

API_KEY = "unreachable-host-key"


def test_check_on_a_closed_port_fails_in_seconds_with_one_short_line_naming_base_url(tmp_path):
    port = free_port()
    config = {"api_key": API_KEY, "subdomain": "company", "base_url": f"http://127.0.0.1:{port}"}

    started = time.monotonic()
    result = run_source("check", tmp_path, config=config, timeout=60)
    elapsed = time.monotonic() - started

    status = result.connection_status
    message = str(status["message"])
    assert status["status"] == "FAILED"
    assert result.returncode == 0
    assert elapsed < 15, f"check took {elapsed:.1f} s"
    assert len(message) < 200, message
    assert "`base_url`" in message
    assert f"127.0.0.1:{port}" in message
    assert "connection refused" in message
    assert "\n" not in message
    assert "resume" not in message
    assert "Rate limit" not in result.stdout + result.stderr
    assert API_KEY not in result.stdout + result.stderr
