"""Shared by the reliability, bad-input and secrets tests.

- `API_KEY`: a long, distinctive key that every one of these tests uses, so that any leak of it
  (plain, URL-encoded, base64, or inside `Bearer ...`) can be found in what the connector printed.
- `OUTPUTS` and `scan_for_secrets`: every runner here records the stdout and stderr it captured;
  `api_key_never_leaks` (an autouse fixture in each module) scans them all after every test.
- Runners that go through `integration_tests.connector` but also keep stderr, kill a read with
  SIGKILL, or sample the connector process (RSS, threads, open files) while it reads.
- `StubAha`: a tiny Aha!-shaped server for rows the emulator refuses to produce.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, quote_plus, urlsplit

import orjson

from integration_tests.connector import (
    EXECUTABLE,
    KilledRun,
    Run,
    _environment,
    _files,
    _parse,
    latest_states,
    run_read_until,
    run_source,
)

API_KEY = f"aha-key-{secrets.token_hex(12)}"

# (label, text) of everything a connector process printed during the current test.
OUTPUTS: list[tuple[str, str]] = []


# Secrets -----------------------------------------------------------------------------------------


def secret_forms(key: str) -> dict[str, str]:
    """The ways a key can show up in output. The random hex tail alone is distinctive, so it also
    catches a key cut, wrapped or quoted differently."""
    forms = {
        "plain": key,
        "url-encoded": quote(key, safe=""),
        "form-encoded": quote_plus(key),
        "bearer header": f"Bearer {key}",
        "base64": base64.b64encode(key.encode()).decode(),
        "json-escaped": json.dumps(key)[1:-1],
    }
    tail = key.rsplit("-", 1)[-1]
    if len(tail) >= 16:
        forms["random tail"] = tail
    return forms


def scan_for_secrets(text: str, label: str, keys: Sequence[str] = (API_KEY,)) -> None:
    """Fails if `text` contains any form of any key; the message names the form, not the key."""
    for key in keys:
        for form, value in secret_forms(key).items():
            assert value not in text, f"{label} contains the API key ({form})"


def record_output(label: str, text: str) -> None:
    """Keeps `text` for the end-of-test scan, and scans it now so a leak fails where it happens."""
    OUTPUTS.append((label, text))
    scan_for_secrets(text, label)


def guard_outputs(keys: Sequence[str] = (API_KEY,)) -> Iterator[None]:
    """Body of each module's autouse fixture: every output of the test is scanned for the key."""
    OUTPUTS.clear()
    yield
    for label, text in OUTPUTS:
        scan_for_secrets(text, label, keys)
    OUTPUTS.clear()


# Running the connector --------------------------------------------------------------------------


def run(command: str, workdir: Path, **kwargs: Any) -> Run:
    """`connector.run_source`, with both output streams recorded for the secret scan."""
    result = run_source(command, workdir, **kwargs)
    record_output(f"{command} stdout", result.stdout)
    record_output(f"{command} stderr", result.stderr)
    return result


def has_traceback(result: Run) -> bool:
    return "Traceback (most recent call last)" in result.stdout + result.stderr


@dataclass
class KilledRead(KilledRun):
    """A read SIGKILLed right after the message `should_kill` picked (or one that ended)."""

    def records(self, stream: str) -> list[dict[str, Any]]:
        return [
            m["record"]["data"]
            for m in self.messages
            if m["type"] == "RECORD" and m["record"]["stream"] == stream
        ]

    def state(self) -> list[dict[str, Any]]:
        return latest_states(self.messages)


def run_read_killed(
    workdir: Path,
    config: Mapping[str, Any],
    catalog: Mapping[str, Any],
    should_kill: Callable[[dict[str, Any], list[dict[str, Any]]], bool],
    state: Sequence[Mapping[str, Any]] | None = None,
) -> KilledRead:
    """`connector.run_read_until`, with its output recorded for the secret scan."""
    killed = run_read_until(workdir, config, catalog, should_kill, state)
    record_output("killed read stdout", killed.stdout)
    record_output("killed read stderr", killed.stderr)
    return KilledRead(**vars(killed))


@dataclass
class Sample:
    seconds: float
    rss_kb: int
    threads: int
    fds: int


@dataclass
class MonitoredRead:
    """A read whose records were counted (not kept) and whose process was sampled."""

    returncode: int
    seconds: float
    counts: Counter[str]
    ids: dict[str, set[str]]
    states: int
    errors: list[str]
    samples: list[Sample]


def _sample(pid: int, started: float) -> Sample | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
        rss = int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1])
        return Sample(
            time.monotonic() - started,
            rss,
            len(os.listdir(f"/proc/{pid}/task")),
            len(os.listdir(f"/proc/{pid}/fd")),
        )
    except (OSError, StopIteration, ValueError):
        return None


