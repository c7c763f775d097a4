"""Custom components for the Aha! manifest: only what the declarative language cannot express.

The manifest names them `source_declarative_manifest.components.<Class>`, so this file loads
unchanged in the Connector Builder (pasted as custom components), in `source-declarative-manifest`
and in this package (which aliases the module, see `source.py`). It imports only `airbyte_cdk`
and the standard library for that reason, and has no `from __future__ import annotations`: the
Builder executes it before registering the module, and dataclasses with string annotations need
the module registered.
"""

import copy
import json
import logging
import random
import threading
import time
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import InitVar, dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.declarative.decoders.json_decoder import JsonDecoder
from airbyte_cdk.sources.declarative.extractors.dpath_extractor import DpathExtractor
from airbyte_cdk.sources.declarative.extractors.record_filter import RecordFilter
from airbyte_cdk.sources.declarative.migrations.state_migration import StateMigration
from airbyte_cdk.sources.declarative.requesters.error_handlers.backoff_strategies.wait_time_from_header_backoff_strategy import (  # noqa: E501
    WaitTimeFromHeaderBackoffStrategy,
)
from airbyte_cdk.sources.declarative.requesters.error_handlers.default_error_handler import (
    DefaultErrorHandler,
)
from airbyte_cdk.sources.declarative.schema.schema_loader import SchemaLoader
from airbyte_cdk.sources.declarative.transformations.transformation import RecordTransformation
from airbyte_cdk.sources.streams.http.error_handlers.default_error_mapping import (
    DEFAULT_ERROR_MAPPING,
)
from airbyte_cdk.sources.streams.http.error_handlers.response_models import (
    ErrorResolution,
    ResponseAction,
)
from airbyte_cdk.sources.types import Config, StreamSlice, StreamState

logger = logging.getLogger("airbyte")

MAX_PAGE_SIZE = 200  # Aha!'s documented per_page maximum.
# Where `response_json` keeps a response's decoded body (in the response object's own __dict__).
_DECODED_BODY = "_source_aha_json"
_GLOB_CHARACTERS = frozenset("*?[")


def response_json(response: Any) -> Any:
    """`response.json()`, decoded at most once per response; `{}` when the body is not JSON.

    The error handler checks every body before the records are read; the extractor and the
    paginator read it next on the same thread. Decoding a 200-row page takes about a
    millisecond; before this, each page was decoded four times (two response filters, the
    extractor, the paginator). The decoded body is kept on the response object itself, so it
    lives exactly as long as the response. `{}` on a decoding error is what the CDK's own
    response filters use.
    """
    try:
        kept = vars(response)
    except TypeError:  # an object without a __dict__: decode every time
        kept = {}
    if _DECODED_BODY in kept:
        return kept[_DECODED_BODY]
    try:
        body = response.json()
    except ValueError:  # requests' JSONDecodeError is a ValueError
        body = {}
    kept[_DECODED_BODY] = body
    return body


@dataclass
class SharedJsonDecoder(JsonDecoder):
    """The retriever's `JsonDecoder`, reading the body the error handler already decoded.

    The paginator decodes each page again to evaluate `stop_condition` and `cursor_value`. This
    decoder yields what `JsonDecoder` yields (the object; a list's items; `{}` when the body is
    empty, `null` or not JSON) from `response_json`, so every page is decoded once in all. It
    subclasses `JsonDecoder` because the CDK accepts only JSON decoders for pagination.
    """

    parameters: InitVar[Mapping[str, Any]]

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:
        super().__init__(parameters)

    def decode(self, response: Any) -> Any:
        body = response_json(response)
        if isinstance(body, list):
            yield from body or [{}]
        else:
            yield {} if body is None else body


def positive_int_or_none(value: Any) -> int | None:
    """Returns `max_ideas` as an int (the spec also accepts a numeric string), or None if unset."""
    if value is None or value == "":
        return None
    return int(value)


def workflow_status_matches(idea: Mapping[str, Any], wanted: str) -> bool:
    """True when the idea's workflow status has `wanted` as its id or (case-insensitive) name."""
    status = idea.get("workflow_status") or {}
    wanted = wanted.strip()
    return str(status.get("id") or "") == wanted or (
        str(status.get("name") or "").casefold() == wanted.casefold()
    )


