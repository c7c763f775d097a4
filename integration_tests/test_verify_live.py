"""The live verification kit run as a user runs it (`python -m verify_live`, a real process),
against the emulator posing as an Aha! account.

The emulator documents its behaviour (docs/aha-api.md, `aha_emulator`'s docstrings), so against
it every row must be answered and confirmed; tests that break one behaviour on purpose check that
the kit then says "refuted" with the evidence, so the kit's checks can fail. The workspace is
compared with its own ground truth before and after, to show the kit leaves nothing behind.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from aha_emulator import AhaEmulator, Workspace
from verify_live import MARKER
from verify_live.assumptions import ASSUMPTIONS
from verify_live.verdicts import WRITES_NOT_ALLOWED

ROOT = Path(__file__).resolve().parent.parent
API_KEY = "kit-test-key-5f0c9a1e7d"
# A write run sends a couple of hundred requests (measured); a burst of one minute's budget
# then hits the limit whatever the machine's speed, and nothing else needs the budget after it.
PER_MINUTE = 600
BURST = PER_MINUTE + 1
LEFTOVER_NAME = f"{MARKER} 2026-01-01T00:00:00Z"
_CELL = re.compile(r"(?<!\\)\|")


@dataclass
class Kit:
    returncode: int
    stdout: str
    stderr: str

    @property
    def rows(self) -> dict[str, tuple[str, str]]:
        """(verdict, evidence) by assumption key, from the printed Markdown table."""
        keys = {a.text: a.key for a in ASSUMPTIONS}
        rows = {}
        for line in self.stdout.splitlines():
            cells = [c.strip() for c in _CELL.split(line)[1:-1]]
            if len(cells) == 4 and cells[1] in keys:
                rows[keys[cells[1]]] = (cells[2].strip("*"), cells[3])
        return rows

    def verdict(self, key: str) -> str:
        return self.rows[key][0]

    def evidence(self, key: str) -> str:
        return self.rows[key][1]


def write_config(tmp_path: Path, emulator: AhaEmulator, **overrides: Any) -> Path:
    config = {
        "api_key": API_KEY,
        "subdomain": "company",
        "base_url": emulator.url,
        "max_requests_per_minute": 100_000,
        "num_workers": 4,
        **overrides,
    }
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


def run_kit(config: Path, *flags: str) -> Kit:
    done = subprocess.run(
        [sys.executable, "-m", "verify_live", "--config", str(config), *flags],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=900,
        check=False,
    )
    return Kit(done.returncode, done.stdout, done.stderr)


def snapshot(ws: Workspace) -> dict[str, list[dict[str, Any]]]:
    """Every idea, vote, portal and internal comment, spam included, as the ground truth has
    them."""
    return {
        "ideas": ws.ideas(include_spam=True),
        "votes": ws.votes(),
        "idea_comments": ws.idea_comments(include_spam=True),
        "internal_comments": ws.internal_comments(),
    }


def marked(ws: Workspace) -> list[str]:
    every = snapshot(ws)
    return [
        str(r["id"])
        for rows in every.values()
        for r in rows
        if MARKER in json.dumps(r, ensure_ascii=False)
    ]


def emulator(audit_types: str | None = None, personality: str | None = None) -> AhaEmulator:
    return AhaEmulator(
        ideas=300,
        seed=13,
        api_key=API_KEY,
        per_minute=PER_MINUTE,
        audit_types=audit_types,
        personality=personality,
    )


def _table(kit: Kit) -> str:
    return kit.stdout + "\n" + kit.stderr[-3000:]


# Aha! documents no `auditable_type` values: lower-case names, or Rails class names.
@pytest.mark.parametrize("audit_types", ["snake", "class"])
def test_with_writes_every_row_is_confirmed_and_the_workspace_is_left_as_it_was(
    tmp_path, audit_types
):
    with emulator(audit_types) as emu:
        ws = emu.workspace
        before = snapshot(ws)
        leftover = ws.add_idea(name=LEFTOVER_NAME)  # what a run killed mid-way leaves
        ws.add_comment(leftover["id"])
        kit = run_kit(write_config(tmp_path, emu), "--allow-writes", "--burst", str(BURST))
        after = snapshot(ws)
        methods = {r.method for r in emu.stats.requests}

    assert kit.returncode == 0, _table(kit)
    assert set(kit.rows) == {a.key for a in ASSUMPTIONS}, _table(kit)
    not_confirmed = {k: v for k, v in kit.rows.items() if v[0] != "confirmed"}
    assert not_confirmed == {}, _table(kit)
    assert after == before
    assert marked(ws) == []
    assert f"swept 1 marked idea(s) left by an earlier run: ['{leftover['id']}']" in kit.stdout
    assert "cleanup: all" in kit.stdout
    assert {"POST", "PUT", "DELETE"} <= methods
    assert API_KEY not in kit.stdout + kit.stderr
    spelling = {"snake": "'idea_endorsement'", "class": "'Ideas::IdeaEndorsement'"}[audit_types]
    assert f"auditable_type={spelling}" in kit.evidence("destroy_audit_vote")


def test_without_allow_writes_only_gets_are_sent_and_the_write_rows_say_why(tmp_path):
    with emulator() as emu:
        ws = emu.workspace
        leftover = ws.add_idea(name=LEFTOVER_NAME)
        for idea in ws.ideas()[:3]:  # recent history for the audits cursor
            ws.add_vote(idea["id"])
        kit = run_kit(write_config(tmp_path, emu))
        methods = {r.method for r in emu.stats.requests}
        still_there = ws.idea(leftover["id"])

    assert kit.returncode == 0, _table(kit)
    assert methods == {"GET"}
    assert still_there["name"] == LEFTOVER_NAME  # sweeping is a write too
    for assumption in ASSUMPTIONS:
        verdict, evidence = kit.rows[assumption.key]
        if assumption.writes:
            assert (verdict, evidence) == ("could not test", WRITES_NOT_ALLOWED), assumption.key
        elif assumption.key == "retry_after_on_429":
            assert verdict == "could not test"
            assert "--burst" in evidence
        else:
            assert verdict == "confirmed", _table(kit)
    assert API_KEY not in kit.stdout + kit.stderr


def test_an_inclusive_updated_since_is_refuted_naming_the_idea_and_its_timestamp(tmp_path):
    with emulator(personality="updated_since_inclusive") as emu:
        newest = max(emu.workspace.ideas(), key=lambda i: i["updated_at"])
        kit = run_kit(write_config(tmp_path, emu))

    assert kit.returncode == 0, _table(kit)
    assert kit.verdict("updated_since_exclusive") == "refuted", _table(kit)
    evidence = kit.evidence("updated_since_exclusive")
    assert evidence.startswith("inclusive:")
    assert f"idea {newest['id']} updated_at {newest['updated_at']}" in evidence
    assert f"updated_since={newest['updated_at']} -> listed" in evidence
    assert ", 1 refuted," in kit.stdout
    assert "a finding" in kit.stdout


def test_a_new_comment_that_does_not_move_its_idea_is_refuted_and_only_the_kits_records_go(
    tmp_path,
):
    with emulator(personality="comment_no_bump") as emu:
        # Another run's idea, minutes old: the sweep must leave it to that run.
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        in_progress = emu.workspace.add_idea(name=f"{MARKER} {now}")
        before = snapshot(emu.workspace)
        kit = run_kit(write_config(tmp_path, emu), "--allow-writes")
        after = snapshot(emu.workspace)

    assert kit.returncode == 0, _table(kit)
    assert kit.verdict("updated_at_on_comment") == "refuted", _table(kit)
    evidence = kit.evidence("updated_at_on_comment")
    moved = re.search(r"updated_at (\S+) -> (\S+) after new portal comment (\d+)", evidence)
    assert moved is not None, evidence
    assert moved.group(1) == moved.group(2)
    assert kit.verdict("updated_at_on_vote") == "confirmed", _table(kit)
    assert after == before
    assert f"sweep: idea {in_progress['id']} left alone" in kit.stdout


@pytest.mark.timeout(600)
def test_ctrl_c_after_the_test_idea_is_made_still_deletes_it_and_prints_the_rows_so_far(tmp_path):
    with emulator() as emu:
        before = snapshot(emu.workspace)
        args = [sys.executable, "-m", "verify_live", "--config", str(write_config(tmp_path, emu))]
        with subprocess.Popen(
            [*args, "--allow-writes"], stdout=subprocess.PIPE, text=True, cwd=ROOT
        ) as kit:
            assert kit.stdout is not None
            lines = []
            for line in kit.stdout:
                lines.append(line)
                if line.startswith("created test idea"):
                    kit.send_signal(signal.SIGINT)  # the kit alone, as a terminal's Ctrl-C
                    break
            lines += kit.stdout.readlines()
            returncode = kit.wait(timeout=300)
        after = snapshot(emu.workspace)
    output = "".join(lines)
    assert returncode == 130, output
    assert "interrupted: what the kit created was cleaned up" in output
    assert "cleanup: all" in output
    assert after == before
    assert "| 19 |" in output  # every row, answered or "interrupted"


@pytest.mark.parametrize(
    "base_url", ["http://aha.example.com", "http://10.0.0.7:8080", "ftp://127.0.0.1"]
)
def test_a_base_url_that_would_send_the_key_in_clear_off_this_machine_is_refused(
    tmp_path, base_url
):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"api_key": API_KEY, "subdomain": "x", "base_url": base_url}))
    kit = run_kit(config, "--allow-writes")
    assert kit.returncode == 2
    assert "refusing base_url" in kit.stderr
    assert kit.rows == {}
    assert API_KEY not in kit.stdout + kit.stderr


def test_a_key_aha_refuses_is_a_setup_error_that_never_prints_the_key(tmp_path):
    wrong = "wrong-key-0a9b8c7d6e"
    with emulator() as emu:
        kit = run_kit(write_config(tmp_path, emu, api_key=wrong), "--allow-writes")
        methods = {r.method for r in emu.stats.requests}
    assert kit.returncode == 2
    assert "refused the API key" in kit.stderr
    assert methods == {"GET"}
    assert wrong not in kit.stdout + kit.stderr


def test_an_unreachable_host_is_a_setup_error(tmp_path):
    with emulator() as emu:
        config = write_config(tmp_path, emu)
    kit = run_kit(config)  # the emulator has stopped: nothing listens on its port
    assert kit.returncode == 2
    assert "cannot reach Aha!" in kit.stderr
    assert API_KEY not in kit.stdout + kit.stderr
