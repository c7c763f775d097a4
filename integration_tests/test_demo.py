"""`make demo` end to end: PyAirbyte runs the installed connector against the emulator, writes
DuckDB, and the incremental sync after the changes reads only them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone

from aha_emulator import AhaEmulator
from integration_tests.conftest import API_KEY, ROOT


def test_demo_syncs_into_duckdb_then_reads_only_the_changes_and_drops_the_deleted(tmp_path):
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