def name_matches(idea: Mapping[str, Any], text: str) -> bool:
    """True when every word of `text` occurs in the idea's name, ignoring case."""
    name = str(idea.get("name") or "").casefold()
    return all(word in name for word in text.casefold().split())


@dataclass
class IdeaFilter(RecordFilter):
    """Keeps the ideas that match `ideas_workflow_status` and `ideas_q` (alias `q`).

    Aha! filters `GET /ideas` on `workflow_status` and `q` itself; how it matches a status name
    or a search text is not documented, so the same filter is applied to every row here. The
    stream then holds exactly what the configuration promises, and because the parent copies of
    the child streams use this filter too, proxy votes and comments are scoped identically.

    A `RecordFilter.condition` cannot do this: a condition that renders to nothing drops every
    record, and the status may be given by name or by id. An optional `condition` (e.g.
    `comments_count > 0` on a parent copy) still applies on top.
    """

    def filter_records(
        self,
        records: Iterable[Mapping[str, Any]],
        stream_state: StreamState,
        stream_slice: StreamSlice | None = None,
        next_page_token: Mapping[str, Any] | None = None,
    ) -> Iterable[Mapping[str, Any]]:
        status = self.config.get("ideas_workflow_status")
        text = self.config.get("ideas_q") or self.config.get("q")
        selected = (
            record
            for record in records
            if (not status or workflow_status_matches(record, str(status)))
            and (not text or name_matches(record, str(text)))
        )
        if self.condition:
            return super().filter_records(selected, stream_state, stream_slice, next_page_token)
        return selected


def _describe(row: Any) -> str:
    """What a rejected row is, without its values (they may be large, or personal)."""
    if isinstance(row, Mapping):
        keys = ", ".join(sorted(str(k) for k in row)[:10]) or "none"
        return f"an object with no `id` value (keys: {keys})"
    kinds = {str: "a string", int: "a number", float: "a number", bool: "a boolean", list: "a list"}
    return f"{kinds.get(type(row), 'null')}, not an object"


@dataclass
class RowCheckingExtractor(DpathExtractor):
    """A `DpathExtractor` that passes on only rows that can be records: objects with an `id`.

    Aha! rows are JSON objects with an `id`. Any other row (a string, null, a list, an object
    without `id`) cannot be upserted by primary key, and the CDK would either fail the whole
    stream on it with a bare TypeError or emit a record with a null key. Such a row is skipped
    with a warning naming the endpoint, the page and the row's position, so the loss is visible
    and the rest of the sync goes on.
    """

    def extract_records(self, response: Any) -> Iterable[MutableMapping[Any, Any]]:
        for position, row in enumerate(self._rows(response), start=1):
            if isinstance(row, MutableMapping) and row.get("id") not in (None, ""):
                yield row
                continue
            path = urlsplit(response.request.url or "").path
            logger.warning(
                f"Skipping row {position} of page {page_number(response)} of {path}: Aha! sent "
                f"{_describe(row)}. The other rows are read as usual."
            )

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:
        super().__post_init__(parameters)
        # The path depends on parameters and config only, so it is evaluated once, here.
        path = [part.eval(self.config) for part in self._field_path]
        plain = isinstance(self.decoder, JsonDecoder) and self.record_expander is None
        keys = all(isinstance(key, str) and key and not _GLOB_CHARACTERS & set(key) for key in path)
        self._plain_path: list[str] | None = path if plain and keys and path else None

    def _rows(self, response: Any) -> Iterable[Any]:
        """The rows at `field_path`, as `DpathExtractor` finds them, without decoding again.

        `DpathExtractor` decodes the body itself and looks the path up with `dpath.get`, which
        walks every value of the page to find one key (about a tenth of a sync's CPU time). Aha!
        pages are JSON objects and the path is plain keys, so this indexes the body the error
        handler already decoded (`response_json`). Anything else (another decoder, a glob in the
        path, a record expander, a body that is not a non-empty object) goes to `DpathExtractor`.
        """
        body = response_json(response) if self._plain_path else None
        if not isinstance(body, dict) or not body:
            return super().extract_records(response)
        node: Any = body
        for key in self._plain_path or ():
            if not isinstance(node, dict):
                return super().extract_records(response)
            node = node.get(key, [])
        if isinstance(node, list):
            return node
        return [node] if node else []


