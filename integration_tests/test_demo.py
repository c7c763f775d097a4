"""`make demo` end to end: PyAirbyte runs the installed connector against the emulator, writes
DuckDB, and the incremental sync after the changes reads only them."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from integration_tests.conftest import ROOT


def test_demo_syncs_into_duckdb_then_reads_only_the_changes(tmp_path):
    env = {**os.environ, "AIRBYTE_PROJECT_DIR": str(tmp_path), "AIRBYTE_CACHE_ROOT": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "examples.demo", "--ideas", "300", "--seed", "5"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    tables = re.findall(r"^  (ideas|idea_proxy_votes|idea_comments) +([\d,]+)$", out, re.M)
    first, second = dict(tables[:3]), dict(tables[3:])
    assert set(first) == set(second) == {"ideas", "idea_proxy_votes", "idea_comments"}
    assert all(int(n.replace(",", "")) > 0 for n in first.values())
    change = re.search(
        r"(\d+) ideas touched \((\d+) new.*?(\d+) new proxy votes, (\d+) new comments", out
    )
    assert change
    grew = re.search(r"ideas grew by (\d+), proxy votes by (\d+), comments by (\d+)", out)
    assert grew
    assert grew.groups() == (change.group(2), change.group(3), change.group(4))
    incremental = re.search(r"(\d+) records in [\d.]+ s with (\d+) API requests:", out)
    assert incremental
    assert int(incremental.group(2)) <= int(change.group(1)) + 5
    assert str(tmp_path) in out
