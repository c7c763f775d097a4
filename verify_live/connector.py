"""Runs the real connector (`source-aha read`) as Airbyte would, between the kit's steps.

The question the kit answers is not only "does Aha! move `updated_at`" but "does the connector
then sync the change": so each sync is the installed `source-aha` executable in its own process,
with config, catalog and state files in a private temporary directory (the config holds the key;
the directory is removed afterwards). The config is the user's, with the idea filters dropped
(the test records must not be filtered out), deletes on, and `start_date` at the kit's start,
so a sync reads only what changed during the run, not the whole account.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import TracebackType
from typing import Any

# The settings that narrow the ideas read, and so would hide the kit's test idea.
from source_aha.components import IDEA_FILTERS
from testkit.catalog import configured_catalog
from verify_live.redact import Redactor

# The streams the kit's records land in, each incremental with deletes.
SYNC_STREAMS = (
    "ideas",
    "idea_proxy_votes",
    "idea_votes",
    "idea_comments",
    "idea_internal_comments",
)
TIMEOUT_SECONDS = 900


class SyncError(Exception):
    """The connector ended with an error; the message is masked."""


@dataclass
class SyncResult:
    """What one `read` emitted: records by stream, the state to resume from, its log lines."""

    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    state: list[dict[str, Any]] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)

    def find(self, stream: str, record_id: str) -> list[dict[str, Any]]:
        """The records of `stream` with this id (a change and a tombstone can both appear)."""
        return [r for r in self.records.get(stream, []) if str(r.get("id")) == str(record_id)]

    def tombstone(self, stream: str, record_id: str) -> dict[str, Any] | None:
        """The record of `stream` with this id whose `_ab_cdc_deleted_at` is set, if any."""
        found = [r for r in self.find(stream, record_id) if r.get("_ab_cdc_deleted_at")]
        return found[-1] if found else None


def connector_command() -> list[str]:
    """The installed `source-aha` console script next to this Python, else the module."""
    script = Path(sys.executable).with_name("source-aha")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from source_aha.run import run; run()"]


def sync_config(config: Mapping[str, Any], start: datetime) -> dict[str, Any]:
    """The user's config for the kit's syncs: no idea filters, deletes on, a recent start."""
    out = {k: v for k, v in config.items() if k not in IDEA_FILTERS}
    floor = (start - timedelta(minutes=1)).astimezone(timezone.utc).replace(microsecond=0)
    out["start_date"] = floor.strftime("%Y-%m-%dT%H:%M:%SZ")
    out["track_deletes"] = True
    return out


def parse_output(stdout: str) -> tuple[SyncResult, list[str]]:
    """Records, latest state per stream, log lines and error messages from Airbyte's output."""
    result, errors = SyncResult(), []
    states: dict[str, dict[str, Any]] = {}
    for line in stdout.splitlines():
        if not line.startswith("{"):
            continue
        try:
            message = json.loads(line)
        except ValueError:
            continue
        kind = message.get("type")
        if kind == "RECORD":
            record = message["record"]
            result.records.setdefault(record["stream"], []).append(record["data"])
        elif kind == "STATE" and "stream" in message.get("state", {}):
            state = message["state"]
            states[state["stream"]["stream_descriptor"]["name"]] = state
        elif kind == "LOG":
            result.logs.append(str(message["log"].get("message", "")))
        elif kind == "TRACE" and message["trace"].get("type") == "ERROR":
            errors.append(str(message["trace"]["error"].get("message", "")))
    result.state = list(states.values())
    return result, errors


class Connector:
    """Runs `source-aha read` with the kit's sync config; use as a context manager."""

    def __init__(self, config: Mapping[str, Any], start: datetime, redactor: Redactor) -> None:
        self._config = sync_config(config, start)
        self._redactor = redactor
        self._tmp = tempfile.TemporaryDirectory(prefix="verify-live-")
        self.workdir = Path(self._tmp.name)  # mode 0700: only this user can read the key
        self.runs = 0

    def __enter__(self) -> Connector:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._tmp.cleanup()

    def read(self, state: Sequence[Mapping[str, Any]] = ()) -> SyncResult:
        """One incremental sync from `state`; a `SyncError` if the connector failed."""
        self.runs += 1
        files: dict[str, Any] = {
            "config": self._config,
            "catalog": configured_catalog(SYNC_STREAMS),
        }
        if state:
            files["state"] = list(state)
        args = [*connector_command(), "read"]
        for name, content in files.items():
            path = self.workdir / f"{name}-{self.runs}.json"
            path.write_text(json.dumps(content), encoding="utf-8")
            path.chmod(0o600)
            args += [f"--{name}", str(path)]
        env = {k: v for k, v in os.environ.items() if k != "DEPLOYMENT_MODE"}
        done = subprocess.run(
            args, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, env=env, check=False
        )
        result, errors = parse_output(done.stdout)
        if done.returncode != 0 or errors:
            detail = "; ".join(errors) or done.stderr.strip()[-300:] or f"exit {done.returncode}"
            raise SyncError(self._redactor.clean(f"sync {self.runs} failed: {detail}"))
        return result