@dataclass
class MaxIdeasExtractor(RowCheckingExtractor):
    """Extracts ideas and stops at exactly `max_ideas`, counting from the response itself.

    The paginator stops asking for pages once `max_ideas` are covered, but a page holds up to 200
    rows, so the last page can overshoot. A counting filter would keep state per instance, and
    every child stream reads its own copy of `ideas` on its own thread. This cap is stateless: a
    row's position is (page - 1) * per_page + offset, read from the request and the envelope, so
    every copy keeps the same first N ideas.
    """

    def extract_records(self, response: Any) -> Iterable[MutableMapping[Any, Any]]:
        records = super().extract_records(response)
        limit = positive_int_or_none(self.config.get("max_ideas"))
        if limit is None:
            yield from records
            return
        first = (page_number(response) - 1) * page_size(response)
        for offset, record in enumerate(records):
            if first + offset < limit:
                yield record


def page_number(response: Any) -> int:
    """The page Aha! says it served (1 when the envelope is missing)."""
    body = response_json(response)
    pagination = (body.get("pagination") if isinstance(body, dict) else None) or {}
    return int(pagination.get("current_page") or 1)


def page_size(response: Any) -> int:
    """The `per_page` this response was requested with (Aha!'s default of 30 when absent)."""
    query = parse_qs(urlsplit(response.request.url or "").query)
    return min(int(query.get("per_page", ["30"])[0]), MAX_PAGE_SIZE)


@dataclass
class PerIdeaToAccountWideState(StateMigration):
    """Turns a per-idea `idea_proxy_votes` state into the account-wide stream's state.

    With an idea filter set, proxy votes are read idea by idea under a global substream cursor
    (`{"use_global_cursor": ..., "state": {"updated_at": ...}, "parent_state": ...}`). When the
    filter is removed, the same stream reads the account-wide list, whose state is the plain
    `{"updated_at": ...}`. No built-in migration maps one layout to the other; without it the
    account-wide read would start again from `start_date`.
    """

    config: Config

    def should_migrate(self, stream_state: Mapping[str, Any]) -> bool:
        return "updated_at" not in stream_state and isinstance(stream_state.get("state"), Mapping)

    def migrate(self, stream_state: Mapping[str, Any]) -> Mapping[str, Any]:
        return dict(stream_state["state"])


@dataclass
class WaitTimeFromHeaderWithJitter(WaitTimeFromHeaderBackoffStrategy):
    """Waits as the header says, plus up to `jitter_in_seconds` at random.

    Workers that meet a 429 in the same second would otherwise all come back in the same second:
    the server takes what its limit allows and refuses the rest, again and again in lockstep, and
    the request that arrives last each time exhausts its retries (seen against the emulator at 5
    requests/s: one request refused 11 times in a row). The jitter breaks the lockstep; the wait
    is never shorter than the header asks.
    """

    jitter_in_seconds: float = 2.0

    def backoff_time(self, response_or_exception: Any, attempt_count: int) -> float | None:
        wait = super().backoff_time(response_or_exception, attempt_count)
        if wait is None:
            return None
        return wait + random.uniform(0, float(self.jitter_in_seconds))


_OUTAGE_LOCK = threading.Lock()
# Shared by every stream of the sync: "since", when the errors began; "last", the latest error.
_OUTAGE: dict[str, float] = {}


NOT_AHA_MESSAGE = (
    "The server at {url} did not answer like Aha!'s API (no JSON). Check `subdomain` (and "
    "`base_url`, if set)."
)
INCOMPLETE_BODY_MESSAGE = "Aha! sent an incomplete JSON body; retrying."


def public_url(response: Any) -> str:
    """The request URL without query string or credentials (safe to show in an error)."""
    url = getattr(response, "url", None)
    if not isinstance(url, str) or not url:
        return ""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.rsplit("@", 1)[-1], parts.path, "", ""))


