"""Custom components for the Aha! manifest: only what the declarative language cannot express.

The Connector Builder and `source-declarative-manifest` load this file alone (`source.py` aliases
it), so it imports only the CDK, its dependencies and the standard library, and has no
`from __future__ import annotations` (the Builder runs it before registering the module). The CDK
builds one instance per component per stream definition, shared by the stream's worker threads.
"""

import ast
import atexit
import copy
import functools
import inspect
import json
import logging
import random
import re
import socket
import ssl
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from dataclasses import InitVar, dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, ClassVar, TypeVar
from urllib.parse import parse_qs, urlsplit

import requests
import requests_cache
from airbyte_cdk.entrypoint import AirbyteEntrypoint
from airbyte_cdk.models import (
    AirbyteEstimateTraceMessage,
    AirbyteMessage,
    AirbyteTraceMessage,
    EstimateType,
    FailureType,
    TraceType,
    Type,
)
from airbyte_cdk.sources.concurrent_source.thread_pool_manager import ThreadPoolManager
from airbyte_cdk.sources.declarative.extractors import DpathExtractor
from airbyte_cdk.sources.declarative.incremental.concurrent_partition_cursor import (
    ConcurrentPerPartitionCursor,
)
from airbyte_cdk.sources.declarative.migrations.state_migration import StateMigration
from airbyte_cdk.sources.declarative.partition_routers import (
    GroupingPartitionRouter,
    PartitionRouter,
)
from airbyte_cdk.sources.declarative.requesters import HttpRequester
from airbyte_cdk.sources.declarative.requesters.error_handlers import DefaultErrorHandler
from airbyte_cdk.sources.declarative.requesters.error_handlers.backoff_strategies import (
    ExponentialBackoffStrategy,
    WaitTimeFromHeaderBackoffStrategy,
)
from airbyte_cdk.sources.declarative.retrievers.retriever import Retriever
from airbyte_cdk.sources.declarative.schema.schema_loader import SchemaLoader
from airbyte_cdk.sources.declarative.transformations.transformation import RecordTransformation
from airbyte_cdk.sources.declarative.validators import ValidationStrategy
from airbyte_cdk.sources.streams.http.error_handlers import ErrorResolution, ResponseAction
from airbyte_cdk.sources.streams.http.error_handlers.default_error_mapping import (
    DEFAULT_ERROR_MAPPING,
)
from airbyte_cdk.sources.streams.http.http_client import HttpClient
from airbyte_cdk.sources.types import Config, StreamSlice, StreamState
from airbyte_cdk.utils.airbyte_secrets_utils import update_secrets
from airbyte_cdk.utils.traced_exception import AirbyteTracedException
from pyrate_limiter.limiter import SingleBucketFactory

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


_BODY = "_source_aha_json_body"  # where an answer keeps its decoded body (`json_body`)


def json_body(response: requests.Response) -> object:
    """The decoded body, or None when it is not JSON (requests' JSONDecodeError is a ValueError).

    Decoded once per answer: the error handler, the request cache's filter, the paginator and
    the extractors all ask, and a page of 200 ideas is the costliest thing a read decodes. The
    callers only read it (the CDK's extractor decodes its own copy, which transformations edit)."""
    kept = getattr(response, "__dict__", {})
    if _BODY in kept:
        return kept[_BODY]
    try:
        body = response.json()
    except ValueError:
        body = None
    if hasattr(response, "__dict__"):
        response.__dict__[_BODY] = body
    return body


def page_number(response: requests.Response) -> int:
    """The page Aha! says it served (1 when the envelope is missing or the body is not JSON)."""
    body = json_body(response)
    pagination = (body.get("pagination") if isinstance(body, dict) else None) or {}
    return int(pagination.get("current_page") or 1)


def first_position(response: requests.Response, rows: int) -> int:
    """Where the page's first row stands in the whole list. Aha! may serve fewer rows a page than
    `per_page` asked for, so the page size is the one served: a page before the last holds a
    full page, and the last page ends at `total_records`."""
    body = json_body(response)
    pagination = (body.get("pagination") if isinstance(body, dict) else None) or {}
    page, pages = int(pagination.get("current_page") or 1), pagination.get("total_pages")
    total = pagination.get("total_records")
    if isinstance(pages, int) and isinstance(total, int) and page >= pages:
        return max(total - rows, 0)
    return (page - 1) * rows


