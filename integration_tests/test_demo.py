"""`make demo` end to end: PyAirbyte runs the installed connector against the emulator, writes
DuckDB, and the incremental sync after the changes reads only them."""

from __future__ import annotations

import json
import os
import re
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

from aha_emulator import AhaEmulator
from integration_tests.conftest import API_KEY, ROOT
from integration_tests.connector import run_python


def _demo(tmp_path: Path, *args: str) -> str:
    env = {**os.environ, "AIRBYTE_PROJECT_DIR": str(tmp_path), "AIRBYTE_CACHE_ROOT": str(tmp_path)}
    done = run_python(["-m", "examples.demo", *args], ROOT, env)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _tables(out: str) -> list[tuple[str, str]]:
    return re.findall(r"^  (ideas|idea_proxy_votes|idea_comments) +([\d,]+)$", out, re.M)


def test_demo_syncs_into_duckdb_then_reads_only_the_changes_and_drops_the_deleted(tmp_path):
    out = _demo(tmp_path, "--ideas", "300", "--seed", "5")
    tables = _tables(out)
    first, second = dict(tables[:3]), dict(tables[3:])
    assert set(first) == set(second) == {"ideas", "idea_proxy_votes", "idea_comments"}
    assert all(int(n.replace(",", "")) > 0 for n in first.values())
    change = re.search(
        r"(\d+) ideas touched \((\d+) new.*?(\d+) new proxy votes, (\d+) new comments", out
    )
    assert change
    grew = re.search(
        r"ideas changed by ([+-]\d+), proxy votes by ([+-]\d+), comments by ([+-]\d+)", out
    )
    assert grew
    new_ideas, new_votes, new_comments = (int(n) for n in change.groups()[1:])
    # Two ideas were deleted (with their votes and comments), and one comment and proxy vote more.
    assert int(grew.group(1)) == new_ideas - 2
    assert int(grew.group(2)) <= new_votes - 1
    assert int(grew.group(3)) <= new_comments - 1
    assert "Deleted ideas left in DuckDB: 0." in out
    applied = re.search(r"Deletes applied .*: (\d+) rows from ideas, (\d+) rows from", out)
    assert applied
    # The two, and the emulator's own older deletes after the first sync's newest idea.
    assert int(applied.group(1)) == 2 + len(seeded_idea_deletes_after_the_newest_idea())
    incremental = re.search(r"(\d+) records in [\d.]+ s with (\d+) API requests:", out)
    assert incremental
    assert int(incremental.group(2)) <= int(change.group(1)) + 5
    assert str(tmp_path) in out
    # The closing hint runs as printed, with what the demo installed.
    command = out.rstrip().splitlines()[-1].strip()
    explored = subprocess.run(
        command, shell=True, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert explored.returncode == 0, explored.stderr[-2000:]
    assert {"ideas", "idea_proxy_votes", "idea_comments"} <= set(explored.stdout.split())

    # Then a real account (a second emulator stands in for it): its own cache, its own data,
    # read in full on its first run instead of from the demo's bookmark.
    with AhaEmulator(ideas=40, seed=9, api_key="another-account-key") as account:
        config = {
            "api_key": account.api_key,
            "subdomain": "company",
            "base_url": account.url,
            "max_requests_per_minute": 100_000,
        }
        path = tmp_path / "account.json"
        path.write_text(json.dumps(config), encoding="utf-8")
        out = _demo(tmp_path, "--config", str(path))
        truth = {
            "ideas": len(account.workspace.ideas()),
            "idea_proxy_votes": len(account.workspace.votes(proxy=True)),
            "idea_comments": len(account.workspace.idea_comments()),
        }
    assert {stream: int(n.replace(",", "")) for stream, n in _tables(out)} == truth
    assert "aha_demo_emulator" in out  # said: the demo's tables and state stay where they were
    assert f"aha_127_0_0_1_{account.port}" in out


def seeded_idea_deletes_after_the_newest_idea() -> set[str]:
    """The emulator's seeded idea deletes that the demo's first incremental sync sends: those
    after its newest idea (the ideas cursor of the first sync), within the 12 months of audits."""
    with AhaEmulator(ideas=300, seed=5, api_key=API_KEY) as emulator:
        workspace = emulator.workspace
        newest = max(i["updated_at"] for i in workspace.ideas())
        floor = (datetime.now(timezone.utc) - timedelta(days=364)).strftime("%Y-%m-%dT%H:%M:%S")
        return {
            str(a["auditable_id"])
            for a in workspace.audits()
            if a["audit_action"] == "destroy"
            and a["auditable_type"] == "idea"
            and a["created_at"] > max(newest, floor)
        }