@dataclass
class OutageAwareErrorHandler(DefaultErrorHandler):
    """The manifest's error handler: checks that each answer is Aha!'s JSON, and stops outages.

    Body checks. An answer that is not JSON comes from a server that is not Aha!'s API (a wrong
    `subdomain` or `base_url` serves an HTML page): it fails with a config error naming both
    settings. JSON announced but not decodable (or empty) is a truncated body: it is retried,
    never read as an empty page. Two `HttpResponseFilter` predicates did this before, each
    decoding the body and rendering a Jinja template for every response (about a tenth of a
    sync's CPU time); here the body is decoded once (`response_json`) and the extractor reuses
    it. The checks keep the filters' place in the list: after the filters that resolve a status
    as an error (401, 403, 429, 5xx), before the ones that ignore it (a JSON 404 is skipped, an
    HTML 404 fails).

    Outages. Retries are counted per request, and the per-idea streams read one request chain
    per idea: when Aha! is down, each idea would wait out its own retries in turn (80 ideas times
    a minute over 4 workers is 20 minutes). Once no request has been answered for
    `outage_seconds` (every answer an error to retry, or no answer at all), a retryable error
    fails at once instead: the sync ends with a transient error about `outage_seconds` into the
    outage, and the next sync resumes from the last saved state. A success or an ignored answer
    (404, plan 403) ends the outage, unless it came from the request cache (parent pages are
    read again from it); 429s neither start nor end one.
    """

    outage_seconds: float = 60.0

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:
        super().__post_init__(parameters)
        self._error_statuses: set[int] = set()
        self._ignored_statuses: set[int] = set()
        for f in self.response_filters or []:
            ignored = f.action == ResponseAction.IGNORE
            (self._ignored_statuses if ignored else self._error_statuses).update(f.http_codes or ())

    def check_body(self, response_or_exception: Any) -> ErrorResolution | None:
        """FAIL for an answer that is not JSON, RETRY for an undecodable one, else None."""
        status = getattr(response_or_exception, "status_code", None)
        if not isinstance(status, int) or status in self._error_statuses:
            return None  # a failed request, or a status the manifest's filters resolve first
        response = response_or_exception
        if "json" not in (response.headers.get("Content-Type") or "").lower():
            return ErrorResolution(
                response_action=ResponseAction.FAIL,
                failure_type=FailureType.config_error,
                error_message=NOT_AHA_MESSAGE.format(url=public_url(response)),
            )
        if status in self._ignored_statuses or response_json(response):
            return None
        known = DEFAULT_ERROR_MAPPING.get(status)
        return ErrorResolution(
            response_action=ResponseAction.RETRY,
            failure_type=known.failure_type if known else FailureType.system_error,
            error_message=INCOMPLETE_BODY_MESSAGE,
        )

    def resolve(self, response_or_exception: Any) -> ErrorResolution:
        """What one answer means on its own, before the outage bookkeeping."""
        return self.check_body(response_or_exception) or super().interpret_response(
            response_or_exception
        )

    def interpret_response(self, response_or_exception: Any) -> ErrorResolution:
        resolution = self.resolve(response_or_exception)
        action = resolution.response_action
        now = time.monotonic()
        with _OUTAGE_LOCK:
            if getattr(response_or_exception, "from_cache", False):
                return resolution
            if action in (ResponseAction.SUCCESS, ResponseAction.IGNORE):
                _OUTAGE.pop("since", None)
                return resolution
            if action != ResponseAction.RETRY:
                return resolution
            outage = float(self.outage_seconds)
            if now - _OUTAGE.get("last", now) > 2 * outage:  # errors far apart: a new outage
                _OUTAGE.pop("since", None)
            since = _OUTAGE.setdefault("since", now)
            _OUTAGE["last"] = now
            if now - since >= outage:
                return ErrorResolution(
                    response_action=ResponseAction.FAIL,
                    failure_type=FailureType.transient_error,
                    error_message=(
                        f"Aha! has answered only errors for {now - since:.0f} s (last: "
                        f"{resolution.error_message}) Giving up; the next sync resumes from the "
                        "last saved state."
                    ),
                )
        return resolution