@dataclass
class RowCheckingExtractor(DpathExtractor):
    """A `DpathExtractor` that passes on only objects with an `id`: the CDK would fail the stream
    on any other row with a bare TypeError, or emit a record with a null key."""

    def extract_records(self, response: requests.Response) -> Iterable[MutableMapping[Any, Any]]:
        checked = False
        for position, row in enumerate(super().extract_records(response), start=1):
            if isinstance(row, MutableMapping) and row.get("id") not in (None, ""):
                if not checked:
                    checked = True
                    self._check_fields(response, row)
                yield row
                continue
            path = urlsplit(response.request.url or "").path
            logger.warning(
                f"Skipping row {position} of page {page_number(response)} of {path}: Aha! sent "
                f"{_describe(row)}. The other rows are read as usual."
            )

    def _check_fields(self, response: requests.Response, row: Mapping[str, Any]) -> None:
        """Aha!'s list rows carry few fields unless `fields=` names them. Should Aha! ignore the
        parameter, the columns would be null without a word; one warning says so instead (and
        the per-idea streams, with no count to skip by, read every idea)."""
        parts = urlsplit(response.request.url or "")
        asked = [f for f in ",".join(parse_qs(parts.query).get("fields", [])).split(",") if f]
        missing = [f for f in asked if f not in row]
        if len(missing) * 2 <= len(asked):
            return
        Notes.of(self.config).warn_once(
            f"fields:{parts.path}",
            f"Aha! ignored `fields=` on {parts.path}: its rows carry only "
            f"{', '.join(sorted(str(k) for k in row))}. The other {len(missing)} columns "
            f"({', '.join(missing[:6])}{', ...' if len(missing) > 6 else ''}) stay null, and "
            "streams read idea by idea ask every idea, having no count to skip by.",
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
        body = json_body(response)
        rows = body.get("ideas") if isinstance(body, dict) else None
        first = first_position(response, len(rows) if isinstance(rows, list) else 0)
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
class CursorCheck(StateMigration):
    """Refuses a saved state whose `updated_at` the cursor cannot parse, naming the stream, the
    path and the value: the CDK would fail the read with "Something went wrong in the
    connector". The one component the CDK hands a stream's saved state before the read, on every
    launcher; it migrates nothing. The formats are the manifest cursor's (by `$ref`)."""

    config: Config
    declarative_stream: Any
    datetime_format: str
    formats: list[str]

    def should_migrate(self, stream_state: Mapping[str, Any]) -> bool:
        stream = getattr(self.declarative_stream, "name", "") or "this stream"
        for path, value in _cursor_values(stream_state, "stream_state"):
            if not _is_timestamp(value, [self.datetime_format, *self.formats]):
                shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
                raise config_error(
                    f"The state of stream `{stream}` has {path} = {shown}, which is not a UTC "
                    "timestamp such as 2024-01-01T00:00:00.000000Z. Correct it, or reset the "
                    "stream to read it again from `start_date`."
                )
        return False

    def migrate(self, stream_state: Mapping[str, Any]) -> Mapping[str, Any]:
        return stream_state


def _cursor_values(blob: object, path: str) -> Iterator[tuple[str, Any]]:
    """Every `updated_at` in a saved state, with its path."""
    if isinstance(blob, Mapping):
        for key, value in blob.items():
            if key == "updated_at":
                yield f"{path}.{key}", value
            else:
                yield from _cursor_values(value, f"{path}.{key}")
    elif isinstance(blob, list):
        for index, value in enumerate(blob):
            yield from _cursor_values(value, f"{path}[{index}]")


def _is_timestamp(value: object, formats: Iterable[str]) -> bool:
    if not isinstance(value, str):
        return False
    for fmt in formats:
        try:
            datetime.strptime(value, fmt).replace(tzinfo=timezone.utc)
        except ValueError:
            continue
        return True
    return False


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


NO_SUCH_NAME = "the name does not resolve"
REFUSED = "connection refused"
TLS_FAILED = "TLS handshake failed"
NO_CONNECTION = "no connection within the connect timeout"
# What a host that never answered means: a wrong setting, or a firewall between this machine and
# the host (a temporary DNS failure, a read timeout or a reset connection is retried instead).
WRONG_HOST_CAUSES = (NO_SUCH_NAME, REFUSED, TLS_FAILED, NO_CONNECTION)


def _no_such_name(errors: Iterable[BaseException]) -> bool:
    """Whether DNS said the name does not exist (not a temporary failure of the lookup)."""
    temporary = {getattr(socket, "EAI_AGAIN", -3)}
    return any(isinstance(e, socket.gaierror) and e.errno not in temporary for e in errors)


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
        (socket.gaierror, NO_SUCH_NAME if _no_such_name(seen) else "DNS lookup failed"),
        (ConnectionRefusedError, REFUSED),
        ((ssl.SSLError, requests.exceptions.SSLError), TLS_FAILED),
        (requests.exceptions.ReadTimeout, "no answer within the read timeout"),
        (requests.exceptions.ConnectTimeout, NO_CONNECTION),
        (TimeoutError, "the connection timed out"),
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


def host_setting(config: Mapping[str, Any]) -> str:
    """The setting that chose the host: `base_url` when set, else `subdomain`."""
    return "base_url" if config.get("base_url") else "subdomain"


def config_error(message: str) -> AirbyteTracedException:
    return AirbyteTracedException(
        message=message, internal_message=message, failure_type=FailureType.config_error
    )


def _range_problem(key: str, value: object, setting: Mapping[str, Any]) -> str | None:
    """A whole number given as text (`"4"`, which the spec accepts as it does 4) outside the
    setting's range: JSON Schema's `minimum` and `maximum` apply to numbers only."""
    if not (isinstance(value, str) and value.isdigit()):
        return None
    low, high = setting.get("minimum"), setting.get("maximum")
    if (low is None or int(value) >= low) and (high is None or int(value) <= high):
        return None
    wanted = f"from {low} to {high}" if high is not None else f"of at least {low}"
    return f"`{key}` is {value}; it must be a whole number {wanted}."


def config_problems(
    config: Mapping[str, Any], settings: Mapping[str, Any], now: datetime | None = None
) -> list[str]:
    """What the spec's JSON schema cannot say about a config, one sentence each naming the key.
    `settings` are the spec's `properties`; keys starting with `__` are the Builder's and the
    CDK's."""
    known = sorted(settings)
    problems = [
        f"Unknown config key `{key}`; known keys: {', '.join(known)}."
        for key in sorted(str(k) for k in config)
        if key not in known and not key.startswith("__")
    ]
    for key in known:
        setting = settings[key]
        problem = _range_problem(key, config.get(key), setting) if setting else None
        problems += [problem] if problem else []
    base_url = config.get("base_url")
    if isinstance(base_url, str) and base_url:
        try:
            port = urlsplit(base_url).port
        except ValueError:
            port = -1
        if port is not None and not 1 <= port <= 65535:
            problems.append("`base_url` has a port outside 1-65535.")
    start = config.get("start_date")
    if isinstance(start, str) and start:
        try:
            moment = datetime.strptime(start, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        except ValueError:
            problems.append(f"`start_date` {start} is not a real date and time.")
        else:
            if moment > (now or datetime.now(timezone.utc)):
                problems.append(f"`start_date` {start} is in the future; nothing would be read.")
    query, alias = config.get("ideas_q"), config.get("q")
    if query and alias and query != alias:
        problems.append("`ideas_q` and its alias `q` are both set, to different texts; keep one.")
    return problems


def catalog_problems(config: Mapping[str, Any], settings: Mapping[str, Any]) -> list[str]:
    """What the CDK would skip without a word in this read's catalog: no stream at all, or an
    opt-in stream (the spec's `read_<stream>`) whose setting is off. `settings` are the spec's
    `properties`."""
    selected = _catalog_streams()
    if selected is None:
        return []
    if not selected:
        return [
            "The catalog selects no streams, so there is nothing to read. Add the streams to "
            "read (`discover` lists them)."
        ]
    off = [
        f"`{name}` needs `read_{name}` set to true"
        for name in selected
        if f"read_{name}" in settings and not config.get(f"read_{name}")
    ]
    if not off:
        return []
    return [
        "The catalog names streams this config does not read: "
        + "; ".join(off)
        + ". Turn the setting on, or refresh the source schema."
    ]


def hide_api_key(config: Mapping[str, Any]) -> None:
    """Registers the API key's spellings with the CDK's secret filter: the CDK registers the value
    as given, and a key pasted with spaces or a `Bearer ` prefix would otherwise show trimmed."""
    key = config.get("api_key")
    if isinstance(key, str) and key.strip():
        bare = key.strip().removeprefix("Bearer ").strip()
        update_secrets([secret for secret in {key, key.strip(), bare} if len(secret) >= 4])


@dataclass
class ConfigChecks(ValidationStrategy):
    """The spec's validation of what its JSON schema cannot express (`config_problems`), and of a
    read's catalog against the config (`catalog_problems`), run by the CDK on every launcher
    before any stream is built. The CDK's validators see the value at one path, and these checks
    compare settings, so the spec's transformation copies the config to `__config` and this
    strategy validates that copy. A problem is a config error. `settings` is the spec's
    `properties` (by `$ref`)."""

    settings: Mapping[str, Any]

    def validate(self, value: Any) -> None:  # noqa: ANN401 (the CDK's signature)
        if not isinstance(value, Mapping):  # the CDK rendered `{{ config }}` differently
            logger.warning("source-aha: the config could not be checked (`__config` is no object).")
            return
        hide_api_key(value)
        problems = config_problems(value, self.settings)
        if problems:
            raise config_error("Invalid configuration: " + " ".join(problems))
        problems = catalog_problems(value, self.settings)
        if problems:
            raise config_error(" ".join(problems))


NOT_AHA_MESSAGE = "The server at {url} did not answer like Aha!'s API (no JSON). Check `{setting}`."
INCOMPLETE_BODY_MESSAGE = "Aha! sent an incomplete JSON body; retrying."


_PerSourceT = TypeVar("_PerSourceT", bound="PerSource")
_BySyncT = TypeVar("_BySyncT", bound="BySyncContent")


class PerSource:
    """What the components of one source share: the CDK hands them all one config object (a new
    source, a new one). A dict cannot be weakly referenced, so the index maps the kind and the
    config's id to the instance, which holds the config to keep it unique."""

    _by_config: ClassVar["weakref.WeakValueDictionary[tuple[type, int], PerSource]"] = (
        weakref.WeakValueDictionary()
    )
    _index_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, config: Config) -> None:
        self.config = config
        self.lock = threading.Lock()

    @classmethod
    def of(cls: type[_PerSourceT], config: Config) -> _PerSourceT:
        with PerSource._index_lock:
            found = PerSource._by_config.get((cls, id(config)))
            if not isinstance(found, cls) or found.config is not config:
                found = cls(config)
                PerSource._by_config[(cls, id(config))] = found
            return found


class Outage(PerSource):
    """When the current run of errors began, shared by every error handler of one source."""

    def __init__(self, config: Config) -> None:
        super().__init__(config)
        self.since: float | None = None
        self.last_error = 0.0
        self.answered = False  # whether the host has answered once this sync


class BySyncContent:
    """What the components of one sync share, known by the config's content: the CDK hands
    components copies of one config. A process runs one sync (in-process test reads share the
    state of equal configs)."""

    def __init__(self, config: Config) -> None:
        self._config = json.dumps(config, sort_keys=True, default=str)

    @classmethod
    def of(cls: type[_BySyncT], config: Config) -> _BySyncT:
        return cls(config)


class ChildAudits(BySyncContent):
    """The audits of the ideas' children, read once per sync and `created_since` for every
    per-idea stream that asks (their parents' cursors are usually the same)."""

    # A walk serves for this long: the streams of one sync ask within it, and a long-lived
    # process (the Builder's server) never gets an old answer in a later sync.
    FRESH_SECONDS: ClassVar[float] = 600.0
    _walks: ClassVar[dict[tuple[str, str], tuple[float, list[Mapping[str, Any]] | Exception]]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()  # held while walking: its own

    def since(
        self, created_since: str, read: Callable[[], Iterable[Mapping[str, Any]]]
    ) -> list[Mapping[str, Any]]:
        """The audits from `created_since`; raises what reading them raised (once per walk)."""
        key = (self._config, created_since)
        with ChildAudits._lock:  # one walk at a time: a second stream waits for the first's
            walked = ChildAudits._walks.get(key)
            if walked is None or time.monotonic() - walked[0] > self.FRESH_SECONDS:
                try:
                    walked = (time.monotonic(), list(read()))
                except Exception as error:
                    walked = (time.monotonic(), error)
                ChildAudits._walks[key] = walked
            found = walked[1]
        if isinstance(found, Exception):
            raise found
        return found


class Notes(BySyncContent):
    """Warnings said once per sync, however many streams, pages, threads or copies of the config
    meet the cause."""

    _said: ClassVar[set[tuple[str, str]]] = set()
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def warn_once(self, key: str, message: str, level: int = logging.WARNING) -> bool:
        with Notes._lock:
            if (self._config, key) in Notes._said:
                return False
            Notes._said.add((self._config, key))
        logger.log(level, message)
        return True


class Forbidden(BySyncContent):
    """The streams a 403 skipped this sync (`PlanFeatureErrorHandler`), and whether the key's
    own access was then checked (`CustomFieldColumns`): the two see different config copies."""

    _streams: ClassVar[set[tuple[str, str]]] = set()
    _checked: ClassVar[set[str]] = set()
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def add(self, stream: str) -> None:
        with Forbidden._lock:
            Forbidden._streams.add((self._config, stream))

    def streams(self) -> set[str]:
        with Forbidden._lock:
            return {stream for config, stream in Forbidden._streams if config == self._config}

    def first_to_check(self, stream: str) -> bool:
        """Whether `stream` was refused, and no other stream has checked access yet."""
        with Forbidden._lock:
            if (self._config, stream) not in Forbidden._streams or self._config in self._checked:
                return False
            Forbidden._checked.add(self._config)
            return True


_PAGINATION = re.compile(rb'"pagination"\s*:\s*(\{[^{}]*\})')
_PER_IDEA_PATH = re.compile(r"/ideas/(\d+)/")


def _pagination(response: requests.Response) -> Mapping[str, Any]:
    """Aha!'s `pagination` envelope, read from the body's end without decoding the page again."""
    found = _PAGINATION.search(response.content[-400:] if response.content else b"")
    try:
        pagination = json.loads(found.group(1)) if found else {}
    except ValueError:
        return {}
    return pagination if isinstance(pagination, dict) else {}


def _duration(seconds: float) -> str:
    return f"{round(seconds / 60)} min" if seconds >= 90 else f"{seconds:.0f} s"


def _requests(count: int) -> str:
    return f"{count:,} request{'' if count == 1 else 's'}"


class Progress(PerSource):
    """Where a long read is, said every `SECONDS` while it runs: a first full read of a large
    account asks some streams idea by idea for half an hour, which the CDK spent without a line.

    Each answer that reached Aha! (not the request cache) is counted by the error handler of
    its stream. A timer thread, started by the first answer, reports every `SECONDS` (once more
    when no answer came, as while the budget waits) and ends after two intervals without an
    answer. A report has one INFO line for the read (requests, rate, budget) and one per stream
    that sent requests since the last: the records its pages hold so far (Aha!'s `pagination`
    says how many each list has), its page of the list, or, for a stream read idea by idea, the
    ideas asked of those the ideas list holds and the time left at the stream's rate (an upper
    bound: ideas without rows are skipped). The first page of a stream's one list also gives the
    platform an ESTIMATE trace of its records, and a read ends with one summary line.

    The CDK hands custom components no message repository, so the estimate is written to
    standard output as the CDK's own log lines are (during a read, its locked print buffer)."""

    SECONDS: ClassVar[float] = 30.0

    def __init__(self, config: Config) -> None:
        super().__init__(config)
        self.started = self.reported = time.monotonic()
        self.requests: dict[str, int] = {}
        self.since_report: dict[str, int] = {}
        self.pages: dict[str, tuple[int, int, int]] = {}
        self.asked: dict[str, set[str]] = {}
        # Per stream, per list (its path): the records of the pages read so far.
        self.records: dict[str, dict[str, int]] = {}
        self.estimated: dict[str, int] = {}
        self.ideas_listed = 0
        self._timer: threading.Thread | None = None
        # The streams a read's catalog selects, which estimates may name (a parent's copy has
        # its stream's name); none in the Connector Builder, a server that prints for itself.
        self._selected = _selected_streams() if "__command" not in config else frozenset()
        if self._selected:
            atexit.register(self._summary)
        # The streams the source built (each error handler names its own), and whether the
        # catalog's streams were compared with them.
        self.built: set[str] = set()
        self._compared = False

    def count(self, stream: str, response: requests.Response) -> None:
        parts = urlsplit(response.request.url or "") if response.request else None
        path = parts.path if parts else ""
        pagination = _pagination(response)
        idea = _PER_IDEA_PATH.search(path)
        estimate = None
        with self.lock:
            self.requests[stream] = self.requests.get(stream, 0) + 1
            self.since_report[stream] = self.since_report.get(stream, 0) + 1
            if idea and stream != "ideas":
                self.asked.setdefault(stream, set()).add(idea.group(1))
            if pagination:
                page = (
                    int(pagination.get("current_page") or 1),
                    int(pagination.get("total_pages") or 1),
                    int(pagination.get("total_records") or 0),
                )
                per_page = parse_qs(parts.query if parts else "").get("per_page", ["200"])[0]
                self.records.setdefault(stream, {})[path] = min(
                    page[0] * int(per_page or 200), page[2]
                )
                if not idea:
                    self.pages[stream] = page
                if path.endswith("/ideas"):
                    self.ideas_listed = max(self.ideas_listed, page[2])
                # A parent's copy of the list (all of it) may come first; the stream's own
                # (`updated_since`, a part of it) is then the smaller.
                one_list = not _PARTITION_PATH.search(path)
                if page[0] == 1 and one_list and page[2] < self.estimated.get(stream, page[2] + 1):
                    self.estimated[stream] = estimate = page[2]
            if self._timer is None:
                self._timer = threading.Thread(
                    target=self._report_every_interval, name="source-aha-progress", daemon=True
                )
                self._timer.start()
        self.compare_catalog()
        if estimate is not None and stream in self._selected:
            _emit_estimate(stream, estimate)

    def compare_catalog(self) -> None:
        """Once a read has begun (every stream is built by then), one warning naming the
        catalog's streams this source does not have: the CDK skips them without a word. (The
        `source-aha` command refuses such a catalog before it starts.)"""
        if self._compared:  # every answer asks; only the first needs the lock
            return
        with self.lock:
            if self._compared or not self.built:
                return
            self._compared = True
            unknown = sorted(self._selected - self.built)
        if unknown:
            logger.warning(
                "The catalog names streams this source does not have, so they are not read: "
                + ", ".join(f"`{name}`" for name in unknown)
                + ". Refresh the source schema."
            )

    def _report_every_interval(self) -> None:
        idle = 0
        wait = threading.Event()  # never set: a wait no patched `time.sleep` shortens
        while True:
            wait.wait(self.SECONDS)
            with self.lock:
                idle = 0 if self.since_report else idle + 1
                if idle >= 2:  # the read is over, or waits long: the next answer restarts it
                    self._timer = None
                    return
                now = time.monotonic()
                lines = self.report(now)
                self.reported, self.since_report = now, {}
            for line in lines:
                logger.info(line)

    def _records(self, stream: str) -> int:
        return sum(self.records.get(stream, {}).values())

    def report(self, now: float) -> list[str]:
        """The report's lines (called under the lock)."""
        window = max(now - self.reported, 1.0)
        total, recent = sum(self.requests.values()), sum(self.since_report.values())
        budget = self.config.get("max_requests_per_minute") or 240
        lines = [
            f"Progress after {_duration(now - self.started)}: {_requests(total)} to Aha!, "
            f"{recent * 60 / window:.0f} a minute lately (budget {budget} a minute)."
        ]
        for stream in sorted(self.since_report):
            # A stream's pace: what it sent lately, at most the budget (the budget's moving
            # window lets a minute's requests through in a burst, then waits).
            sent = self.requests[stream]
            rate = min(self.since_report[stream] * 60 / window, float(budget))
            line = f"{stream}: {self._records(stream):,} records so far"
            if stream in self.asked:
                asked, listed = len(self.asked[stream]), self.ideas_listed
                line += f", {asked:,} ideas asked"
                line += f" of the {listed:,} listed" if listed else ""
                line += f", {_requests(sent)}"
                if listed > asked and rate > 0:
                    line += f"; at most about {_duration((listed - asked) * 60 / rate)} left"
                lines.append(line + f" at {rate:.0f} requests a minute.")
            elif stream in self.pages:
                page, pages, records = self.pages[stream]
                lines.append(
                    line + f", page {page} of {pages} ({records:,} records listed), "
                    f"{_requests(sent)}."
                )
            else:
                lines.append(line + f", {_requests(sent)}.")
        return lines

    def _summary(self) -> None:
        """The read's last line: how long it took and what it cost (the CDK has said each
        stream's records)."""
        self.compare_catalog()
        with self.lock:
            elapsed = time.monotonic() - self.started
            total = sum(self.requests.values())
        budget = self.config.get("max_requests_per_minute") or 240
        skipped = Forbidden.of(self.config).streams() & self._selected
        logger.info(
            f"Read summary: {_duration(elapsed)}, {_requests(total)} to Aha! "
            f"({total * 60 / max(elapsed, 1.0):.0f} a minute; budget {budget} a minute)"
            + (f"; skipped for the plan: {', '.join(sorted(skipped))}." if skipped else ".")
        )


def _catalog_streams() -> list[str] | None:
    """The streams of `read --catalog FILE` in this process's arguments (both launchers take
    them so), or None for another command or a file that is not a catalog."""
    args = sys.argv[1:]
    if args[:1] != ["read"] or "--catalog" not in args[:-1]:
        return None
    try:
        with open(args[args.index("--catalog") + 1], encoding="utf-8") as file:
            catalog = json.load(file)
        return [str(s["stream"]["name"]) for s in catalog["streams"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None  # the launcher says what is wrong with the file


def _selected_streams() -> frozenset[str]:
    return frozenset(_catalog_streams() or ())


# A path under one record (`/products/123/releases`, `/ideas/45/comments`): one list of many.
_PARTITION_PATH = re.compile(r"/\d+(/|$)")


def _emit_estimate(stream: str, rows: int) -> None:
    """An ESTIMATE trace of `stream`'s records, the Airbyte protocol's progress signal."""
    message = AirbyteMessage(
        type=Type.TRACE,
        trace=AirbyteTraceMessage(
            type=TraceType.ESTIMATE,
            emitted_at=time.time() * 1000,
            estimate=AirbyteEstimateTraceMessage(
                name=stream, type=EstimateType.STREAM, row_estimate=rows
            ),
        ),
    )
    # One write, message and line break together, as the CDK's `launch` prints.
    print(f"{AirbyteEntrypoint.airbyte_message_to_string(message)}\n", end="", flush=True)  # noqa: T201


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
        self._progress = Progress.of(self.config)
        self._stream = str((parameters or {}).get("name") or "a stream")
        with self._progress.lock:
            self._progress.built.add(self._stream)

    def check_body(self, response: requests.Response) -> ErrorResolution | None:
        """FAIL for an answer that is not JSON, RETRY for an undecodable one, else None."""
        status = response.status_code
        if status in self._error_statuses:
            return None  # a status the manifest's filters resolve first
        if "json" not in (response.headers.get("Content-Type") or "").lower():
            parts = urlsplit(response.url or "")
            url = f"{parts.scheme}://{public_host(response.url)}{parts.path}"
            return _resolution(
                ResponseAction.FAIL,
                FailureType.config_error,
                NOT_AHA_MESSAGE.format(url=url, setting=host_setting(self.config)),
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
        cause = network_cause(error)
        if cause in WRONG_HOST_CAUSES and not self._outage.answered:
            # The host never answered this sync: a setting to fix, not an outage to wait out.
            message = f"Cannot reach {host}: {cause}. Check `{host_setting(self.config)}`."
            return _resolution(ResponseAction.FAIL, FailureType.config_error, message)
        message = f"Cannot reach {host}: {cause}; retrying."
        return _resolution(ResponseAction.RETRY, FailureType.transient_error, message)

    def interpret_response(self, response_or_exception: Answer = None) -> ErrorResolution:
        if isinstance(response_or_exception, requests.Response) and not getattr(
            response_or_exception, "from_cache", False
        ):
            self._progress.count(self._stream, response_or_exception)
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
                outage.since, outage.answered = None, True
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


def is_config_mistake(error: object) -> bool:
    """Whether `error` is a setting to fix (a config-error trace), not a failure to debug."""
    return (
        isinstance(error, AirbyteTracedException) and error.failure_type == FailureType.config_error
    )


CHECK_TRACEBACK = "Error traceback:"  # where `CheckStream` appends a traceback to its message


def quiet_config_mistakes() -> bool:
    """One config mistake, one clear line: its error trace (or the check status) names the
    setting, and the CDK's logs of it carry no traceback.

    The CDK logs every failure with its traceback: the read loop's "Exception while syncing
    stream", `CheckStream`'s "Encountered an error" (the traceback also pasted into the message)
    and the uncaught-exception hook's FATAL line; for a rejected key that was 52 tracebacks in one
    read. A traceback helps nobody fix a setting, so a log record about a config error (an
    `AirbyteTracedException` with `failure_type` config_error) is made without it, through
    Python's public `logging.setLogRecordFactory`, which every logger and handler uses (the
    CDK's `dictConfig` replaces handlers, not the factory). Other errors keep their tracebacks,
    and error traces keep their protocol `stack_trace`."""
    current = logging.getLogRecordFactory()
    if getattr(current, _FIXED, False):
        return True

    def make_record(*args: Any, **kwargs: Any) -> logging.LogRecord:  # noqa: ANN401
        record = current(*args, **kwargs)
        error = record.exc_info[1] if record.exc_info else None
        if is_config_mistake(error):
            record.exc_info, record.exc_text = None, None
            if isinstance(record.msg, str):
                record.msg = record.msg.split(CHECK_TRACEBACK, 1)[0].rstrip()
        return record

    setattr(make_record, _FIXED, True)
    logging.setLogRecordFactory(make_record)
    return True


@dataclass
class PlanFeatureErrorHandler(OutageAwareErrorHandler):
    """Skips, with one warning per stream, a stream that the account's Aha! plan does not include.

    Aha! answers 403 when a plan lacks a module (Roadmaps; Ideas Advanced for idea organizations):
    nothing to read, not a broken configuration, and an `IGNORE` filter would only log at INFO.
    """

    plan_feature: str = "a feature of a higher Aha! plan"

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:
        super().__post_init__(parameters)
        # A parent's requests name the stream the 403 skips (`skipped_stream`), if not its own.
        self._skipped = parameters.get("skipped_stream") or parameters.get("name") or "a stream"
        self._warned = False

    def resolve(self, response_or_exception: Answer) -> ErrorResolution:
        if getattr(response_or_exception, "status_code", None) != 403:
            return super().resolve(response_or_exception)
        message = (
            f"Skipping {self._skipped}: Aha! answered 403 Forbidden, so this account's plan does "
            f"not include {self.plan_feature} (or the API key's user may not read it). The other "
            "streams are read as usual."
        )
        if not self._warned:  # per-product streams meet the same 403 once per product
            self._warned = True
            Forbidden.of(self.config).add(self._skipped)
            logger.warning(message)
        return _resolution(ResponseAction.IGNORE, FailureType.config_error, message)


@dataclass
class QuietForbiddenErrorHandler(OutageAwareErrorHandler):
    """The manifest's error handler, but a 403 is handed back to the component that asked (which
    says what it means), not failed with an error logged about ideas: for the requests a
    component makes itself (`rows_of`), where a 403 decides a safe path."""

    def resolve(self, response_or_exception: Answer) -> ErrorResolution:
        if getattr(response_or_exception, "status_code", None) == 403:
            return _resolution(ResponseAction.IGNORE, FailureType.config_error, "HTTP 403")
        return super().resolve(response_or_exception)


# Custom fields as columns -------------------------------------------------------------------


@dataclass
class CustomFieldDefinitionsFor(RowCheckingExtractor):
    """The account's custom field definitions of one record type, as ONE record.

    `DynamicSchemaLoader` builds its columns from the first record its retriever yields, at
    `schema_pointer`. `GET /custom_field_definitions` lists the definitions of every record type
    (ideas, features, epics, …) in one answer, and a per-definition `RecordFilter` would leave
    one record per definition. This keeps the definitions whose `custom_fieldable_type` is one
    of the stream's `$parameters.custom_fieldable_types` and have a `key`, and yields them as
    `{"custom_field_definitions": [...]}`: one record, always (empty when none match).
    """

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:
        super().__post_init__(parameters)
        wanted = parameters.get("custom_fieldable_types") or ()
        self._record_types = frozenset([wanted] if isinstance(wanted, str) else wanted)

    def extract_records(self, response: requests.Response) -> Iterable[MutableMapping[Any, Any]]:
        kept = [
            row
            for row in super().extract_records(response)
            if row.get("custom_fieldable_type") in self._record_types
            and isinstance(row.get("key"), str)
            and row["key"]
        ]
        yield {"custom_field_definitions": kept}


class _LazySchema(Mapping[str, object]):
    """A schema built on first look, once.

    The CDK asks a stream for its schema when it reads the stream's first partition, and passes
    it to the retriever, which does not look at it (no schema normalization here). The parent
    copies of `ideas` inside the per-idea streams are asked too. Built lazily, the schema costs
    its `GET /custom_field_definitions` only where it is really read: in discover, and once per
    read when the CDK announces a selected stream (its status message carries the schema; the
    requests cache serves the other streams). Truthiness is answered without building.
    """

    def __init__(self, build: Callable[[], Mapping[str, Any]]) -> None:
        self._build = build
        self._lock = threading.Lock()
        self._schema: Mapping[str, Any] | None = None

    def _built(self) -> Mapping[str, Any]:
        with self._lock:
            if self._schema is None:
                self._schema = self._build()
            return self._schema

    def __bool__(self) -> bool:
        return True

    def __getitem__(self, key: str) -> object:
        return self._built()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._built())

    def __len__(self) -> int:
        return len(self._built())


@dataclass
class CustomFieldColumns(SchemaLoader):
    """A stream's static schema plus one typed column per custom field definition.

    `dynamic_schema_loader` (the CDK's `DynamicSchemaLoader`: definitions read from Aha!, typed
    by its `types_mapping`, renamed by its `schema_transformations`) gives the columns;
    `static_schema_loader` gives everything else. The CDK's own list of schema loaders
    (`CompositeSchemaLoader`) keeps only `properties`, so `required` and the rest would be lost,
    and a failed definitions request would fail discover. Here the static schema is kept whole,
    a column never replaces a static field, and when the definitions cannot be read (a 403 on an
    account or key without access, retries exhausted, anything) discover goes on with the static
    schema and a warning; but a config mistake (a rejected key, a host that is not Aha!'s) fails
    discover with its message. A 403 on the definitions may be the plan or the key's user: one
    request to `access_probe` (an endpoint of every plan, once per source) tells, and a 403 there
    fails discover as `check` fails. The schema is built lazily (`_LazySchema`).
    """

    static_schema_loader: SchemaLoader
    dynamic_schema_loader: SchemaLoader
    config: Config
    parameters: InitVar[Mapping[str, Any]]
    access_probe: HttpRequester | None = None

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:
        self._columns = parameters.get("name") or "the custom field columns"
        self._schema = _LazySchema(self._merged)

    def get_json_schema(self) -> Mapping[str, Any]:
        return self._schema

    def _merged(self) -> Mapping[str, Any]:
        schema = copy.deepcopy(dict(self.static_schema_loader.get_json_schema()))
        try:
            columns = dict(self.dynamic_schema_loader.get_json_schema().get("properties") or {})
        except Exception as error:  # whatever failed, discover must not, but for a setting
            if is_config_mistake(error):
                raise  # a rejected key or a wrong host: no stream can be read
            reason = getattr(error, "message", None) or str(error) or type(error).__name__
            logger.warning(
                f"Leaving out {self._columns}: Aha!'s custom field definitions could not be "
                f"read ({reason}). The stream keeps its other columns and its raw "
                "`custom_fields`; refresh the schema once the definitions can be read."
            )
            return schema
        if not columns:
            self._check_access()
        properties = schema.setdefault("properties", {})
        for name, column in columns.items():
            properties.setdefault(name, column)
        return schema

    def _check_access(self) -> None:
        """Fails (the probe's error handler raises a config error) when the key's user may read
        nothing, after a 403 left these columns out."""
        if self.access_probe is not None and Forbidden.of(self.config).first_to_check(
            self._columns
        ):
            self.access_probe.send_request(request_params={"per_page": "1"})


# The record-level `type` of the values that keep their JSON type (`CustomFieldColumns` types
# these columns); every other value is a column of an unknown type, a string.
_TYPED_VALUES = frozenset({"string", "url", "note", "date", "number", "boolean", "array"})


def lifted_value(field: Mapping[str, Any]) -> object:
    """A `custom_fields[]` element's value as its column holds it.

    A value whose record-level `type` is one the schema types (a date is Aha!'s `"2019-01-01"`,
    a multi-select or users field a list of strings) is kept as it is, and a number field sent
    as a numeric string becomes a number. Any other value (a scorecard's number, an equation's
    object, a list of objects) goes to a column of an unknown type, a nullable string: it
    becomes its JSON text, unless it is a string or null already.
    """
    value, kind = field.get("value"), field.get("type")
    if value is None or (isinstance(value, str) and kind != "number"):
        return value
    if kind == "number" and isinstance(value, str):
        try:
            return int(value) if value.strip().lstrip("-").isdigit() else float(value)
        except ValueError:
            return value
    scalar = (str, int, float, bool)
    if kind in _TYPED_VALUES and (
        isinstance(value, scalar)
        or (isinstance(value, list) and all(isinstance(item, scalar) for item in value))
    ):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


@dataclass
class LiftCustomFields(RecordTransformation):
    """Copies each `custom_fields[]` value to a top-level `<prefix><key>` column.

    Aha! sends a record's custom fields as a list of `{id, key, name, updatedAt, value, type}`;
    the columns that discover adds (`CustomFieldColumns`) are named from the same `key`. No
    built-in transformation turns a list of key/value objects into fields (`AddFields` would
    need one template per field, and the fields differ per account). The list itself stays as
    it is, and a column never overwrites one of the record's own fields.
    """

    config: Config
    parameters: InitVar[Mapping[str, Any]]
    prefix: str = "cf_"

    def transform(
        self,
        record: dict[str, Any],
        config: Config | None = None,
        stream_state: StreamState | None = None,
        stream_slice: StreamSlice | None = None,
    ) -> None:
        fields = record.get("custom_fields")
        if not isinstance(fields, list):
            return
        for field in fields:
            if not isinstance(field, Mapping):
                continue
            key = field.get("key")
            if isinstance(key, str) and key and f"{self.prefix}{key}" not in record:
                record[f"{self.prefix}{key}"] = lifted_value(field)


# Audits: which stream a record type belongs to --------------------------------------------------

# Aha! documents no `auditable_type` values; answers show lower-case names (`feature`), other
# pages Rails class names (`Ideas::Idea`). Both reduce to the same key (see `type_key`). Votes are
# endorsements, proxy or not: both vote streams get them. The deletes (`DeletesRetriever`) and
# the per-idea streams' change signal (`IdeaFanOut`) route audits through this one table.
AUDIT_STREAMS: Mapping[str, tuple[str, ...]] = {
    "idea": ("ideas",),
    "ideaendorsement": ("idea_proxy_votes", "idea_votes"),
    "endorsement": ("idea_proxy_votes", "idea_votes"),
    "ideavote": ("idea_proxy_votes", "idea_votes"),
    "vote": ("idea_proxy_votes", "idea_votes"),
    "ideacomment": ("idea_comments",),
    "comment": ("idea_internal_comments",),
    "project": ("products",),
    "product": ("products",),
    "feature": ("features",),
    "release": ("releases",),
    "epic": ("epics",),
    "initiative": ("initiatives",),
    "goal": ("goals",),
    "user": ("users",),
    "task": ("tasks",),
    "requirement": ("requirements",),
}
# Streams whose rows belong to an idea: an audit of theirs names the idea as its associated record.
IDEA_CHILDREN = frozenset(
    {"idea_proxy_votes", "idea_votes", "idea_comments", "idea_internal_comments"}
)
IDEA_CHILDREN_TYPES = frozenset(k for k, v in AUDIT_STREAMS.items() if set(v) & IDEA_CHILDREN)


# Every stream that gets tombstones (`DeletesRetriever`).
TRACKED = frozenset(name for names in AUDIT_STREAMS.values() for name in names)


def type_key(auditable_type: object) -> str:
    """`Ideas::IdeaComment`, `idea_comment`, `IdeaComment`, `idea_comments`: `ideacomment`."""
    key = re.sub(r"[^a-z]", "", str(auditable_type or "").rsplit("::", 1)[-1].lower())
    if key not in AUDIT_STREAMS and key.endswith("s") and key[:-1] in AUDIT_STREAMS:
        return key[:-1]
    return key


def warn_unknown_audit_types(config: Config, spellings: Iterable[str]) -> None:
    """One warning per spelling no stream is known for: its audits are not used."""
    for spelling in sorted(set(spellings)):
        Notes.of(config).warn_once(
            f"audit-type:{spelling}",
            f"Aha!'s audits name a record type this connector does not know: "
            f"`{spelling}`. Its audits are left out: a record of that type deleted in Aha! "
            "stays in the destination until a full refresh. Please report the spelling.",
        )


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 time (`Z` or an offset; naive is UTC), or None."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


# Checked assumptions -----------------------------------------------------------------------------

# Each assumption about Aha! that decides what the connector skips has a setting: `auto` checks it
# against what the sync reads, `yes` trusts it, `no` takes the safe path without checking.
COUNT_SETTING = "assume_comments_count_is_portal"
MOVES_SETTING = "assume_child_changes_move_idea"
# The settings that narrow the ideas read (the manifest's `streams:` conditions name the same).
IDEA_FILTERS = ("ideas_workflow_status", "ideas_q", "q", "max_ideas")
# The children's audits are asked from a second before the parent's cursor (`created_since`
# has whole seconds); only those after the cursor name ideas to read (`IdeaFanOut`).
AUDITS_LOOKBACK = timedelta(seconds=1)
AUDITS_TIMESTAMP = "%Y-%m-%dT%H:%M:%SZ"


def assumption(config: Config, setting: str) -> str:
    value = str(config.get(setting) or "auto").strip().lower()
    return value if value in ("yes", "no") else "auto"


def _idea_of(stream_slice: StreamSlice) -> str:
    return str(stream_slice.partition.get("idea_id") or "")


@dataclass
class _CountGate:
    """Skips an idea whose count of the child records is 0, once the count is known to mean it.

    In `auto`, the first `probes` ideas with a count of 0 are asked anyway (one request each,
    before any is skipped): one that has records refutes the count, and from then on no idea is
    skipped, with one warning. An idea without the count (Aha! sent none) is always read.
    """

    count_field: str
    mode: str
    probes: int
    probe: Callable[[StreamSlice], bool]
    stream: str
    config: Config
    refuted: bool = False

    def keep(self, stream_slice: StreamSlice) -> bool:
        count = stream_slice.extra_fields.get(self.count_field) if self.count_field else None
        if not isinstance(count, int) or count > 0 or self.mode == "no" or self.refuted:
            return True
        if self.mode == "yes" or self.probes <= 0:
            return False
        self.probes -= 1
        try:
            found = self.probe(stream_slice)
        except Exception:  # an unanswered probe proves nothing: read the idea
            return True
        if found:
            self.refuted = True
            Notes.of(self.config).warn_once(
                f"count:{self.stream}",
                f"{self.stream}: Aha!'s `{self.count_field}` is not the number of these records "
                f"(idea {_idea_of(stream_slice)} has some and a count of 0), so no idea is "
                "skipped by its count: this sync asks every idea it reads, one request each, as "
                f"a full read does. Set `{COUNT_SETTING}: no` to read every idea without the "
                "check.",
            )
        return found


@dataclass(kw_only=True)
class IdeaFanOut(GroupingPartitionRouter):
    """The ideas a per-idea stream asks, checked against what Aha! really does.

    `underlying_partition_router` gives the ideas that changed since the last sync (the `ideas`
    parent, incremental); the CDK finds the parent there to cache its pages. On top of it:

    - Ideas whose `count_field` is 0 are skipped (`_CountGate`), unless the count proves wrong.
    - In an incremental sync, a change to a child (a new comment, an edited vote) reaches the
      destination even if Aha! does not move its idea's `updated_at`: Aha!'s audits of the
      child records since the parent's cursor (`child_audits`, one request) name their ideas,
      and those not among the changed ones are asked too (one warning says the assumption
      failed). If the audits cannot be read, no change can be confirmed, so every idea the
      filters select is asked (`all_ideas`), as in a full read, with one warning.
    - `assume_child_changes_move_idea: yes` trusts the assumption (no audits read).

    No CDK partition router can add partitions from a second source or decide a skip from a
    request of its own; this wraps the CDK's `SubstreamPartitionRouter` and delegates the rest.
    It is a `GroupingPartitionRouter` (of `group_size: 1`, never grouping) because that is how
    the CDK looks through a router to its parent: to cache the parent's pages, and to start the
    stream only once `ideas` is done (the manifest's blocking group), reading them from the cache.
    """

    all_ideas: PartitionRouter
    child_audits: HttpRequester
    probe: HttpRequester
    config: Config
    parameters: InitVar[Mapping[str, Any]]
    count_field: str = ""
    count_setting: str = ""
    probes: int = 5

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:  # type: ignore[override]
        super().__post_init__()
        self._stream = str(parameters.get("name") or "")
        self._audit_types = frozenset(k for k, v in AUDIT_STREAMS.items() if self._stream in v)
        self.count_field = str(parameters.get("idea_count_field") or self.count_field)
        self.count_setting = str(parameters.get("idea_count_setting") or self.count_setting)
        self._data_field = str(parameters.get("data_field") or "")

    # The partition field is not a request option: nothing to add to the requests.
    def get_request_params(
        self,
        stream_state: StreamState | None = None,
        stream_slice: StreamSlice | None = None,
        next_page_token: Mapping[str, Any] | None = None,
    ) -> Mapping[str, Any]:
        return {}

    get_request_headers = get_request_body_data = get_request_body_json = get_request_params

    def get_stream_state(self) -> Mapping[str, StreamState] | None:
        return self.underlying_partition_router.get_stream_state()

    def stream_slices(self) -> Iterable[StreamSlice]:
        yield from self._idea_slices()
        if tracks_deletes(self.config, self._stream):
            yield deletes_slice()

    def _idea_slices(self) -> Iterable[StreamSlice]:
        cursor = self._cursor()
        since = (cursor - AUDITS_LOOKBACK).strftime(AUDITS_TIMESTAMP) if cursor else None
        checks_moves = bool(self._audit_types) and assumption(self.config, MOVES_SETTING) != "yes"
        mode = assumption(self.config, self.count_setting) if self.count_setting else "yes"
        gate = _CountGate(
            self.count_field, mode, self.probes, self._has_records, self._stream, self.config
        )
        if since is None or not checks_moves:  # no cursor (every idea is read), or nothing to check
            yield from (s for s in self._changed() if gate.keep(s))
            return
        # The changed ideas are listed before the audits are read, and their children after: so
        # the new cursor is older than this walk, and a child change from before it is read now
        # (from the audits, or as a changed idea's). The next sync needs only audits after it.
        changed = list(self._changed())
        audited = self._audited_ideas(since)
        seen = {_idea_of(s) for s in changed}
        yield from (s for s in changed if gate.keep(s))
        if audited is None:  # nothing confirms the changes: every idea, as in a full read
            every = self.all_ideas.stream_slices()
            yield from (s for s in every if _idea_of(s) not in seen and gate.keep(s))
            return
        late = {i for i, t in audited.items() if t is not None and cursor and t > cursor} - seen
        extra = {i for i, t in audited.items() if t is None} - seen | late
        if not extra:
            return
        if any(self.config.get(key) for key in IDEA_FILTERS):  # only the ideas they select
            selected = (s for s in self.all_ideas.stream_slices() if _idea_of(s) in extra)
            for stream_slice in selected:
                yield stream_slice
                if _idea_of(stream_slice) in late:
                    self._warn_moves()
            return
        for idea in sorted(extra):
            yield StreamSlice(partition={"idea_id": idea, "parent_slice": {}}, cursor_slice={})
        if late:
            self._warn_moves()

    def _changed(self) -> Iterator[StreamSlice]:
        """The changed ideas, less those the parent's tombstones say are deleted."""
        for stream_slice in self.underlying_partition_router.stream_slices():
            if not stream_slice.extra_fields.get(DELETED_AT):
                yield stream_slice

    def _warn_moves(self) -> None:
        """Said when the audits name an idea the filters select whose `updated_at` did not move
        with its child's change."""
        if assumption(self.config, MOVES_SETTING) != "auto":
            return
        Notes.of(self.config).warn_once(
            f"moves:{self._stream}",
            f"{self._stream}: Aha!'s audits show a change to a record of an idea whose "
            "`updated_at` did not move, so a new or edited record does not always move its "
            "idea. The ideas the audits name are asked too (one request each), in this and every "
            "sync, from the audits (one request a sync); an idea's `updated_at` and counts in "
            "`ideas` change only when the idea itself does.",
        )

    def _cursor(self) -> datetime | None:
        """The parent's saved cursor; None in a first sync or a full refresh, when the parent
        starts at `start_date` (or the beginning) and reads every idea anyway."""
        start = parse_time(self.config.get("start_date")) or datetime(
            1970, 1, 2, tzinfo=timezone.utc
        )
        for parent_state in (self.get_stream_state() or {}).values():
            cursor = parse_time(parent_state.get("updated_at")) if parent_state else None
            if cursor is not None and cursor > start:
                return cursor
        return None

    def _audited_ideas(self, since: str) -> dict[str, datetime | None] | None:
        """The ideas whose records of this stream were created or changed since `since`, each
        with its latest such audit's time, from Aha!'s audits; None when the audits cannot be
        read (one warning)."""
        walk = StreamSlice(partition={}, cursor_slice={})
        try:
            audits = ChildAudits.of(self.config).since(
                since, lambda: rows_of(self.child_audits, walk, {"created_since": since}, "audits")
            )
        except Exception as error:  # any failure: the safe path, not a failed sync
            reason = str(getattr(error, "message", None) or error).split(". ")[0]
            if isinstance(error, PermissionError):
                reason = "Aha! answered 403: the plan or the key's user may not read audits"
            Notes.of(self.config).warn_once(
                f"moves-unknown:{self._stream}",
                f"{self._stream}: cannot confirm that a new or edited record moves its idea's "
                f"`updated_at` (reading Aha!'s audits failed: {reason}), so this sync asks every "
                "idea the filters select, as a full read does: one request per idea. Set "
                f"`{MOVES_SETTING}: yes` once `make verify-live` has confirmed it.",
            )
            return None
        ideas: dict[str, datetime | None] = {}
        unknown, gone = [], set()
        for audit in audits:
            key = type_key(audit.get("auditable_type"))
            if key not in AUDIT_STREAMS:
                unknown.append(str(audit.get("auditable_type")))
            elif type_key(audit.get("associated_type")) == "idea" and audit.get("associated_id"):
                idea, at = str(audit["associated_id"]), parse_time(audit.get("created_at"))
                action = str(audit.get("audit_action"))
                if action == "destroy" and key in IDEA_CHILDREN_TYPES:
                    gone.add(idea)  # a child destroyed: perhaps with its idea, which lists no more
                if key in self._audit_types and action in ("create", "update"):
                    ideas[idea] = max((t for t in (ideas.get(idea), at) if t), default=None)
        warn_unknown_audit_types(self.config, unknown)
        # An idea deleted since is not read, and proves nothing about the assumption.
        return {idea: (None if idea in gone else at) for idea, at in ideas.items()}

    def _has_records(self, stream_slice: StreamSlice) -> bool:
        """Whether the idea of `stream_slice` has any record of this stream (one request)."""
        one = StreamSlice(partition=stream_slice.partition, cursor_slice={})
        return next(rows_of(self.probe, one, {}, self._data_field, pages=1), None) is not None


def rows_of(
    requester: HttpRequester,
    stream_slice: StreamSlice,
    params: Mapping[str, Any],
    key: str,
    pages: int = 1000,
) -> Iterator[Mapping[str, Any]]:
    """The rows under `key` of every page of one list, read through a requester of the manifest
    (its URL, key, error handler and rate budget). For the requests a component makes itself; the
    streams read through the CDK's retrievers."""
    for page in range(1, pages + 1):
        paging = {"per_page": "200", **({"page": str(page)} if page > 1 else {})}
        response = requester.send_request(
            stream_slice=stream_slice, request_params={**params, **paging}
        )
        if response is not None and response.status_code == 403:
            raise PermissionError("Aha! answered 403")
        body = json_body(response) if response is not None else None
        if not isinstance(body, Mapping):
            return
        yield from (row for row in body.get(key) or [] if isinstance(row, Mapping))
        pagination = body.get("pagination") or {}
        if int(pagination.get("current_page") or 1) >= int(pagination.get("total_pages") or 1):
            return


@dataclass
class ProxyVotesExtractor(RowCheckingExtractor):
    """Says once when Aha! sends votes without an organization for `proxy=true` (it may ignore
    the parameter); the manifest's record filter leaves them out of `idea_proxy_votes` (they stay
    in `idea_votes`). Here because the extractor sees every row, before any filter: on a
    client-side incremental stream the CDK keeps only a record filter's `condition`."""

    def extract_records(self, response: requests.Response) -> Iterable[MutableMapping[Any, Any]]:
        for record in super().extract_records(response):
            if not record.get("idea_organization"):
                Notes.of(self.config).warn_once(
                    "proxy",
                    "Aha! sent votes without an organization for `proxy=true` (it may ignore "
                    "the parameter): they are left out of idea_proxy_votes, and stay in "
                    "idea_votes.",
                )
            yield record


@dataclass
class FillMissingUpdatedAt(RecordTransformation):
    """Gives a record without `updated_at` the later of its `created_at` and its idea's
    `updated_at` (from the partition), with one warning. A team with a live account saw portal
    comments come back without it; the cursor and an append + dedup destination need one, and a
    new or edited comment moves its idea, so the idea's time orders the versions."""

    config: Config
    parameters: InitVar[Mapping[str, Any]]

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:
        self._stream = str(parameters.get("name") or "")

    def transform(
        self,
        record: dict[str, Any],
        config: Config | None = None,
        stream_state: StreamState | None = None,
        stream_slice: StreamSlice | None = None,
    ) -> None:
        if record.get("updated_at"):
            return
        idea = stream_slice.extra_fields.get("updated_at") if stream_slice else None
        times = [(t, v) for v in (record.get("created_at"), idea) if (t := parse_time(v))]
        if not times:
            return
        record["updated_at"] = max(times)[1]
        Notes.of(self.config).warn_once(
            f"updated_at:{self._stream}",
            f"{self._stream}: Aha! sent records without `updated_at`; each gets the later of its "
            "`created_at` and its idea's `updated_at` as its cursor value.",
        )


# Deletes: Aha!'s destroy audits as tombstones ---------------------------------------------------

# Aha! lists no deleted records, but it audits every destroy and keeps the audits for 12 months
# (`GET /api/v1/audits`). A tracked stream's retriever (`DeletesRetriever`) sends, after its
# records, one tombstone `{id, updated_at, _ab_cdc_deleted_at[, idea_id]}` per destroy audit of
# its records in the slice's window: an append + dedup destination then removes the row
# (Airbyte's CDC convention). Tombstones pass through the stream's cursor like records, so the
# state needs no key of its own, and bounding them by the slice keeps the cursor from moving past
# rows not yet read.
DELETED_AT = "_ab_cdc_deleted_at"
AUDITS_RETENTION = timedelta(days=365)  # "the last 12 calendar months" (Aha!'s audits docs)
DELETES_PARTITION = "deletes"


def deletes_slice() -> StreamSlice:
    """The partition a partitioned stream's tombstones come in, after its own partitions."""
    return StreamSlice(partition={DELETES_PARTITION: "tombstones"}, cursor_slice={})


def tracks_deletes(config: Config, stream: str) -> bool:
    return stream in TRACKED and config.get("track_deletes") is not False


def first_read_start(config: Config) -> datetime:
    """Where a stream with no state starts: a window from here owes no tombstones."""
    return parse_time(config.get("start_date")) or datetime(1970, 1, 1, tzinfo=timezone.utc)


def resume_time(state: Mapping[str, Any]) -> datetime | None:
    """Where a saved state resumes: its `updated_at` (top level, or the global substream cursor's
    under `state`), less the CDK's `lookback_window`."""
    inner = state.get("state")
    cursor = parse_time(state.get("updated_at")) or (
        parse_time(inner.get("updated_at")) if isinstance(inner, Mapping) else None
    )
    if cursor is None:
        return None
    lookback = str(state.get("lookback_window") or 0)
    return cursor - timedelta(seconds=int(lookback) if lookback.isdigit() else 0)


def retention_floor() -> datetime:
    """The oldest time Aha! still has audits for, with a day's margin."""
    return datetime.now(timezone.utc) - AUDITS_RETENTION + timedelta(days=1)


@dataclass
class _Walk:
    since: datetime
    until: datetime
    audits: dict[str, Mapping[str, Any]]
    floor: datetime  # the retention floor it was clamped to, kept so the streams agree on it


class DestroyAudits(BySyncContent):
    """The destroy audits of one sync, read once for every tracked stream: from the oldest start
    a stream noted (`DeletesStart`), and again from where the walk stopped only when a slice needs
    later ones (so a walk kept from an earlier sync of a long-lived process is brought up to
    date, never trusted past its end). An error is kept for the rest of the sync: each tracked
    stream fails with it."""

    _starts: ClassVar[dict[str, dict[str, datetime]]] = {}
    _walks: ClassVar[dict[str, _Walk]] = {}
    _failed: ClassVar[dict[str, Exception]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()  # held while walking

    def note_start(self, stream: str, start: datetime) -> None:
        with DestroyAudits._lock:  # a new sync of this config: nothing failed yet
            DestroyAudits._starts.setdefault(self._config, {})[stream] = start
            DestroyAudits._failed.pop(self._config, None)

    def between(
        self,
        start: datetime,
        end: datetime,
        read: Callable[[datetime], Iterable[Mapping[str, Any]]],
        need: datetime | None = None,
    ) -> list[Mapping[str, Any]]:
        """The audits created in `(start, end]`, as far as the walk reached; it is extended
        when it stopped before `need` (by default `end`)."""
        with DestroyAudits._lock:
            if self._config in DestroyAudits._failed:
                raise DestroyAudits._failed[self._config]
            walk = DestroyAudits._walks.get(self._config)
            # Read after the records that need it were served: Aha! has their audits, whatever
            # this machine's clock says.
            until = max(datetime.now(timezone.utc), need or end)
            floor = walk.floor if walk is not None else retention_floor()
            start = max(start, floor)
            try:
                if walk is None or start < walk.since:
                    noted = DestroyAudits._starts.get(self._config, {}).values()
                    since = max(floor, min([start, *noted]))
                    walk = _Walk(since, until, _by_id(read(since)), floor)
                elif walk.until < (need or end):
                    walk.audits.update(_by_id(read(walk.until - timedelta(seconds=1))))
                    walk.until = until
            except Exception as error:
                DestroyAudits._failed[self._config] = error
                raise
            DestroyAudits._walks[self._config] = walk
            last = min(end, walk.until)
        return [
            audit
            for audit in walk.audits.values()
            if (at := parse_time(audit.get("created_at"))) and start < at <= last
        ]


def _by_id(audits: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    return {str(a.get("id") or id(a)): a for a in audits}


@dataclass
class DeletesStart(StateMigration):
    """Notes where each tracked stream resumes, so the sync's one walk of the audits starts early
    enough for all of them; a state migration, because it is the one component the CDK hands a
    stream's saved state before the read. It also drops the `deletes` key that source-aha 0.x
    kept (its own deletes cursor): the stream's cursor goes back to that key's time when older,
    so no delete between the two is missed."""

    config: Config
    declarative_stream: Any

    def should_migrate(self, stream_state: Mapping[str, Any]) -> bool:
        stream = str(getattr(self.declarative_stream, "name", "") or "")
        start = resume_time(stream_state)
        saved = stream_state.get("deletes")
        since = parse_time(saved.get("created_since")) if isinstance(saved, Mapping) else None
        if start is not None and since is not None:
            start = min(start, since)  # where the migrated state resumes
        if start is not None and tracks_deletes(self.config, stream):
            DestroyAudits.of(self.config).note_start(stream, start)
        return "deletes" in stream_state

    def migrate(self, stream_state: Mapping[str, Any]) -> Mapping[str, Any]:
        state = dict(stream_state)
        saved = state.pop("deletes")
        since = parse_time(saved.get("created_since")) if isinstance(saved, Mapping) else None
        inner = state.get("state")
        holder = dict(inner) if "updated_at" not in state and isinstance(inner, Mapping) else state
        cursor = parse_time(holder.get("updated_at"))
        if since is not None and cursor is not None and since < cursor:
            holder["updated_at"] = since.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            if holder is not state:
                state["state"] = holder
        return state


@dataclass(kw_only=True)
class DeletesPartition(GroupingPartitionRouter):
    """The stream's own partitions, then one for its tombstones (`deletes_slice`). A
    `GroupingPartitionRouter` of `group_size: 1` (never grouping) so that the CDK still finds
    the parent streams behind it, to cache their pages."""

    def stream_slices(self) -> Iterable[StreamSlice]:
        yield from self.underlying_partition_router.stream_slices()
        yield deletes_slice()

    def get_stream_state(self) -> Mapping[str, StreamState] | None:
        return self.underlying_partition_router.get_stream_state()


@dataclass
class DeletesRetriever(Retriever):
    """The stream's own retriever, then its tombstones: no CDK retriever can add records from a
    second endpoint. An unpartitioned stream gets them after its slice's records, a partitioned
    one in its `deletes_slice` partition. Only a window that resumes a saved state gets any (a
    first sync or a full refresh reads whole), and only audits after the window's start, up to
    its end and as far as the walk reached (`DestroyAudits`)."""

    retriever: Retriever
    requester: HttpRequester  # Aha!'s destroy audits; named so the CDK's cache setup finds one
    config: Config
    parameters: InitVar[Mapping[str, Any]]
    name: str = ""
    partition_router: Any = None

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:
        self.name = str(parameters.get("name") or self.name)
        self._newest: dict[int, datetime] = {}

    def read_records(
        self, records_schema: Mapping[str, Any], stream_slice: StreamSlice | None = None
    ) -> Iterable[Any]:
        stream_slice = stream_slice or StreamSlice(partition={}, cursor_slice={})
        if DELETES_PARTITION in stream_slice.partition:
            yield from self.tombstones(stream_slice, None)
            return
        newest: datetime | None = None
        for record in self.retriever.read_records(records_schema, stream_slice):
            at = parse_time(record.get("updated_at")) if isinstance(record, Mapping) else None
            newest = max(newest, at) if newest and at else (at or newest)
            yield record
        if not stream_slice.partition:
            yield from self.tombstones(stream_slice, newest)

    def tombstones(self, stream_slice: StreamSlice, newest: datetime | None) -> Iterator[Any]:
        """The slice's tombstones. The walk must reach where the cursor goes: the newest record
        or, without one, the slice's end. The deletes partition of a partitioned stream needs
        only its start: the CDK resumes it a whole sync's length before its cursor."""
        cursor = stream_slice.cursor_slice
        start = parse_time(cursor.get("start_time"))
        if start is None or start <= first_read_start(self.config):
            return
        if not tracks_deletes(self.config, self.name):
            return
        end = parse_time(cursor.get("end_time")) or datetime.now(timezone.utc)
        # The CDK keeps records newer than the slice's end and moves the cursor to the newest.
        end = max(end, newest or end)
        floor = retention_floor()
        if start < floor:
            # Said, not warned: a cursor this old is usually a quiet stream's newest record, not
            # a year without a sync (the state cannot tell which).
            Notes.of(self.config).warn_once(
                f"retention:{self.name}",
                f"{self.name}: deletes are looked for from {floor:%Y-%m-%d}, not from the "
                f"stream's cursor ({start:%Y-%m-%d}): Aha! keeps audits for 12 months. If the "
                "last sync is older than that, a full refresh removes rows deleted before then.",
                logging.INFO,
            )
        try:
            partitioned = DELETES_PARTITION in stream_slice.partition
            audits = DestroyAudits.of(self.config).between(
                start, end, self._walk, need=start if partitioned else max(newest or end, start)
            )
        except PermissionError:
            Notes.of(self.config).warn_once(
                "deletes-403",
                "Deletes are not tracked in this sync: Aha! answered 403 (forbidden) to GET "
                "/api/v1/audits, so the account's plan or the API key's user may not read "
                "record history. Rows deleted in Aha! stay in the destination until a full "
                "refresh; `track_deletes: false` turns this off.",
            )
            return
        if self.name in IDEA_CHILDREN:
            warn_unaudited_children(self.config, audits)
        for audit in audits:
            tombstone = self._tombstone(audit)
            if tombstone is not None:
                yield tombstone

    def _tombstone(self, audit: Mapping[str, Any]) -> dict[str, Any] | None:
        record_id, at = str(audit.get("auditable_id") or ""), audit.get("created_at")
        streams = AUDIT_STREAMS.get(type_key(audit.get("auditable_type")), ())
        if not record_id or self.name not in streams or audit.get("audit_action") != "destroy":
            return None
        tombstone = {"id": record_id, "updated_at": at, DELETED_AT: at}
        if self.name in IDEA_CHILDREN and audit.get("associated_type"):
            if type_key(audit.get("associated_type")) != "idea":
                return None  # a comment or vote on something other than an idea
            tombstone["idea_id"] = str(audit.get("associated_id") or "")
        return tombstone

    def _walk(self, since: datetime) -> Iterator[Mapping[str, Any]]:
        walk = StreamSlice(partition={}, cursor_slice={})
        params = {"created_since": since.strftime(AUDITS_TIMESTAMP)}
        audits = list(rows_of(self.requester, walk, params, "audits"))
        types = (str(a.get("auditable_type") or "") for a in audits)
        warn_unknown_audit_types(
            self.config, [t for t in types if t and type_key(t) not in AUDIT_STREAMS]
        )
        return iter(audits)


def warn_unaudited_children(config: Config, audits: list[Mapping[str, Any]]) -> None:
    """Aha! is assumed to audit the votes and comments a deleted idea takes with it. When no
    deleted idea is named by a child audit, it is said once: if they had any, they stay."""
    ideas = {
        str(a.get("auditable_id")) for a in audits if type_key(a.get("auditable_type")) == "idea"
    }
    named = {
        str(a.get("associated_id"))
        for a in audits
        if type_key(a.get("associated_type")) == "idea"
        and type_key(a.get("auditable_type")) in IDEA_CHILDREN_TYPES
    }
    if ideas and not ideas & named:
        Notes.of(config).warn_once(
            "deleted-idea-children",
            f"{len(ideas)} ideas deleted in Aha! came with no audit of a deleted vote or comment. "
            "If they had votes or comments (Aha! may not audit what a deleted idea takes with "
            "it), those rows stay in idea_votes, idea_proxy_votes, idea_comments and "
            "idea_internal_comments until a full refresh of those streams.",
        )


# Fixes for CDK and interpreter defects -----------------------------------------------------------
# Each is installed when this file is imported, on every path that runs it: the package, the
# Connector Builder and `source-declarative-manifest` in remote mode (`--components-path`, before
# the source is built) and in local (image) mode (at the first custom component, after the thread
# pool and the API budget exist, so a fix also reaches the instances it finds). Each checks that
# the defect is there and does nothing when it is gone; if the CDK moves the code it hooks, it says
# so once and the tests of `unit_tests/test_cdk_fixes.py` fail.

MAX_PENDING_TASKS = 250
_FIXED = "_source_aha_fix"


Wrap = Callable[[Callable[..., Any]], Callable[..., Any]]


def _cannot_fix(what: str, consequence: str) -> bool:
    logger.warning(f"source-aha: the installed CDK has no {what}; {consequence}")
    return False


def _hook(owner: object, name: str, wrap: Wrap, consequence: str) -> bool:
    """Replaces `owner.name` with `wrap(original)`, once however often it is called; False, with
    one warning saying `consequence`, when there is no such attribute to hook."""
    original = getattr(owner, name, None)
    if original is None:
        return _cannot_fix(f"{getattr(owner, '__name__', owner)}.{name}", consequence)
    if not getattr(original, _FIXED, False):
        hooked = functools.wraps(original)(wrap(original))
        setattr(hooked, _FIXED, True)
        setattr(owner, name, hooked)
    return True


def is_usable_answer(response: requests.Response) -> bool:
    """What the request cache may keep: a JSON answer whose body decodes to something (what the
    error handler accepts; an empty or undecodable body is retried)."""
    content_type = (response.headers.get("Content-Type") or "").lower()
    return "json" in content_type and bool(json_body(response))


def keep_retried_answers_out_of_the_cache() -> bool:
    """A retried parent page must reach Aha!, not the request cache.

    The parents' `CachedSession` (built by the CDK's `HttpClient._request_session`) saves every 200
    before the error handler sees it, so the retry of a page whose body was cut off was answered
    from the cache with the same bad body until the retries ran out (`ideas` and its children
    failed with 0 records). requests-cache's public `settings.filter_fn` ("may be modified after
    initialization") keeps such an answer out; the CDK offers no way to set it, so it is set on
    each cached session the factory returns that has no filter of its own."""

    def wrap(original: Callable[[HttpClient], requests.Session]) -> Callable[..., Any]:
        def request_session(self: HttpClient) -> requests.Session:
            session = original(self)
            # A cached session (what CachedSession is made of) the CDK gave no filter of its own.
            if (
                isinstance(session, requests_cache.CacheMixin)
                and session.settings.filter_fn is None
            ):
                session.settings.filter_fn = is_usable_answer
            return session

        return request_session

    return _hook(HttpClient, "_request_session", wrap, "a retried page may come from the cache.")


def free_finished_partition_cursors() -> bool:
    """Flat memory for the per-idea streams (one partition per idea, one global cursor).

    `ConcurrentPerPartitionCursor` keeps a cursor for every partition it generated (up to 25,000)
    in every mode; `_cleanup_if_done` frees a finished partition's semaphore but not its cursor.
    In global mode nothing reads that cursor again (`state`, `observe` and `close_partition` use
    the global one), so once the CDK has cleaned a partition up, its cursor goes too. Per-partition
    mode, which needs every cursor for its state, is left alone; the state written is the same."""

    def wrap(original: Callable[[ConcurrentPerPartitionCursor, str], None]) -> Callable[..., Any]:
        def cleanup_if_done(self: ConcurrentPerPartitionCursor, partition_key: str) -> None:
            original(self, partition_key)
            cursors = getattr(self, "_cursor_per_partition", None)
            semaphores = getattr(self, "_semaphore_per_partition", None)
            # Called under the cursor's lock; no semaphore left means the CDK cleaned it up.
            done = isinstance(semaphores, Mapping) and partition_key not in semaphores
            global_mode = getattr(self, "_use_global_cursor", False)
            if global_mode and done and isinstance(cursors, MutableMapping):
                cursors.pop(partition_key, None)

        return cleanup_if_done

    return _hook(
        ConcurrentPerPartitionCursor,
        "_cleanup_if_done",
        wrap,
        "finished partitions' cursors are kept (memory grows with the number of ideas).",
    )


def bound_pending_tasks() -> bool:
    """The thread pool lets 10,000 tasks wait (`ThreadPoolManager.DEFAULT_MAX_QUEUE_SIZE`): a
    parent page yields 200 partitions at once, so the partition generator ran thousands of ideas
    ahead of the readers, each waiting with its cursor, slice and future (about 6 KB). A pool left
    at that default waits at `MAX_PENDING_TASKS` instead (the CDK's `PartitionEnqueuer` then waits
    for the readers, as it did past 10,000); a few hundred keep 8 workers busy. The pool may exist
    already (local mode), so the limit is read through a property, which also serves it."""
    default = getattr(ThreadPoolManager, "DEFAULT_MAX_QUEUE_SIZE", None)
    if isinstance(
        inspect.getattr_static(ThreadPoolManager, "_max_concurrent_tasks", None), property
    ):
        return True
    if not isinstance(default, int):
        return _cannot_fix(
            "ThreadPoolManager.DEFAULT_MAX_QUEUE_SIZE",
            "up to 10,000 partitions may wait in memory.",
        )

    def limit(self: ThreadPoolManager) -> int:
        value = int(self.__dict__.get("_max_concurrent_tasks", default))
        return min(value, MAX_PENDING_TASKS) if value == default else value

    def set_limit(self: ThreadPoolManager, value: int) -> None:
        self.__dict__["_max_concurrent_tasks"] = value

    ThreadPoolManager._max_concurrent_tasks = property(limit, set_limit)  # type: ignore[assignment]
    return True


RATE_ITEM_NAME = "request"


def keep_requests_out_of_the_budget() -> bool:
    """The manifest's `api_budget` (`MovingWindowCallRatePolicy`) hands each `PreparedRequest` to
    pyrate_limiter as the name of the rate item it keeps for the 61 s window, so the budget held
    every request of the last minute with its headers (about 3 KB each; 10,000 at the emulator's
    speed, growing through the first minute). The name routes and counts nothing in the single
    bucket the policy uses, so an item named by anything but a string is named `"request"`. The
    class is patched, so the budget of a source built before this file was imported gets it too."""

    def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
        def wrap_item(self: SingleBucketFactory, name: object, weight: int = 1) -> Any:  # noqa: ANN401
            return original(self, name if isinstance(name, str) else RATE_ITEM_NAME, weight)

        return wrap_item

    return _hook(
        SingleBucketFactory, "wrap_item", wrap, "the budget keeps a minute of requests in memory."
    )


LITERAL_EVAL_FIXED_IN = (3, 11, 8)


def serialize_literal_eval(version: tuple[int, ...] = tuple(sys.version_info[:3])) -> bool:
    """Before Python 3.11.8, concurrent `ast.literal_eval` calls could fail with `SystemError: AST
    constructor recursion depth mismatch` (python/cpython#106905); the CDK calls it on every
    rendered template from its worker threads (seen once in thousands of requests on 3.11.7). On
    such an interpreter the calls take a lock (uncontended almost always); newer ones are left
    alone. True when serialized."""
    if version >= LITERAL_EVAL_FIXED_IN:
        return False

    def wrap(original: Callable[[str | ast.AST], object]) -> Callable[..., Any]:
        lock = threading.Lock()

        def literal_eval(node_or_string: str | ast.AST) -> object:
            with lock:
                return original(node_or_string)

        return literal_eval

    return _hook(ast, "literal_eval", wrap, "concurrent templates may fail on this Python.")


quiet_config_mistakes()
keep_retried_answers_out_of_the_cache()
free_finished_partition_cursors()
bound_pending_tasks()
keep_requests_out_of_the_budget()
serialize_literal_eval()
