"""The README's recipes, run as a new user would run them: copied out of the README as they stand,
against the local emulator standing in for the account."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from aha_emulator import AhaEmulator
from integration_tests.conftest import API_KEY, ROOT
from integration_tests.connector import run_python

README = ROOT / "README.md"


def python_block_after(heading: str) -> str:
    """The first ```python block after `heading` in the README."""
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n{heading}\n")
    match = re.compile(r"```python\n(.*?)```", re.S).search(text, start)
    assert match, f"no python block after {heading}"
    return match.group(1)


def _top_rows(stdout: str, ideas: dict[str, dict[str, Any]]) -> list[tuple[str, str, int]]:
    """The printed rows (reference number, name, votes) of the emulator's ideas."""
    rows = []
    for line in stdout.splitlines():
        match = re.match(r"^\s*(\S+)\s+(.*?)\s+(\d+)\s*$", line)
        if match and match.group(1) in ideas:
            rows.append((match.group(1), match.group(2), int(match.group(3))))
    return rows


def _largest_votes(ideas: dict[str, dict[str, Any]]) -> list[int]:
    return sorted((int(i["votes"]) for i in ideas.values()), reverse=True)[:5]


def test_the_pyairbyte_snippet_prints_the_top_ideas_then_leaves_out_a_deleted_one(tmp_path: Path):
    script = tmp_path / "top_ideas.py"
    script.write_text(python_block_after("### PyAirbyte"), encoding="utf-8")
    with AhaEmulator(ideas=20, seed=4, api_key=API_KEY) as emulator:
        env = {
            **os.environ,
            "AHA_API_KEY": API_KEY,
            "AHA_SUBDOMAIN": "company",
            "AHA_BASE_URL": emulator.url,
            "AIRBYTE_CACHE_ROOT": str(tmp_path / "cache"),
            "AIRBYTE_PROJECT_DIR": str(tmp_path),
        }
        printed = []
        for run in ("first", "after a delete"):
            ideas = {i["reference_num"]: i for i in emulator.workspace.ideas()}
            done = run_python([str(script)], tmp_path, env)
            assert done.returncode == 0, done.stderr[-3000:]
            assert "Warning" not in done.stderr, done.stderr[-3000:]
            rows = _top_rows(done.stdout, ideas)
            assert [votes for _, _, votes in rows] == _largest_votes(ideas), run
            assert all(ideas[ref]["name"].startswith(name.rstrip(".")) for ref, name, _ in rows)
            printed.append(rows)
            if run == "first":
                emulator.workspace.delete_idea(ideas[rows[0][0]]["id"])

    deleted = printed[0][0][0]
    assert deleted not in [ref for ref, _, _ in printed[1]]
