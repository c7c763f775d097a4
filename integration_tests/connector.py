"""Runs the installed `source-aha` executable as Airbyte does, and reads what it prints.

Every end-to-end test goes through here: a real process, real HTTP, the real CDK. The helpers
write config, catalog and state files, run a command, and parse the Airbyte messages.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

# Re-exported: the integration tests take the stream lists and catalogs from here.
from testkit.catalog import configured_catalog as configured_catalog
from testkit.streams import EVERY_STREAM as EVERY_STREAM
from testkit.streams import IDEA_STREAMS as IDEA_STREAMS

EXECUTABLE = str(Path(sys.executable).with_name("source-aha"))
# The CDK's own launcher, given the connector's two files by path (remote mode), with custom code
# allowed: how the Connector Builder and Airbyte's manifest-only images run them.
SDM = str(Path(sys.executable).with_name("source-declarative-manifest"))
_ROOT = Path(__file__).resolve().parent.parent
MANIFEST_ONLY_FILES = (
    "--manifest-path",
    str(_ROOT / "manifest.yaml"),
    "--components-path",
    str(_ROOT / "components.py"),
)
DELETED_AT = "_ab_cdc_deleted_at"  # the tombstone column (Airbyte's CDC convention)
TIMEOUT_SECONDS = 600


@dataclass
class Run:
    """What one `source-aha` invocation printed and how it ended."""

    returncode: int
    messages: list[dict[str, Any]]
    stdout: str
    stderr: str

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m.get("type") == kind]

    def records(self, stream: str) -> list[dict[str, Any]]:
        return [
            m["record"]["data"] for m in self.of_type("RECORD") if m["record"]["stream"] == stream
        ]

    def warnings_about(self, text: str) -> list[str]:
        """The WARN log messages that contain `text`."""
        logs = (m["log"] for m in self.of_type("LOG") if m["log"]["level"] == "WARN")
        return [log["message"] for log in logs if text in log["message"]]

    def record_counts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for message in self.of_type("RECORD"):
            counts[message["record"]["stream"]] += 1
        return dict(counts)

    @property
    def errors(self) -> list[dict[str, Any]]:
        return [t["trace"]["error"] for t in self.of_type("TRACE") if t["trace"]["type"] == "ERROR"]

    @property
    def connection_status(self) -> dict[str, Any]:
        (status,) = (m["connectionStatus"] for m in self.of_type("CONNECTION_STATUS"))
        return status

    @property
    def catalog(self) -> dict[str, Any]:
        (catalog,) = (m["catalog"] for m in self.of_type("CATALOG"))
        return catalog

    def final_state(self) -> list[dict[str, Any]]:
        """The last STATE per stream, as a state file for the next read."""
        return latest_states(self.messages)


def latest_states(messages: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The last STATE message of each stream, in the list form `--state` takes."""
    latest: dict[str, dict[str, Any]] = {}
    for message in messages:
        if message.get("type") == "STATE":
            state = message["state"]
            latest[state["stream"]["stream_descriptor"]["name"]] = state
    return list(latest.values())


def _parse(stdout: str) -> list[dict[str, Any]]:
    messages = []
    for line in stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            messages.append(json.loads(line))
    return messages


def _files(
    workdir: Path,
    config: Mapping[str, Any] | None,
    catalog: Mapping[str, Any] | None,
    state: Sequence[Mapping[str, Any]] | None,
) -> list[str]:
    workdir.mkdir(parents=True, exist_ok=True)
    args: list[str] = []
    for flag, content in (("config", config), ("catalog", catalog), ("state", state)):
        if content is not None:
            path = workdir / f"{flag}.json"
            path.write_text(json.dumps(content), encoding="utf-8")
            args += [f"--{flag}", str(path)]
    return args


