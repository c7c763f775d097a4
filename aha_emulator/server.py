"""HTTP side of the Aha! emulator: routing, auth, rate limiting, fault injection and stats.

A request to ``/api/v1/...`` goes through, in order: the fixed latency, bearer auth (401), the
per-key rate limiter (429), the fault switches, then routing (HTML 404 for unknown routes, 405
for non-GET methods, JSON 403 for routes the plan lacks) and the endpoint itself.
``/__emulator__/...`` is an unauthenticated admin surface for out-of-process use and is neither
counted nor limited. Which list endpoints honour ``updated_since`` and ``fields`` follows the
Aha! docs (``LIST_ROUTES``; see docs/aha-endpoints.md).
"""

from __future__ import annotations

import contextlib
import json
import math
import random
import re
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple, cast
from urllib.parse import parse_qs, unquote, urlsplit

from .data import JSON, RecordNotFoundError, Workspace

JSON_TYPE = "application/json; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"
DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 200  # larger values are clamped (the live behaviour is undocumented)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_NOT_FOUND_HTML = (
    b"<!DOCTYPE html>\n<html><head><title>The page you were looking for doesn't exist (404)"
    b"</title></head>\n<body><h1>The page you were looking for doesn't exist.</h1>\n"
    b"<p>You may have mistyped the address or the page may have moved.</p></body></html>\n"
)

ROUTES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), template)
    for pattern, template in (
        (r"/api/v1/ideas", "/api/v1/ideas"),
        # matched before /ideas/{id}: "endorsements" is not an idea id
        (r"/api/v1/ideas/endorsements", "/api/v1/ideas/endorsements"),
        (r"/api/v1/ideas/([^/]+)", "/api/v1/ideas/{id}"),
        (r"/api/v1/ideas/([^/]+)/endorsements", "/api/v1/ideas/{id}/endorsements"),
        (r"/api/v1/ideas/([^/]+)/idea_comments", "/api/v1/ideas/{id}/idea_comments"),
        (r"/api/v1/ideas/([^/]+)/comments", "/api/v1/ideas/{id}/comments"),
        (r"/api/v1/products", "/api/v1/products"),
        (r"/api/v1/products/([^/]+)/ideas", "/api/v1/products/{id}/ideas"),
        (r"/api/v1/products/([^/]+)/idea_categories", "/api/v1/products/{id}/idea_categories"),
        (r"/api/v1/products/([^/]+)/releases", "/api/v1/products/{id}/releases"),
        (r"/api/v1/idea_organizations", "/api/v1/idea_organizations"),
        (r"/api/v1/idea_users", "/api/v1/idea_users"),
        (r"/api/v1/idea_portals", "/api/v1/idea_portals"),
        (r"/api/v1/features", "/api/v1/features"),
        (r"/api/v1/epics", "/api/v1/epics"),
        (r"/api/v1/initiatives", "/api/v1/initiatives"),
        (r"/api/v1/goals", "/api/v1/goals"),
        (r"/api/v1/users", "/api/v1/users"),
    )
)


class ListRoute(NamedTuple):
    """How a plain list endpoint behaves, per the Aha! docs (see docs/aha-endpoints.md)."""

    key: str  # envelope key, also the Workspace resource name
    updated_since: bool  # documented: filter strictly after; otherwise the param is ignored
    fields: bool  # list rows are abbreviated and ``fields=`` selects more (as for ideas)


LIST_ROUTES: dict[str, ListRoute] = {  # template: envelope key, updated_since, fields
    "/api/v1/products": ListRoute("products", True, True),
    "/api/v1/products/{id}/idea_categories": ListRoute("idea_categories", False, False),
    "/api/v1/products/{id}/releases": ListRoute("releases", True, True),
    "/api/v1/idea_organizations": ListRoute("idea_organizations", False, True),
    "/api/v1/idea_users": ListRoute("idea_users", False, False),
    "/api/v1/idea_portals": ListRoute("idea_portals", False, False),
    "/api/v1/features": ListRoute("features", True, True),
    "/api/v1/epics": ListRoute("epics", True, True),
    "/api/v1/initiatives": ListRoute("initiatives", True, False),
    "/api/v1/goals": ListRoute("goals", False, False),
    "/api/v1/users": ListRoute("users", False, False),
}

