"""Aha! responses built from the templates in `unit_tests/resource/http/response/`.

Every list endpoint answers `{"<resource>": [...], "pagination": {"total_records", "total_pages",
"current_page"}}`; the connector stops paging on `current_page >= total_pages`, and it fails any
answer whose `Content-Type` is not JSON, so every response here carries one.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from airbyte_cdk.test.mock_http import HttpResponse
from airbyte_cdk.test.mock_http.response_builder import (
    FieldPath,
    HttpResponseBuilder,
    PaginationStrategy,
    RecordBuilder,
    create_record_builder,
    find_template,
)

from testkit.resources import of_stream
from testkit.streams import PROMISES

JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}

# Template (a file in `resource/http/response/`, named after the stream) -> the envelope key.
RECORDS_FIELDS = {stream: of_stream(stream).data_field for stream in PROMISES}


def aha_datetime(moment: datetime) -> str:
    """A timestamp as Aha! writes it in records: milliseconds and `Z`."""
    utc = moment.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


class AhaPaginationStrategy(PaginationStrategy):
    """Writes Aha!'s `pagination` block: page `current_page` of `total_pages`."""

    def __init__(self, current_page: int = 1, total_pages: int = 2) -> None:
        self._current_page = current_page
        self._total_pages = total_pages

    def update(self, response: dict[str, Any]) -> None:
        response["pagination"] = {
            "total_records": self._total_pages * 200,
            "total_pages": self._total_pages,
            "current_page": self._current_page,
        }


class AhaResponseBuilder(HttpResponseBuilder):
    """`HttpResponseBuilder` that sends a JSON `Content-Type` and optional extra headers."""

    def __init__(self, resource: str, records_field: str) -> None:
        template = find_template(resource, __file__)
        super().__init__(template, FieldPath(records_field), AhaPaginationStrategy())
        self._headers: dict[str, str] = dict(JSON_HEADERS)

    def with_page(self, current_page: int, total_pages: int) -> AhaResponseBuilder:
        """Marks the response as page `current_page` of `total_pages`."""
        AhaPaginationStrategy(current_page, total_pages).update(self._response)  # type: ignore[arg-type]
        return self

    def with_records(self, *records: RecordBuilder) -> AhaResponseBuilder:
        for record in records:
            self.with_record(record)
        return self

    def with_header(self, name: str, value: str) -> AhaResponseBuilder:
        self._headers[name] = value
        return self

    def build(self) -> HttpResponse:
        response = super().build()
        return HttpResponse(response.body, response.status_code, self._headers)


def _a_record(
    resource: str, records_field: str, with_cursor: bool = True, cursor_field: str = "updated_at"
) -> RecordBuilder:
    return create_record_builder(
        find_template(resource, __file__),
        FieldPath(records_field),
        record_id_path=FieldPath("id"),
        record_cursor_path=FieldPath(cursor_field) if with_cursor else None,
    )


def a_record_of(
    template: str, with_cursor: bool = True, cursor_field: str = "updated_at"
) -> RecordBuilder:
    """A record of the stream whose template is `template`; `with_cursor=False` for the streams
    whose rows have no `updated_at` (idea users, categories and portals), `cursor_field` for a
    stream whose cursor is another field (`created_at` for idea subscriptions)."""
    return _a_record(template, RECORDS_FIELDS[template], with_cursor, cursor_field)


def a_response_of(template: str) -> AhaResponseBuilder:
    return AhaResponseBuilder(template, RECORDS_FIELDS[template])


def a_product() -> RecordBuilder:
    return a_record_of("products")


def products_response() -> AhaResponseBuilder:
    return a_response_of("products")


def an_idea() -> RecordBuilder:
    return a_record_of("ideas")


def a_proxy_vote() -> RecordBuilder:
    return a_record_of("idea_proxy_votes")


def an_idea_comment() -> RecordBuilder:
    return a_record_of("idea_comments")


def ideas_response() -> AhaResponseBuilder:
    return a_response_of("ideas")


def proxy_votes_response() -> AhaResponseBuilder:
    return a_response_of("idea_proxy_votes")


def idea_comments_response() -> AhaResponseBuilder:
    return a_response_of("idea_comments")


def a_response_with_status(status_code: int, headers: dict[str, str] | None = None) -> HttpResponse:
    """An error answer with the body from `<status_code>.json`."""
    body = json.dumps(find_template(str(status_code), __file__))
    return HttpResponse(body, status_code, {**JSON_HEADERS, **(headers or {})})