def _environment() -> dict[str, str]:
    # The request cache and any Airbyte variables come from this process; cloud mode would
    # refuse the loopback test server.
    env = {k: v for k, v in os.environ.items() if k != "DEPLOYMENT_MODE"}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def run_python(
    args: Sequence[str], cwd: Path, env: Mapping[str, str], timeout: float = TIMEOUT_SECONDS
) -> subprocess.CompletedProcess[str]:
    """Runs a Python program of this environment (`python ARGS`) to completion, as a user would."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_source(
    command: str,
    workdir: Path,
    config: Mapping[str, Any] | None = None,
    catalog: Mapping[str, Any] | None = None,
    state: Sequence[Mapping[str, Any]] | None = None,
    extra_args: Sequence[str] = (),
    timeout: float = TIMEOUT_SECONDS,
) -> Run:
    """Runs `source-aha COMMAND` to completion."""
    args = [EXECUTABLE, command, *_files(workdir, config, catalog, state), *extra_args]
    done = subprocess.run(
        args, capture_output=True, text=True, timeout=timeout, env=_environment(), check=False
    )
    return Run(done.returncode, _parse(done.stdout), done.stdout, done.stderr)


def run_manifest_only(
    command: str,
    workdir: Path,
    config: Mapping[str, Any] | None = None,
    catalog: Mapping[str, Any] | None = None,
    state: Sequence[Mapping[str, Any]] | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> Run:
    """Runs `source-declarative-manifest COMMAND` with the manifest and components to completion."""
    args = [SDM, command, *_files(workdir, config, catalog, state), *MANIFEST_ONLY_FILES]
    env = {**_environment(), "AIRBYTE_ENABLE_UNSAFE_CODE": "true", **(extra_env or {})}
    done = subprocess.run(
        args, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, env=env, check=False
    )
    return Run(done.returncode, _parse(done.stdout), done.stdout, done.stderr)


@dataclass
class KilledRun:
    """A read killed with SIGKILL once `should_kill` said so, with what it printed."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    killed: bool = False
    stdout: str = ""
    stderr: str = ""


def run_read_until(
    workdir: Path,
    config: Mapping[str, Any],
    catalog: Mapping[str, Any],
    should_kill: Callable[[dict[str, Any], list[dict[str, Any]]], bool],
    state: Sequence[Mapping[str, Any]] | None = None,
) -> KilledRun:
    """Runs `source-aha read` and SIGKILLs it right after the message that `should_kill` picks,
    as a crashed worker would die: no cleanup, no final state."""
    args = [EXECUTABLE, "read", *_files(workdir, config, catalog, state)]
    result = KilledRun()
    lines: list[str] = []
    stderr_path = workdir / "stderr.txt"
    with (
        stderr_path.open("w", encoding="utf-8") as stderr,
        subprocess.Popen(
            args,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env=_environment(),
            start_new_session=True,
        ) as process,
    ):
        assert process.stdout is not None
        try:
            for line in process.stdout:
                lines.append(line)
                if not line.startswith("{"):
                    continue
                message = json.loads(line)
                result.messages.append(message)
                if should_kill(message, result.messages):
                    os.killpg(process.pid, signal.SIGKILL)
                    result.killed = True
                    break
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=60)
    result.stdout = "".join(lines)
    result.stderr = stderr_path.read_text(encoding="utf-8")
    return result


@dataclass(frozen=True)
class AuditReads:
    """A sync's requests to Aha!'s audits, by purpose."""

    destroy: list[str]  # `created_since` of each read of the destroy audits, in order
    children: int  # reads of the ideas' children's audits (the per-idea streams' check)

    @property
    def catch_ups(self) -> int:
        """Destroy reads after the first: each from where the one before stopped, for a stream
        whose slice ends after it (the CDK sets a slice's end when the stream starts)."""
        return len(self.destroy) - 1

    def assert_one_walk_and_catch_ups(self) -> None:
        assert self.destroy, "no read of the destroy audits"
        assert self.destroy[1:] == sorted(self.destroy[1:]), self.destroy
        assert all(later > self.destroy[0] for later in self.destroy[1:]), self.destroy


def audit_reads(paths: Iterable[str]) -> AuditReads:
    destroy, children = [], 0
    for path in paths:
        parts = urlsplit(path)
        if parts.path != "/api/v1/audits":
            continue
        query = parse_qs(parts.query)
        if query.get("audit_action") == ["destroy"]:
            destroy.append(query["created_since"][0])
        elif query.get("associated_type") == ["idea"]:
            children += 1
    return AuditReads(destroy, children)