_ROADMAPS_ONLY = frozenset(
    f"GET /api/v1/{path}"
    for path in ("features", "products/{id}/releases", "epics", "initiatives", "goals")
)
_ORGANIZATIONS = frozenset({"GET /api/v1/idea_organizations"})
# Routes each plan answers 403 (see docs/aha-endpoints.md; the exact set is unverified live).
PLANS: dict[str, frozenset[str]] = {
    "roadmaps_ideas_advanced": frozenset(),  # the default: everything
    "roadmaps": _ORGANIZATIONS,  # Aha! Roadmaps without the Ideas Advanced add-on
    "ideas_advanced": _ROADMAPS_ONLY,
    "ideas_essentials": _ROADMAPS_ONLY | _ORGANIZATIONS,
}
PLAN_ERROR = "Your Aha! plan does not include this feature."  # TBD: the live wording


@dataclass
class Faults:
    """Fault switches, applied to authenticated ``/api/v1`` requests after the rate limiter.

    Attributes:
        error_rate: fraction answered 500 (JSON) or 502/503 (HTML, as from a proxy).
        slow_rate: fraction delayed by ``slow_seconds`` before the normal answer.
        drop_rate: fraction whose connection is closed without any response.
        truncate_rate: fraction sent with the full Content-Length but half of the body.
        persistent_status: if set, every request gets this status (JSON error body).
        storm_429: the next N requests get 429 with ``Retry-After: storm_retry_after``.
        seed: seed of the fault RNG.
    """

    error_rate: float = 0.0
    slow_rate: float = 0.0
    slow_seconds: float = 30.0
    drop_rate: float = 0.0
    truncate_rate: float = 0.0
    persistent_status: int | None = None
    storm_429: int = 0
    storm_retry_after: int = 1
    seed: int = 0


class RequestRecord(NamedTuple):
    """One served request; ``status`` is 0 when the connection was dropped."""

    t: float  # time.monotonic() at arrival
    method: str
    route: str
    path: str
    status: int