def run_read_monitored(
    workdir: Path,
    config: Mapping[str, Any],
    catalog: Mapping[str, Any],
    every_seconds: float = 1.0,
    timeout: float = 1800,
) -> MonitoredRead:
    """Runs a read, counting records per stream (and their ids) as they stream out, and samples
    the process's RSS, thread count and open file descriptors every `every_seconds`."""
    args = [EXECUTABLE, "read", *_files(workdir, config, catalog, None)]
    counts: Counter[str] = Counter()
    ids: dict[str, set[str]] = {}
    samples: list[Sample] = []
    errors: list[str] = []
    states = 0
    stop = threading.Event()
    stderr_path = workdir / "stderr.txt"
    started = time.monotonic()
    with (
        stderr_path.open("w", encoding="utf-8") as stderr,
        subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=stderr, text=True, env=_environment()
        ) as process,
    ):
        assert process.stdout is not None

        def sampler() -> None:
            while not stop.wait(every_seconds):
                sample = _sample(process.pid, started)
                if sample is not None:
                    samples.append(sample)

        thread = threading.Thread(target=sampler, daemon=True)
        thread.start()
        killer = threading.Timer(timeout, process.kill)
        killer.start()
        try:
            for line in process.stdout:
                # Everything but the records themselves (the server's data) is scanned.
                if not line.startswith('{"type":"RECORD"'):
                    scan_for_secrets(line, "monitored read stdout")
                if not line.startswith("{"):
                    continue
                message = orjson.loads(line)
                if message["type"] == "RECORD":
                    record = message["record"]
                    counts[record["stream"]] += 1
                    ids.setdefault(record["stream"], set()).add(record["data"]["id"])
                elif message["type"] == "STATE":
                    states += 1
                elif message["type"] == "TRACE" and message["trace"]["type"] == "ERROR":
                    errors.append(message["trace"]["error"]["message"])
        finally:
            killer.cancel()
            stop.set()
            thread.join()
            if process.poll() is None:
                process.kill()
            process.wait(timeout=60)
    record_output("monitored read stderr", stderr_path.read_text(encoding="utf-8"))
    return MonitoredRead(
        process.returncode, time.monotonic() - started, counts, ids, states, errors, samples
    )


def parse_messages(stdout: str) -> list[dict[str, Any]]:
    return _parse(stdout)


# A stub Aha! for shapes the emulator refuses --------------------------------------------------


class StubAha:
    """A minimal Aha!-shaped server on 127.0.0.1: `GET /api/v1/ideas` pages `ideas` (any JSON
    values, served verbatim), `/api/v1/ideas/endorsements` pages `votes`, and
    `/api/v1/ideas/{id}/idea_comments` pages `comments[id]`. Bearer auth with `api_key`;
    `intercept` may answer any request first (to script errors)."""

    def __init__(
        self,
        ideas: Any,
        comments: Mapping[str, list[Any]] | None = None,
        votes: list[Any] | None = None,
        api_key: str = API_KEY,
        intercept: Callable[[str, str], tuple[int, Any] | None] | None = None,
    ) -> None:
        self.ideas = ideas
        self.comments = dict(comments or {})
        self.votes = list(votes or [])
        self.api_key = api_key
        # (path, Authorization header) -> (status, JSON body) to answer instead, or None
        self.intercept = intercept
        self.requests: list[str] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def answer(self, target: str, authorization: str) -> tuple[int, Any]:
        self.requests.append(target)
        if self.intercept is not None:
            answer = self.intercept(target, authorization)
            if answer is not None:
                return answer
        if authorization != f"Bearer {self.api_key}":
            return 401, {"error": "Authentication failed"}
        split = urlsplit(target)
        query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        page, per_page = int(query.get("page", 1)), int(query.get("per_page", 30))
        parts = split.path.strip("/").split("/")
        if parts == ["api", "v1", "ideas"]:
            key, rows = "ideas", self.ideas
        elif parts == ["api", "v1", "ideas", "endorsements"]:
            key, rows = "idea_endorsements", self.votes
        elif (
            len(parts) == 5 and parts[:3] == ["api", "v1", "ideas"] and parts[4] == "idea_comments"
        ):
            key, rows = "idea_comments", self.comments.get(parts[3], [])
        else:
            return 404, {"error": "Record not found."}
        if not isinstance(rows, list):  # served verbatim, as one page
            return 200, {key: rows, "pagination": {"total_pages": 1, "current_page": 1}}
        pages = -(-len(rows) // per_page)
        chunk = rows[(page - 1) * per_page : page * per_page]
        return 200, {
            key: chunk,
            "pagination": {"total_records": len(rows), "total_pages": pages, "current_page": page},
        }

    def __enter__(self) -> StubAha:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                status, payload = stub.answer(self.path, self.headers.get("Authorization", ""))
                body = json.dumps(payload, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        assert self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
