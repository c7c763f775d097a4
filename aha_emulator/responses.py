"""What the emulator answers and how it reads a request: responses, errors, envelopes, and
typed query parameters (paging, timestamps, ``fields=``)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

from .common import JSON

JSON_TYPE = "application/json; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"
DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 200  # larger values are clamped (the live behaviour is undocumented): the
# documented ceiling; a personality may set another
NOT_FOUND_HTML = (
    b"<!DOCTYPE html>\n<html><head><title>The page you were looking for doesn't exist (404)"
    b"</title></head>\n<body><h1>The page you were looking for doesn't exist.</h1>\n"
    b"<p>You may have mistyped the address or the page may have moved.</p></body></html>\n"
)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass
class Response:
    """What ``AhaEmulator.dispatch`` answers; the HTTP handler writes it out."""

    status: int
    body: bytes = b""
    content_type: str = JSON_TYPE
    headers: dict[str, str] = field(default_factory=dict)
    mode: str = "send"  # "send", "truncate" (half the body, then close) or "drop"
    fault: str = ""  # the injected fault, if any (recorded in ``Stats``)


class BadRequestError(ValueError):
    """A malformed query parameter (answered 400 with a JSON error)."""


def json_response(status: int, payload: Any) -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(status, body)


def error_response(status: int, message: str | None = None) -> Response:
    """A JSON ``{"error": ...}``, or for gateway errors an HTML page, as from a proxy."""
    if status in (502, 503, 504):
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
    return json_response(status, {"error": message or default})


def not_found_page() -> Response:
    return Response(404, NOT_FOUND_HTML, HTML_TYPE)


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


class Query:
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

    def fields(self, name: str = "fields") -> list[str] | None:
        value = self.get(name)
        return None if value is None else [f.strip() for f in value.split(",") if f.strip()]

    def paging(self, max_per_page: int = MAX_PER_PAGE) -> tuple[int, int]:
        """(page, per_page): page < 1 becomes 1, per_page below 1 the default, above
        ``max_per_page`` capped to it."""
        page = max(1, self.integer("page", 1))
        per_page = self.integer("per_page", DEFAULT_PER_PAGE)
        per_page = DEFAULT_PER_PAGE if per_page < 1 else min(per_page, max_per_page)
        return page, per_page


def envelope(
    key: str,
    query: Query,
    fetch: Callable[[int, int], tuple[int, list[JSON]]],
    max_per_page: int = MAX_PER_PAGE,
) -> Response:
    """A list page in Aha!'s envelope: the records under ``key`` and a pagination block."""
    page, per_page = query.paging(max_per_page)
    total, records = fetch((page - 1) * per_page, per_page)
    return json_response(
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