class Stats:
    """Thread-safe log of served (non-admin) requests, keyed by route template."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: list[RequestRecord] = []

    def record(self, record: RequestRecord) -> None:
        with self._lock:
            self._requests.append(record)

    def count(self, route: str) -> int:
        with self._lock:
            return sum(1 for r in self._requests if r.route == route)

    def by_route(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        with self._lock:
            for r in self._requests:
                counts[r.route] = counts.get(r.route, 0) + 1
        return counts

    def status_counts(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        with self._lock:
            for r in self._requests:
                counts[r.status] = counts.get(r.status, 0) + 1
        return counts

    @property
    def total(self) -> int:
        with self._lock:
            return len(self._requests)

    @property
    def requests(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._requests)

    def reset(self) -> None:
        with self._lock:
            self._requests.clear()


class RateLimiter:
    """Sliding 1 s and 60 s windows per API key; rejected requests use no budget."""

    def __init__(self, per_second: int | None, per_minute: int | None) -> None:
        if any(limit is not None and limit < 1 for limit in (per_second, per_minute)):
            raise ValueError("rate limits must be positive (or None for no limit)")
        self.per_second = per_second
        self.per_minute = per_minute
        self._lock = threading.Lock()
        self._hits: dict[str, deque[float]] = {}

    def acquire(self, key: str) -> tuple[bool, dict[str, str]]:
        """Try to take a slot; return (allowed, headers). 429s carry ``Retry-After``."""
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - 60:
                hits.popleft()
            wait = 0.0
            if self.per_minute is not None and len(hits) >= self.per_minute:
                wait = hits[-self.per_minute] + 60 - now
            if self.per_second is not None and self._last_second(hits, now) >= self.per_second:
                wait = max(wait, hits[-self.per_second] + 1 - now)
            allowed = wait <= 0
            if allowed:
                hits.append(now)
            headers = {} if allowed else {"Retry-After": str(max(1, math.ceil(wait)))}
            if self.per_minute is not None:
                reset = time.time() + (hits[0] + 60 - now if hits else 0)
                headers["X-Ratelimit-Limit"] = str(self.per_minute)
                headers["X-Ratelimit-Remaining"] = str(max(0, self.per_minute - len(hits)))
                headers["X-Ratelimit-Reset"] = str(math.ceil(reset))
            return allowed, headers

    def _last_second(self, hits: deque[float], now: float) -> int:
        count = 0
        for t in reversed(hits):
            if t <= now - 1 or count >= (self.per_second or 0):
                break
            count += 1
        return count


@dataclass
class Response:
    """What ``AhaEmulator.dispatch`` answers; the HTTP handler writes it out."""

    status: int
    body: bytes = b""
    content_type: str = JSON_TYPE
    headers: dict[str, str] = field(default_factory=dict)
    mode: str = "send"  # "send", "truncate" (half the body, then close) or "drop"


class BadRequestError(ValueError):
    """A malformed query parameter (answered 400 with a JSON error)."""


def _json(status: int, payload: Any) -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(status, body)


def _error(status: int, message: str | None = None) -> Response:
    if status in (502, 503, 504):  # gateway errors come from the proxy, as HTML
        phrase = HTTPStatus(status).phrase
        page = (
            f"<html><head><title>{status} {phrase}</title></head><body><h1>{phrase}</h1>"
            "</body></html>\n"
        )
        return Response(status, page.encode(), HTML_TYPE)
    try:
        default = HTTPStatus(status).phrase
    except ValueError:
        default = "Error"
    return _json(status, {"error": message or default})


_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"(Z|[+-]\d{2}(?::?\d{2})?)?",
    re.IGNORECASE,
)


def parse_timestamp_us(value: str) -> int:
    """Parse an ISO 8601 timestamp to epoch microseconds (``Z``, ``±HH:MM``, naive = UTC).

    Raises ``ValueError`` when malformed.
    """
    match = _TIMESTAMP.fullmatch(value.strip())
    if match is None:
        raise ValueError(value)
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    offset = timedelta()
    if zone and zone.upper() != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
    moment = datetime(
        int(year),
        int(month),
        int(day),
        int(hour or 0),
        int(minute or 0),
        int(second or 0),
        int((fraction or "0")[:6].ljust(6, "0")),
        tzinfo=timezone(offset),
    )
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


class _Query:
    """Typed access to query parameters (last value wins, blank means absent)."""

    def __init__(self, raw: str) -> None:
        self._values = {k: v[-1] for k, v in parse_qs(raw, keep_blank_values=True).items()}

    def get(self, name: str) -> str | None:
        value = self._values.get(name, "").strip()
        return value or None

    def flag(self, name: str) -> bool:
        return (self.get(name) or "").lower() == "true"

    def integer(self, name: str, default: int) -> int:
        value = self.get(name)
        if value is None:
            return default
        try:
            return int(value)
        except ValueError:
            raise BadRequestError(f"Invalid value for {name}: {value!r}") from None

    def timestamp(self, name: str) -> int | None:
        value = self.get(name)
        if value is None:
            return None
        try:
            return parse_timestamp_us(value)
        except ValueError:
            raise BadRequestError(f"Invalid timestamp for {name}: {value!r}") from None

    def fields(self) -> list[str] | None:
        value = self.get("fields")
        return None if value is None else [f.strip() for f in value.split(",") if f.strip()]

    def paging(self) -> tuple[int, int]:
        """(page, per_page): page < 1 becomes 1, per_page is clamped to 1..200."""
        page = max(1, self.integer("page", 1))
        per_page = self.integer("per_page", DEFAULT_PER_PAGE)
        per_page = DEFAULT_PER_PAGE if per_page < 1 else min(per_page, MAX_PER_PAGE)
        return page, per_page


def _envelope(
    key: str, query: _Query, fetch: Callable[[int, int], tuple[int, list[JSON]]]
) -> Response:
    page, per_page = query.paging()
    total, records = fetch((page - 1) * per_page, per_page)
    return _json(
        200,
        {
            key: records,
            "pagination": {
                "total_records": total,
                "total_pages": math.ceil(total / per_page),
                "current_page": page,
            },
        },
    )


class AhaEmulator:
    """An in-process Aha! API v1 server on 127.0.0.1 backed by a seeded ``Workspace``.

    Example:
        with AhaEmulator(ideas=300, seed=1, per_minute=300) as emu:
            requests.get(f"{emu.url}/api/v1/ideas",
                         headers={"Authorization": "Bearer test-api-key"})
    """

    def __init__(
        self,
        ideas: int = 300,
        seed: int = 1,
        api_key: str = "test-api-key",
        per_second: int | None = None,
        per_minute: int | None = None,
        latency_ms: int = 0,
        faults: Faults | None = None,
        port: int = 0,
        plan: str = "roadmaps_ideas_advanced",
    ) -> None:
        self.api_key = api_key
        self.latency_ms = latency_ms
        self.port = port
        self.workspace = Workspace(ideas=ideas, seed=seed)
        self.stats = Stats()
        self._limiter = RateLimiter(per_second, per_minute)
        self._fault_lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.set_faults(faults or Faults())
        self.set_plan(plan)

    # ------------------------------------------------------------------------------ control

    @property
    def url(self) -> str:
        """Base URL (without ``/api/v1``); valid once started."""
        if self._server is None:
            raise RuntimeError("emulator not started")
        return f"http://127.0.0.1:{self.port}"

    @property
    def faults(self) -> Faults:
        return self._faults

    def start(self, port: int | None = None) -> AhaEmulator:
        """Bind 127.0.0.1 (port 0 = any free port) and serve in a daemon thread."""
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = _Server(("127.0.0.1", self.port if port is None else port), self)
        self.port = self._server.server_address[1]
        self.workspace.base_url = self.url
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"aha-emulator-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close the listening socket and open connections, join the thread."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()  # wakes requests sleeping on latency or slow faults
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> AhaEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def set_faults(self, faults: Faults) -> None:
        """Switch fault injection (resets the fault RNG and the 429 storm counter)."""
        with self._fault_lock:
            self._faults = replace(faults)
            self._fault_rng = random.Random(faults.seed)
            self._storm_left = faults.storm_429

    @property
    def forbidden_routes(self) -> frozenset[str]:
        """Route names (as in ``stats``) answered 403 because the plan lacks them."""
        return self._forbidden

    def set_plan(self, plan: str) -> None:
        """Switch to one of ``PLANS`` (sets ``forbidden_routes``)."""
        if plan not in PLANS:
            raise ValueError(f"unknown plan {plan!r}; expected one of {sorted(PLANS)}")
        self.set_forbidden(PLANS[plan])

    def set_forbidden(self, routes: Iterable[str]) -> None:
        """Answer these routes (e.g. ``"GET /api/v1/features"``) 403, like a plan lacking them."""
        known = {f"GET {template}" for _, template in ROUTES}
        routes = frozenset(routes)
        if routes - known:
            raise ValueError(f"unknown routes: {sorted(routes - known)}")
        self._forbidden = routes

    def set_limits(self, per_second: int | None = None, per_minute: int | None = None) -> None:
        """Replace both limits (None = unlimited) and forget the request history."""
        self._limiter = RateLimiter(per_second, per_minute)

    # ----------------------------------------------------------------------------- dispatch

    def dispatch(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes = b""
    ) -> Response:
        """Answer one request (used by the HTTP handler; callable directly in tests)."""
        arrived = time.monotonic()
        split = urlsplit(target)
        path = split.path.rstrip("/") or "/"
        if path.startswith("/__emulator__/"):
            return self._admin(method, path, body)
        route, arg = "unknown", ""
        for pattern, template in ROUTES:
            match = pattern.fullmatch(path)
            if match:
                route = f"{method} {template}"
                arg = unquote(match.group(1)) if match.groups() else ""
                break
        response = self._api(method, path, route, arg, _Query(split.query), headers)
        status = 0 if response.mode == "drop" else response.status
        self.stats.record(RequestRecord(arrived, method, route, target, status))
        return response

    def _api(
        self,
        method: str,
        path: str,
        route: str,
        arg: str,
        query: _Query,
        headers: Mapping[str, str],
    ) -> Response:
        if not path.startswith("/api/"):
            return Response(404, _NOT_FOUND_HTML, HTML_TYPE)
        if self.latency_ms:
            self._stopping.wait(self.latency_ms / 1000)
        if not path.startswith("/api/v1/"):
            return Response(404, _NOT_FOUND_HTML, HTML_TYPE)
        authorization = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        scheme, _, key = authorization.partition(" ")
        if scheme.lower() != "bearer" or key.strip() != self.api_key:
            return _json(401, {"error": "Authentication failed"})
        allowed, limit_headers = self._limiter.acquire(self.api_key)
        if not allowed:
            response = _json(429, {"error": "Rate limit exceeded"})
        else:
            response = self._faulty_or_real(method, route, arg, query)
        response.headers.update(limit_headers)
        return response

    def _faulty_or_real(self, method: str, route: str, arg: str, query: _Query) -> Response:
        with self._fault_lock:
            f, rng = self._faults, self._fault_rng
            storm = self._storm_left > 0
            if storm:
                self._storm_left -= 1
            drop, error, slow, truncate = (
                rng.random() < rate
                for rate in (f.drop_rate, f.error_rate, f.slow_rate, f.truncate_rate)
            )
            error_status = rng.choice((500, 502, 503))
        if f.persistent_status is not None:
            response = _error(f.persistent_status)
            if f.persistent_status == 429:
                response.headers["Retry-After"] = str(f.storm_retry_after)
            return response
        if storm:
            response = _json(429, {"error": "Rate limit exceeded"})
            response.headers["Retry-After"] = str(f.storm_retry_after)
            return response
        if drop:
            return Response(0, mode="drop")
        if error:
            return _error(error_status)
        if slow:
            self._stopping.wait(f.slow_seconds)
        response = self._route(method, route, arg, query)
        if truncate:
            response.mode = "truncate"
        return response

    def _route(self, method: str, route: str, arg: str, query: _Query) -> Response:
        if route == "unknown":
            return Response(404, _NOT_FOUND_HTML, HTML_TYPE)
        if method != "GET":
            response = _error(405, "Method not allowed")
            response.headers["Allow"] = "GET"
            return response
        if route in self._forbidden:
            return _error(403, PLAN_ERROR)
        ws = self.workspace
        q = query
        try:
            template = route.split(" ", 1)[1]
            if template in LIST_ROUTES:
                spec = LIST_ROUTES[template]
                since = q.timestamp("updated_since") if spec.updated_since else None
                fields = q.fields() if spec.fields else None
                return _envelope(
                    spec.key,
                    q,
                    lambda o, n: ws.query_resource(
                        spec.key, o, n, fields, updated_since_us=since, product=arg or None
                    ),
                )
            if template in ("/api/v1/ideas", "/api/v1/products/{id}/ideas"):
                filters: dict[str, Any] = {
                    "updated_since_us": q.timestamp("updated_since"),
                    "created_since_us": q.timestamp("created_since"),
                    "created_before_us": q.timestamp("created_before"),
                    "workflow_status": q.get("workflow_status"),
                    "text": q.get("q"),
                    "spam": q.flag("spam"),
                    "product": arg or None,
                }
                return _envelope(
                    "ideas", q, lambda o, n: ws.query_ideas(o, n, q.fields(), **filters)
                )
            if template == "/api/v1/ideas/{id}":
                return _json(200, {"idea": ws.query_idea(arg, q.fields())})
            if template in ("/api/v1/ideas/endorsements", "/api/v1/ideas/{id}/endorsements"):
                stamps = {
                    "updated_since_us": q.timestamp("updated_since"),
                    "created_since_us": q.timestamp("created_since"),
                    "created_before_us": q.timestamp("created_before"),
                }
                return _envelope(
                    "idea_endorsements",
                    q,
                    lambda o, n: ws.query_votes(
                        o, n, arg or None, q.flag("proxy"), q.fields(), **stamps
                    ),
                )
            if template == "/api/v1/ideas/{id}/idea_comments":
                return _envelope(
                    "idea_comments",
                    q,
                    lambda o, n: ws.query_idea_comments(arg, o, n, q.flag("spam"), q.fields()),
                )
            return _envelope("comments", q, lambda o, n: ws.query_internal_comments(arg, o, n))
        except BadRequestError as exc:
            return _error(400, str(exc))
        except RecordNotFoundError:
            return _error(404, "Record not found.")

    def _admin(self, method: str, path: str, body: bytes) -> Response:
        if (method, path) == ("GET", "/__emulator__/stats"):
            return _json(
                200,
                {
                    "total": self.stats.total,
                    "by_route": self.stats.by_route(),
                    "status_counts": {
                        str(k): v for k, v in sorted(self.stats.status_counts().items())
                    },
                },
            )
        if (method, path) == ("POST", "/__emulator__/reset_stats"):
            self.stats.reset()
            return _json(200, {"ok": True})
        if (method, path) == ("POST", "/__emulator__/plan"):
            try:
                spec = json.loads(body or b"{}")
                if "plan" in spec:
                    self.set_plan(str(spec["plan"]))
                else:
                    self.set_forbidden(spec["forbidden_routes"])
            except (ValueError, KeyError, TypeError) as exc:
                return _error(
                    400, f'Expected {{"plan": P}} or {{"forbidden_routes": [...]}}: {exc}'
                )
            return _json(200, {"forbidden_routes": sorted(self._forbidden)})
        if (method, path) == ("POST", "/__emulator__/mutate"):
            try:
                spec = json.loads(body or b"{}")
                summary = self.workspace.mutate_random(
                    int(spec["changed_ideas"]), int(spec.get("seed", 0))
                )
            except (ValueError, KeyError, TypeError) as exc:
                return _error(400, f'Expected {{"changed_ideas": K, "seed": S}}: {exc}')
            return _json(200, summary)
        return _error(404, "Unknown emulator admin route")


class _Server(ThreadingHTTPServer):
    """Threaded server that remembers open connections so ``stop`` can close them."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], emulator: AhaEmulator) -> None:
        self.emulator = emulator
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet when a client (or ``stop``) breaks a connection mid-request."""

    def close_connections(self) -> None:
        with self._open_lock:
            sockets, self._open = list(self._open), set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    """Thin HTTP/1.1 keep-alive adapter around ``AhaEmulator.dispatch``."""

    protocol_version = "HTTP/1.1"
    server_version = "AhaEmulator/1.0"
    timeout = 120  # idle keep-alive connections are closed after this many seconds
    disable_nagle_algorithm = True  # headers and body go out separately: avoid a 40 ms stall

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_PATCH(self) -> None:
        self._serve("PATCH")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: no per-request lines on stderr."""

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        emulator = cast(_Server, self.server).emulator
        response = emulator.dispatch(method, self.path, dict(self.headers.items()), body)
        if response.mode == "drop":
            self.close_connection = True
            return
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if response.mode == "truncate":
            self.wfile.write(response.body[: len(response.body) // 2])
            self.wfile.flush()
            self.close_connection = True
        else:
            self.wfile.write(response.body)
