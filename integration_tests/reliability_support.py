"""Shared by the reliability, bad-input and secrets tests.

- `API_KEY`: a long, distinctive key that every one of these tests uses, so that any leak of it
  (plain, URL-encoded, base64, or inside `Bearer ...`) can be found in what the connector printed.
- `OUTPUTS` and `scan_for_secrets`: every runner here records the stdout and stderr it captured;
  `api_key_never_leaks` (an autouse fixture in each module) scans them all after every test.
- Runners that go through `integration_tests.connector` but also keep stderr, or kill a read
  with SIGKILL.
- `StubAha`: a tiny Aha!-shaped server for rows the emulator refuses to produce.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, quote_plus, urlsplit

from integration_tests.connector import (
    KilledRun,
    Run,
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
