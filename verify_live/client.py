"""A tiny HTTP client for Aha!'s API v1 that cannot leak the key.

It talks only to the configured base URL (checked by `settings.checked_base_url`: HTTPS, or
plain HTTP to the loopback interface), builds every URL itself from an `/api/v1/...` path,
follows no redirects (a redirect could carry the Bearer header elsewhere), and masks the key in
every error it raises. It paces itself at the connector's request budget and waits out a 429
unless a caller (the burst check) wants to see it.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests

from verify_live.redact import Redactor
from verify_live.settings import Settings, checked_base_url

MAX_WAIT_SECONDS = 65.0  # a 429 never asks for more than Aha!'s one-minute window
RETRY_HEADERS = ("Retry-After", "retry_after")


class ApiUnreachableError(Exception):
    """No HTTP answer (DNS, connection, TLS or timeout); the message names no secret."""


@dataclass(frozen=True)
class ApiResponse:
    """One answer: status, headers as sent, and the JSON body (None when not JSON)."""

    method: str
    path: str
    status: int
    headers: Mapping[str, str]
    body: Any
    text: str = field(repr=False, default="")

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def header(self, name: str) -> str | None:
        """A header by name, whatever its case."""
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)

    def rows(self, key: str) -> list[dict[str, Any]]:
        """The records of a list answer (`{key: [...], "pagination": {...}}`)."""
        found = self.body.get(key) if isinstance(self.body, dict) else None
        return [r for r in found if isinstance(r, dict)] if isinstance(found, list) else []

    def record(self, key: str) -> dict[str, Any]:
        """The record of a single-record answer (`{key: {...}}`), or `{}`."""
        found = self.body.get(key) if isinstance(self.body, dict) else None
        return found if isinstance(found, dict) else {}

    @property
    def pagination(self) -> dict[str, Any]:
        found = self.body.get("pagination") if isinstance(self.body, dict) else None
        return found if isinstance(found, dict) else {}

    def describe(self) -> str:
        """`METHOD path → status: error text`, for evidence."""
        detail = ""
        if isinstance(self.body, dict) and ("error" in self.body or "errors" in self.body):
            detail = f": {json.dumps(self.body.get('error') or self.body.get('errors'))[:200]}"
        elif not self.ok and self.text:
            detail = f": {self.text[:80]!r}"
        return f"{self.method} {self.path} -> {self.status}{detail}"


def retry_wait(response: ApiResponse, now: Callable[[], float] = time.time) -> float | None:
    """Seconds a 429 asks to wait: `Retry-After`/`retry_after`, else `X-Ratelimit-Reset`
    (epoch seconds, or seconds from now when small); None when it says nothing usable."""
    for name in RETRY_HEADERS:
        seconds = _number(response.header(name))
        if seconds is not None:
            return seconds
    reset = _number(response.header("X-Ratelimit-Reset"))
    if reset is None:
        return None
    return max(0.0, reset - now()) if reset > 1e9 else reset


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


class AhaClient:
    """Requests to `<base_url>/api/v1/...` with the Bearer key, paced and 429-aware."""

    def __init__(
        self,
        settings: Settings,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = checked_base_url(settings.base_url)
        self._key = settings.api_key
        self._redactor: Redactor = settings.redactor
        self._interval = 60.0 / settings.requests_per_minute
        self._timeout = timeout
        self._sleep = sleep
        self._next_slot = 0.0
        self._pace_lock = threading.Lock()
        self._local = threading.local()
        self.sent = 0  # requests sent, for the kit's own report

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers.update(
                {
                    "Authorization": f"Bearer {self._key}",
                    "Accept": "application/json",
                    "User-Agent": "source-aha-verify-live",
                }
            )
            self._local.session = session
        return session

    def _pace(self) -> None:
        with self._pace_lock:
            now = time.monotonic()
            wait = self._next_slot - now
            self._next_slot = max(now, self._next_slot) + self._interval
        if wait > 0:
            self._sleep(wait)

    def request(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
        paced: bool = True,
        retry_429: int = 4,
    ) -> ApiResponse:
        """Sends one request (again after each 429, `retry_429` times at most)."""
        if not path.startswith("/api/v1/") or "://" in path:
            raise ValueError(f"not an Aha! API path: {path!r}")
        for attempt in range(retry_429 + 1):
            if paced:
                self._pace()
            response = self._send(method, path, params, body)
            if response.status != 429 or attempt == retry_429:
                return response
            self._sleep(min(MAX_WAIT_SECONDS, retry_wait(response) or 5.0))
        raise AssertionError("unreachable")

    def _send(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        body: Mapping[str, Any] | None,
    ) -> ApiResponse:
        try:
            raw = self._session().request(
                method,
                self.base_url + path,
                params=params,
                json=body,
                timeout=self._timeout,
                allow_redirects=False,
            )
        except requests.RequestException as error:
            reason = type(error).__name__
            raise ApiUnreachableError(
                self._redactor.clean(f"{method} {self.base_url}{path}: no answer ({reason})")
            ) from None
        self.sent += 1
        text = raw.text
        try:
            parsed: Any = raw.json() if text.strip() else None
        except ValueError:
            parsed = None
        return ApiResponse(
            method, path, raw.status_code, dict(raw.headers), parsed, self._redactor.clean(text)
        )

    def get(self, path: str, **params: str | int) -> ApiResponse:
        return self.request("GET", path, params=params)

    def post(self, path: str, body: Mapping[str, Any]) -> ApiResponse:
        return self.request("POST", path, body=body)

    def put(self, path: str, body: Mapping[str, Any]) -> ApiResponse:
        return self.request("PUT", path, body=body)

    def delete(self, path: str) -> ApiResponse:
        return self.request("DELETE", path)

    def pages(
        self, path: str, key: str, max_pages: int = 5, **params: str | int
    ) -> tuple[list[dict[str, Any]], bool, ApiResponse]:
        """Up to `max_pages` pages of a list: (rows, whether that was every page, last answer)."""
        rows: list[dict[str, Any]] = []
        page = 1
        while True:
            response = self.get(path, page=page, **params)
            if not response.ok:
                return rows, False, response
            rows += response.rows(key)
            total_pages = int(response.pagination.get("total_pages") or 0)
            if page >= total_pages or not response.rows(key):
                return rows, True, response
            if page >= max_pages:
                return rows, False, response
            page += 1
