"""The README's recipes, run as a new user would run them: copied out of the README as they stand,
against the local emulator standing in for the account."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
from pathlib import Path
from typing import Any

from aha_emulator import AhaEmulator
from examples.caches import cache_name
from integration_tests.conftest import API_KEY, ROOT
from integration_tests.connector import run_python
from integration_tests.test_verify_live import Kit
from testkit.ports import free_port
from verify_live.assumptions import ASSUMPTIONS

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

        # The demo's cache for this account (`make demo CONFIG=...`) is the snippet's.
        names = {path.parent.name for path in (tmp_path / "cache").rglob("*.duckdb")}
        assert names == {cache_name({"subdomain": "company", "base_url": emulator.url})}

    deleted = printed[0][0][0]
    assert deleted not in [ref for ref, _, _ in printed[1]]


def code_blocks() -> list[tuple[str, str]]:
    """The README's fenced code blocks: (language, body)."""
    text = README.read_text(encoding="utf-8")
    return re.findall(r"^```(\w*)\n(.*?)^```", text, re.S | re.M)


# Every README block, by its first line: the test that runs it here, or why none can.
WHERE_RUN = {
    "make demo": "both lines are run as written: `make test-all` by CI (.ci/run), and `make "
    "demo`'s job by test_demo.py (python -m examples.demo, with a second account)",
    "SELECT reference_num": "test_custom_field_columns.py, on the DuckDB a PyAirbyte read "
    "filled, against the emulator's truth",
    "make setup": "test_the_cli_recipe_runs_as_written_against_the_emulator (below); `make "
    "setup` itself is what the test command ran first",
    "docker build": "NOT as written: it needs Docker Hub (or a registry) for the base image. "
    "test_docker.py builds the same Dockerfile from a locally built base and runs spec, check, "
    "discover and read as these lines do",
    "import os": "test_the_pyairbyte_snippet_prints_the_top_ideas_then_leaves_out_a_deleted_one",
    "make verify-live": "NOT as written: it needs a live Aha! account (its writes need a sandbox "
    "one). The same target runs as written against the emulator in docs/verify-live.md's recipe "
    "(test_the_verify_live_doc_recipe_runs_as_written_against_the_emulator), and "
    "test_verify_live.py runs the kit with and without writes",
}


def test_every_readme_block_is_run_by_a_test_or_listed_as_not_runnable_here():
    firsts = [body.strip().splitlines()[0].strip() for _, body in code_blocks()]
    unlisted = [first for first in firsts if not any(first.startswith(k) for k in WHERE_RUN)]
    assert not unlisted, f"README blocks no test runs or lists: {unlisted}"
    stale = [key for key in WHERE_RUN if not any(first.startswith(key) for first in firsts)]
    assert not stale, f"listed blocks the README no longer has: {stale}"


def test_the_cli_recipe_runs_as_written_against_the_emulator(tmp_path: Path):
    """The `source-aha` lines of the README, run by a shell from a directory laid out as the
    repository (its `.venv` and `integration_tests`), with `secrets/config.json` for the
    emulator; `[--state state.json]` is the optional part, left out."""
    (block,) = [body for _, body in code_blocks() if body.startswith("make setup")]
    lines = [line.split("  #")[0].strip() for line in block.splitlines()[1:]]
    for name in (".venv", "integration_tests"):
        (tmp_path / name).symlink_to(ROOT / name)
    (tmp_path / "secrets").mkdir()
    with AhaEmulator(ideas=5, seed=4, api_key=API_KEY) as emulator:
        config = {"api_key": API_KEY, "subdomain": "company", "base_url": emulator.url}
        (tmp_path / "secrets" / "config.json").write_text(json.dumps(config), encoding="utf-8")
        outputs = []
        for line in lines:
            command = line.replace(" [--state state.json]", "")
            done = subprocess.run(
                ["bash", "-c", command],
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            assert done.returncode == 0, (command, done.stderr[-2000:])
            outputs.append([json.loads(x) for x in done.stdout.splitlines() if x.startswith("{")])
        truth = {str(idea["id"]) for idea in emulator.workspace.ideas()}

    spec, check, discover, read = outputs
    assert [m["type"] for m in spec if m["type"] != "LOG"] == ["SPEC"]
    assert [m["connectionStatus"]["status"] for m in check if m["type"] == "CONNECTION_STATUS"] == [
        "SUCCEEDED"
    ]
    (catalog,) = [m["catalog"] for m in discover if m["type"] == "CATALOG"]
    assert "ideas" in {stream["name"] for stream in catalog["streams"]}
    ideas = {
        str(m["record"]["data"]["id"])
        for m in read
        if m["type"] == "RECORD" and m["record"]["stream"] == "ideas"
    }
    assert ideas == truth


def test_the_verify_live_doc_recipe_runs_as_written_against_the_emulator(tmp_path: Path):
    """docs/verify-live.md's "Trying it on the emulator" lines, run by a shell from a directory
    laid out as the repository (without its `secrets/`), on a free port instead of 8765 (as the
    doc allows). `make setup` has run (the test command ran it), so make's `UV` is a no-op."""
    text = (ROOT / "docs" / "verify-live.md").read_text(encoding="utf-8")
    start = text.index("## Trying it on the emulator")
    (block,) = re.findall(r"^```bash\n(.*?)^```", text[start:], re.S | re.M)[:1]
    port = str(free_port())
    for entry in ROOT.iterdir():
        if entry.name not in {"secrets", ".git", ".cache", ".bench", "emulator.log"}:
            (tmp_path / entry.name).symlink_to(entry)
    env = {**os.environ, "MAKEFLAGS": "UV=true"}
    env.pop("MAKELEVEL", None)

    # Its own process group: the emulator it starts in the background stops with it, whatever
    # happens.
    with subprocess.Popen(
        ["bash", "-c", block.replace("8765", port)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    ) as shell:
        try:
            stdout, stderr = shell.communicate(timeout=900)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(shell.pid, signal.SIGKILL)
    kit = Kit(shell.returncode, stdout, stderr)

    assert kit.returncode == 0, stdout[-3000:] + stderr[-3000:]
    assert "listening" in (tmp_path / "emulator.log").read_text(encoding="utf-8")
    assert "demo-key" not in stdout + stderr
    assert len(kit.rows) == len(ASSUMPTIONS), stdout[-3000:]
    assert {key: row for key, row in kit.rows.items() if row[0] != "confirmed"} == {}, stdout