@dataclass
class PlanFeatureErrorHandler(OutageAwareErrorHandler):
    """Skips, with a warning, a stream that the account's Aha! plan does not include.

    Aha! answers 403 when a plan lacks a module (Roadmaps features, goals and releases on an
    Ideas-only plan; idea organizations below Ideas Advanced). For those streams a 403 means
    "nothing to read here", not a broken configuration, so the sync goes on without them. An
    `HttpResponseFilter` with `IGNORE` would skip the page but only log at INFO; this handler
    logs a WARN naming the plan feature, once per stream. Every other response is handled
    exactly as the `OutageAwareErrorHandler` it extends.

    Attributes:
        plan_feature: the Aha! plan feature the stream needs, named in the warning.
    """

    plan_feature: str = "a feature of a higher Aha! plan"

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:
        super().__post_init__(parameters)
        self._stream = parameters.get("name") or parameters.get("resource") or "this stream"
        self._warned = False

    def resolve(self, response_or_exception: Any) -> ErrorResolution:
        # A response, or the exception a request raised (which has no status code). The 403 is
        # an answer, so it ends an outage like any other ignored answer.
        if getattr(response_or_exception, "status_code", None) == 403:
            message = (
                f"Skipping {self._stream}: Aha! answered 403 Forbidden, so this account's "
                f"plan does not include {self.plan_feature} (or the API key's user may not read "
                "it). The other streams are read as usual."
            )
            if not self._warned:  # per-product streams meet the same 403 once per product
                self._warned = True
                logger.warning(message)
            return ErrorResolution(
                response_action=ResponseAction.IGNORE,
                failure_type=FailureType.config_error,
                error_message=message,
            )
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

    def extract_records(self, response: Any) -> Iterable[MutableMapping[Any, Any]]:
        kept = [
            row
            for row in super().extract_records(response)
            if row.get("custom_fieldable_type") in self._record_types
            and isinstance(row.get("key"), str)
            and row["key"]
        ]
        yield {"custom_field_definitions": kept}


class _LazySchema(Mapping[str, Any]):
    """A schema built on first look, once.

    The CDK asks a stream for its schema when it reads the stream's first partition, and passes
    it to the retriever, which does not look at it (no schema normalization here). The parent
    copies of `ideas` inside the per-idea streams are asked too. Built lazily, the schema costs
    its `GET /custom_field_definitions` only where it is really read: in discover, and once per
    read when the CDK announces a selected stream (its status message carries the schema; the
    requests cache serves the other streams). Truthiness is answered without building.
    """

    def __init__(self, build: Any) -> None:
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

    def __getitem__(self, key: str) -> Any:
        return self._built()[key]

    def __iter__(self) -> Any:
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
    schema and a warning. The schema is built lazily (`_LazySchema`).
    """

    static_schema_loader: SchemaLoader
    dynamic_schema_loader: SchemaLoader
    config: Config
    parameters: InitVar[Mapping[str, Any]]

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:
        self._columns = parameters.get("name") or "the custom field columns"
        self._schema = _LazySchema(self._merged)

    def get_json_schema(self) -> Mapping[str, Any]:
        return self._schema

    def _merged(self) -> Mapping[str, Any]:
        schema = copy.deepcopy(dict(self.static_schema_loader.get_json_schema()))
        try:
            columns = dict(self.dynamic_schema_loader.get_json_schema().get("properties") or {})
        except Exception as error:  # whatever failed, discover must not
            reason = getattr(error, "message", None) or str(error) or type(error).__name__
            logger.warning(
                f"Leaving out {self._columns}: Aha!'s custom field definitions could not be "
                f"read ({reason}). The stream keeps its other columns and its raw "
                "`custom_fields`; refresh the schema once the definitions can be read."
            )
            return schema
        properties = schema.setdefault("properties", {})
        for name, column in columns.items():
            properties.setdefault(name, column)
        return schema


# The record-level `type` of the values that keep their JSON type (`CustomFieldColumns` types
# these columns); every other value is a column of an unknown type, a string.
_TYPED_VALUES = frozenset({"string", "url", "note", "date", "number", "boolean", "array"})


def lifted_value(field: Mapping[str, Any]) -> Any:
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
