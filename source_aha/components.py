"""Custom components for the Aha! manifest: only what the declarative language cannot express.

The Connector Builder and `source-declarative-manifest` load this file alone (`source.py` aliases
it), so it imports only the CDK, `requests` and the standard library, and has no `from __future__
import annotations` (the Builder runs it before registering the module). The CDK builds one
instance per component per stream definition, shared by the stream's worker threads.
"""

import logging
import random
import socket
import ssl
import threading
import time
import weakref
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.declarative.extractors import DpathExtractor
from airbyte_cdk.sources.declarative.migrations.state_migration import StateMigration
from airbyte_cdk.sources.declarative.requesters.error_handlers import DefaultErrorHandler
from airbyte_cdk.sources.declarative.requesters.error_handlers.backoff_strategies import (
    ExponentialBackoffStrategy,
    WaitTimeFromHeaderBackoffStrategy,
)
from airbyte_cdk.sources.streams.http.error_handlers import ErrorResolution, ResponseAction
from airbyte_cdk.sources.streams.http.error_handlers.default_error_mapping import (
    DEFAULT_ERROR_MAPPING,
)
from airbyte_cdk.sources.types import Config

logger = logging.getLogger("airbyte")

Answer = requests.Response | Exception | None  # what an error handler is given
Backoff = requests.Response | requests.RequestException | None  # what a backoff strategy is given


def _describe(row: object) -> str:
    """What a rejected row is, without its values (they may be large, or personal)."""
    if isinstance(row, Mapping):
        keys = ", ".join(sorted(str(k) for k in row)[:10]) or "none"
        return f"an object with no `id` value (keys: {keys})"
    kinds = {str: "a string", int: "a number", float: "a number", bool: "a boolean", list: "a list"}
    return f"{kinds.get(type(row), 'null')}, not an object"


def json_body(response: requests.Response) -> object:
    """The decoded body, or None when it is not JSON (requests' JSONDecodeError is a ValueError)."""
    try:
        return response.json()
    except ValueError:
        return None


def page_number(response: requests.Response) -> int:
    """The page Aha! says it served (1 when the envelope is missing or the body is not JSON)."""
    body = json_body(response)
    pagination = (body.get("pagination") if isinstance(body, dict) else None) or {}
    return int(pagination.get("current_page") or 1)


def page_size(response: requests.Response) -> int:
    """The `per_page` this response was requested with (Aha!'s default of 30 when absent)."""
    query = parse_qs(urlsplit(response.request.url or "").query)
    return min(int(query.get("per_page", ["30"])[0]), 200)  # Aha!'s per_page maximum


@dataclass
class RowCheckingExtractor(DpathExtractor):
    """A `DpathExtractor` that passes on only objects with an `id`: the CDK would fail the stream
    on any other row with a bare TypeError, or emit a record with a null key."""

    def extract_records(self, response: requests.Response) -> Iterable[MutableMapping[Any, Any]]:
        for position, row in enumerate(super().extract_records(response), start=1):
            if isinstance(row, MutableMapping) and row.get("id") not in (None, ""):
                yield row
                continue
            path = urlsplit(response.request.url or "").path
            logger.warning(
                f"Skipping row {position} of page {page_number(response)} of {path}: Aha! sent "
                f"{_describe(row)}. The other rows are read as usual."
            )


@dataclass
class MaxIdeasExtractor(RowCheckingExtractor):
    """Keeps exactly the first `max_ideas` ideas, which the last page can overshoot. A row's
    position comes from the response, so every copy of `ideas` keeps the same ideas, statelessly."""

    def extract_records(self, response: requests.Response) -> Iterable[MutableMapping[Any, Any]]:
        records = super().extract_records(response)
        limit = self.config.get("max_ideas")  # an int, or a numeric string (the spec takes both)
        if limit is None or limit == "":
            yield from records
            return
        first = (page_number(response) - 1) * page_size(response)
        yield from (record for offset, record in enumerate(records) if first + offset < int(limit))


@dataclass
class PerIdeaToAccountWideState(StateMigration):
    """Turns a per-idea `idea_proxy_votes` state (a global substream cursor, saved while an idea
    filter was set) into the account-wide stream's plain `{"updated_at": ...}`; no built-in
    migration maps one layout to the other, and without it the read would restart."""

    config: Config

    def should_migrate(self, stream_state: Mapping[str, Any]) -> bool:
        return "updated_at" not in stream_state and isinstance(stream_state.get("state"), Mapping)

    def migrate(self, stream_state: Mapping[str, Any]) -> Mapping[str, Any]:
        return dict(stream_state["state"])


