"""The Aha! emulator's request pipeline and control surface.

A request to ``/api/v1/...`` goes through, in order: the fixed latency, bearer auth (401), the
per-key rate limiter (429), the fault switches, then routing (HTML 404 for unknown routes, 405
for methods a route lacks, JSON 403 for routes the plan lacks) and the endpoint itself (two
tables: ``routes.ENDPOINTS`` for GETs, ``writes.WRITES`` for POST, PUT and DELETE).
``/__emulator__/...`` is an unauthenticated admin surface for out-of-process use and is neither
counted nor limited.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from urllib.parse import unquote, urlsplit

from .common import RecordNotFoundError
from .faults import FaultInjector, Faults
from .limits import RateLimiter
from .personality import Personality, personality_of
from .responses import (
    BadRequestError,
    Query,
    Response,
    error_response,
    json_response,
    not_found_page,
)
from .routes import PLAN_ERROR, PLANS, ROUTE_NAMES, Endpoint, match
from .stats import RequestRecord, Stats
from .transport import Server
from .workspace import Workspace
from .writes import WRITE_NAMES, Args, WriteRoute, candidates


class _Target:
    """Where routing sent a request: a GET endpoint, a write route, or the methods a
    known path does allow (for the 405). A GET of a path only writes know is an unknown route
    (HTML 404), as it always was."""

    def __init__(self, method: str, path: str) -> None:
        found = match(path)
        self.get: tuple[Endpoint, str] | None = found if method == "GET" else None
        get_template = None if found is None else found[0].template
        writes = [] if method == "GET" else candidates(path, get_template)
        self.write: tuple[WriteRoute, Args] | None = next(
            ((w, a) for w, a in writes if w.method == method), None
        )
        self.allowed = sorted({w.method for w, _ in writes} | ({"GET"} if found else set()))
        if self.write is not None:
            self.route = self.write[0].name
        elif found is not None:
            self.route = f"{method} {found[0].template}"
        else:
            self.route = f"{method} {writes[0][0].template}" if writes else "unknown"


class AhaEmulator:
    """An in-process Aha! API v1 server on 127.0.0.1 backed by a seeded ``Workspace``.

    ``personality`` (a ``Personality`` or a preset name of ``PERSONALITIES``) makes it behave
    as another plausible Aha! (``set_personality`` switches it while running).

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
        audit_types: str | None = None,
        personality: Personality | str | None = None,
    ) -> None:
        self.api_key = api_key
        self.latency_ms = latency_ms
        self.port = port
        self.workspace = Workspace(
            ideas=ideas, seed=seed, audit_types=audit_types, personality=personality
        )
        self.stats = Stats()
        self._limiter = RateLimiter(per_second, per_minute)
        self._stopping = threading.Event()
        self._server: Server | None = None
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
        return self._faults.faults

    def start(self, port: int | None = None) -> AhaEmulator:
        """Bind 127.0.0.1 (port 0 = any free port) and serve in a daemon thread."""
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = Server(("127.0.0.1", self.port if port is None else port), self)
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
        self._faults = FaultInjector(faults)

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
        """Answer these routes (e.g. ``"GET /api/v1/features"``, or a write route such as
        ``"DELETE /api/v1/ideas/{id}"``) 403, like a plan lacking them."""
        routes = frozenset(routes)
        if routes - ROUTE_NAMES - WRITE_NAMES:
            raise ValueError(f"unknown routes: {sorted(routes - ROUTE_NAMES - WRITE_NAMES)}")
        self._forbidden = routes

    @property
    def personality(self) -> Personality:
        """How this Aha! behaves where the docs leave room (``aha_emulator.personality``)."""
        return self.workspace.personality

    def set_personality(self, personality: Personality | str) -> None:
        """Switch personality on a running emulator (a ``Personality`` or a preset name)."""
        self.workspace.set_personality(personality)

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
        routed = _Target(method, path)
        response = self._api(path, target, routed, Query(split.query), headers, body)
        status = 0 if response.mode == "drop" else response.status
        self.stats.record(
            RequestRecord(arrived, method, routed.route, target, status, response.fault)
        )
        return response

    def _api(
        self,
        path: str,
        target: str,
        routed: _Target,
        query: Query,
        headers: Mapping[str, str],
        body: bytes,
    ) -> Response:
        if not path.startswith("/api/"):
            return not_found_page()
        if self.latency_ms:
            self._stopping.wait(self.latency_ms / 1000)
        if not path.startswith("/api/v1/"):
            return not_found_page()
        authorization = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        scheme, _, key = authorization.partition(" ")
        if scheme.lower() != "bearer" or key.strip() != self.api_key:
            return json_response(401, {"error": "Authentication failed"})
        allowed, limit_headers = self._limiter.acquire(self.api_key)
        if not allowed:
            response = json_response(429, {"error": "Rate limit exceeded"})
        else:
            response = self._faulty_or_real(target, routed, query, body)
        response.headers.update(limit_headers)
        return response

    def _faulty_or_real(self, target: str, routed: _Target, query: Query, body: bytes) -> Response:
        injector = self._faults
        f, draw = injector.faults, injector.draw()
        if f.persistent_status is not None:
            response = error_response(f.persistent_status)
            if f.persistent_status == 429:
                response.headers["Retry-After"] = str(f.storm_retry_after)
            response.fault = "persistent"
            return response
        if draw.storm:
            response = json_response(429, {"error": "Rate limit exceeded"})
            response.headers["Retry-After"] = str(f.storm_retry_after)
            response.fault = "storm_429"
            return response
        if draw.drop:
            return Response(0, mode="drop", fault="drop")
        if draw.error:
            response = error_response(draw.error_status)
            response.fault = "error"
            return response
        if draw.slow:
            self._stopping.wait(f.slow_seconds)
        response = self._route(routed, query, body)
        if draw.truncate:
            response.mode, response.fault = "truncate", "truncate"
        elif response.status == 200 and (garbled := injector.garble(target, response.body)):
            response.body, response.fault = garbled, "invalid_json"
        elif draw.slow:
            response.fault = "slow"
        return response

    def _route(self, routed: _Target, query: Query, body: bytes) -> Response:
        if routed.write is not None:
            write, args = routed.write
            if write.name in self._forbidden:
                return error_response(403, PLAN_ERROR)
            return write.answer(self.workspace, args, body)
        if routed.get is None:
            if not routed.allowed:
                return not_found_page()
            response = error_response(405, "Method not allowed")
            response.headers["Allow"] = ", ".join(routed.allowed)
            return response
        endpoint, raw_arg = routed.get
        if endpoint.name in self._forbidden | self.personality.forbidden_routes:
            return error_response(403, PLAN_ERROR)
        try:
            return endpoint.answer(self.workspace, unquote(raw_arg), query)
        except BadRequestError as exc:
            return error_response(400, str(exc))
        except RecordNotFoundError:
            return error_response(404, "Record not found.")

    def _admin(self, method: str, path: str, body: bytes) -> Response:
        if (method, path) == ("GET", "/__emulator__/stats"):
            return json_response(
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
            return json_response(200, {"ok": True})
        if (method, path) == ("POST", "/__emulator__/plan"):
            try:
                spec = json.loads(body or b"{}")
                if "plan" in spec:
                    self.set_plan(str(spec["plan"]))
                else:
                    self.set_forbidden(spec["forbidden_routes"])
            except (ValueError, KeyError, TypeError) as exc:
                return error_response(
                    400, f'Expected {{"plan": P}} or {{"forbidden_routes": [...]}}: {exc}'
                )
            return json_response(200, {"forbidden_routes": sorted(self._forbidden)})
        if (method, path) == ("POST", "/__emulator__/personality"):
            try:
                self.set_personality(personality_of(json.loads(body or b"{}")["personality"]))
            except (ValueError, KeyError, TypeError) as exc:
                return error_response(400, f'Expected {{"personality": [NAME, ...]}}: {exc}')
            return json_response(200, {"personality": asdict(self.personality)})
        if (method, path) == ("POST", "/__emulator__/mutate"):
            try:
                spec = json.loads(body or b"{}")
                summary = self.workspace.mutate_random(
                    int(spec["changed_ideas"]), int(spec.get("seed", 0))
                )
            except (ValueError, KeyError, TypeError) as exc:
                return error_response(400, f'Expected {{"changed_ideas": K, "seed": S}}: {exc}')
            return json_response(200, summary)
        return error_response(404, "Unknown emulator admin route")