@dataclass
class WaitTimeFromHeaderWithJitter(WaitTimeFromHeaderBackoffStrategy):
    """Waits as the header says, plus up to `jitter_in_seconds` at random: workers refused in the
    same second would otherwise come back in lockstep, and the last one exhausts its retries."""

    jitter_in_seconds: float = 2.0

    def backoff_time(self, response_or_exception: Backoff, attempt_count: int) -> float | None:
        wait = super().backoff_time(response_or_exception, attempt_count)
        return None if wait is None else wait + random.uniform(0, float(self.jitter_in_seconds))


@dataclass
class AnswerBackoffStrategy(ExponentialBackoffStrategy):
    """`ExponentialBackoffStrategy` for answers only. The CDK logs every wait a manifest strategy
    computes as "Rate limit exceeded"; a failed connection is left to its default retry, which
    logs the handler's "Cannot reach <host>: <cause>" instead."""

    def backoff_time(self, response_or_exception: Backoff, attempt_count: int) -> float | None:
        if not isinstance(response_or_exception, requests.Response):
            return None
        return super().backoff_time(response_or_exception, attempt_count)


def network_cause(error: BaseException) -> str:
    """What went wrong on the way to the server, in words: DNS, refused, TLS or a timeout."""
    seen: list[BaseException] = []
    pending = [error]
    while pending and len(seen) < 20:  # the exception, its causes, urllib3's `reason`s
        current = pending.pop(0)
        seen.append(current)
        linked = [current.__cause__, current.__context__, getattr(current, "reason", None)]
        linked += list(current.args)
        pending += [e for e in linked if isinstance(e, BaseException) and e not in seen]
    for kind, cause in (
        (socket.gaierror, "the name does not resolve (DNS lookup failed)"),
        (ConnectionRefusedError, "connection refused"),
        ((ssl.SSLError, requests.exceptions.SSLError), "TLS handshake failed"),
        (requests.exceptions.ReadTimeout, "no answer within the read timeout"),
        ((requests.exceptions.ConnectTimeout, TimeoutError), "no connection within the timeout"),
        (ConnectionResetError, "the connection was reset"),
    ):
        if any(isinstance(e, kind) for e in seen):
            return cause
    return f"connection failed ({type(error).__name__})"


def _resolution(action: ResponseAction, failure: FailureType, message: str) -> ErrorResolution:
    return ErrorResolution(response_action=action, failure_type=failure, error_message=message)


def public_host(url: str | None) -> str:
    """The host of `url` without credentials (safe to show in an error)."""
    return urlsplit(url or "").netloc.rsplit("@", 1)[-1]


NOT_AHA_MESSAGE = (
    "The server at {url} did not answer like Aha!'s API (no JSON). Check `subdomain` (and "
    "`base_url`, if set)."
)
INCOMPLETE_BODY_MESSAGE = "Aha! sent an incomplete JSON body; retrying."


class Outage:
    """When the current run of errors began, shared by every error handler of one source: the CDK
    hands them all one config object (a new source, a new one). A dict cannot be weakly
    referenced, so the index maps its id to the outage, which holds the config to keep it unique."""

    _by_config: ClassVar["weakref.WeakValueDictionary[int, Outage]"] = weakref.WeakValueDictionary()
    _index_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, config: Config) -> None:
        self.config = config
        self.lock = threading.Lock()
        self.since: float | None = None
        self.last_error = 0.0

    @classmethod
    def of(cls, config: Config) -> "Outage":
        with cls._index_lock:
            outage = cls._by_config.get(id(config))
            if outage is None or outage.config is not config:
                outage = cls._by_config[id(config)] = cls(config)
            return outage


@dataclass
class OutageAwareErrorHandler(DefaultErrorHandler):
    """The manifest's error handler: checks that each answer is Aha!'s JSON, and stops outages.

    The body is checked after the filters that resolve a status as an error, before those that
    ignore one: no JSON is a wrong `subdomain` or `base_url` (a config error); an undecodable or
    empty body is truncated (retried). A failed connection retries as "Cannot reach <host>: ...".

    A per-idea stream would wait an outage out once per idea, so once the sync has had only errors
    to retry for `outage_seconds`, a retryable error fails at once. An answer not from the cache
    (a success or an ignored status) ends the outage; a 429 neither starts nor ends one.
    """

    outage_seconds: float = 60.0

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:
        super().__post_init__(parameters)
        codes = [
            (f.action, code) for f in self.response_filters or [] for code in f.http_codes or ()
        ]
        self._ignored_statuses = {code for action, code in codes if action == ResponseAction.IGNORE}
        self._error_statuses = {code for _, code in codes} - self._ignored_statuses
        # Failed attempts of each request that got no answer, for as long as it is retried.
        self._attempts: weakref.WeakKeyDictionary[object, int] = weakref.WeakKeyDictionary()
        self._outage = Outage.of(self.config)

    def check_body(self, response: requests.Response) -> ErrorResolution | None:
        """FAIL for an answer that is not JSON, RETRY for an undecodable one, else None."""
        status = response.status_code
        if status in self._error_statuses:
            return None  # a status the manifest's filters resolve first
        if "json" not in (response.headers.get("Content-Type") or "").lower():
            parts = urlsplit(response.url or "")
            url = f"{parts.scheme}://{public_host(response.url)}{parts.path}"
            return _resolution(
                ResponseAction.FAIL, FailureType.config_error, NOT_AHA_MESSAGE.format(url=url)
            )
        if status in self._ignored_statuses or json_body(response):
            return None
        known = DEFAULT_ERROR_MAPPING.get(status)
        failure = known.failure_type if known and known.failure_type else FailureType.system_error
        return _resolution(ResponseAction.RETRY, failure, INCOMPLETE_BODY_MESSAGE)

    def resolve(self, response_or_exception: Answer) -> ErrorResolution:
        """What one answer means on its own, before the outage bookkeeping."""
        if isinstance(response_or_exception, requests.Response):
            checked = self.check_body(response_or_exception)
            if checked:
                return checked
        resolution, error = super().interpret_response(response_or_exception), response_or_exception
        if resolution.response_action != ResponseAction.RETRY or not isinstance(error, Exception):
            return resolution
        host = public_host(getattr(getattr(error, "request", None), "url", None)) or "the server"
        message = f"Cannot reach {host}: {network_cause(error)}; retrying."
        return _resolution(ResponseAction.RETRY, FailureType.transient_error, message)

    def interpret_response(self, response_or_exception: Answer = None) -> ErrorResolution:
        resolution = self.resolve(response_or_exception)
        action, outage = resolution.response_action, self._outage
        answered = action in (ResponseAction.SUCCESS, ResponseAction.IGNORE)
        if getattr(response_or_exception, "from_cache", False) or not (
            answered or action == ResponseAction.RETRY
        ):
            return resolution
        now, window = time.monotonic(), float(self.outage_seconds)
        with outage.lock:
            if answered:
                outage.since = None
                return resolution
            if outage.since is None or now - outage.last_error > 2 * window:
                outage.since = now  # errors far apart are separate outages
            outage.last_error, since = now, outage.since
            request = getattr(response_or_exception, "request", None)
            attempts = 0
            if isinstance(response_or_exception, Exception) and request is not None:
                attempts = self._attempts[request] = self._attempts.get(request, 0) + 1
        if attempts > int(self.max_retries or 0):  # the CDK would give up, in its own words
            ending = f"gave up after {attempts} attempts"
        elif now - since >= window:
            ending = f"there were only errors for {now - since:.0f} s, so the sync gives up"
        else:
            return resolution
        last = (resolution.error_message or "").split("; retrying")[0].rstrip(".")
        message = f"{last}; {ending}. The next sync resumes from the last saved state."
        return _resolution(ResponseAction.FAIL, FailureType.transient_error, message)


@dataclass
class PlanFeatureErrorHandler(OutageAwareErrorHandler):
    """Skips, with one warning per stream, a stream that the account's Aha! plan does not include.

    Aha! answers 403 when a plan lacks a module (Roadmaps; Ideas Advanced for idea organizations):
    nothing to read, not a broken configuration, and an `IGNORE` filter would only log at INFO.
    """

    plan_feature: str = "a feature of a higher Aha! plan"

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:
        super().__post_init__(parameters)
        self._stream = parameters.get("name") or "this stream"
        self._warned = False

    def resolve(self, response_or_exception: Answer) -> ErrorResolution:
        if getattr(response_or_exception, "status_code", None) != 403:
            return super().resolve(response_or_exception)
        message = (
            f"Skipping {self._stream}: Aha! answered 403 Forbidden, so this account's plan does "
            f"not include {self.plan_feature} (or the API key's user may not read it). The other "
            "streams are read as usual."
        )
        if not self._warned:  # per-product streams meet the same 403 once per product
            self._warned = True
            logger.warning(message)
        return _resolution(ResponseAction.IGNORE, FailureType.config_error, message)
