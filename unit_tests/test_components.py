"""Direct tests of the custom components in `components.py`."""

from __future__ import annotations

import copy
import json
import logging
import re
import sys
from types import SimpleNamespace
from typing import Any

import pytest
import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.declarative.extractors.dpath_extractor import DpathExtractor
from airbyte_cdk.sources.declarative.models.declarative_component_schema import (
    CustomErrorHandler as CustomErrorHandlerModel,
)
from airbyte_cdk.sources.declarative.models.declarative_component_schema import (
    RecordFilter as RecordFilterModel,
)
from airbyte_cdk.sources.declarative.parsers.model_to_component_factory import (
    ModelToComponentFactory,
)
from airbyte_cdk.sources.streams.http.error_handlers.response_models import ResponseAction
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_aha import SourceAha, components
from source_aha.components import (
    IDEA_FILTERS,
    INCOMPLETE_BODY_MESSAGE,
    CursorCheck,
    MaxIdeasExtractor,
    OutageAwareErrorHandler,
    PerIdeaToAccountWideState,
    PlanFeatureErrorHandler,
    RowCheckingExtractor,
    first_position,
    json_body,
    page_number,
)

_IDEAS_URL = "https://company.aha.io/api/v1/ideas"


def _an_idea(
    idea_id: str, name: str = "An idea", status: tuple[str, str] | None = ("1", "New")
) -> dict[str, Any]:
    idea: dict[str, Any] = {"id": idea_id, "name": name, "comments_count": 1}
    if status is not None:
        idea["workflow_status"] = {"id": status[0], "name": status[1]}
    return idea


def _ideas_response(
    ids: list[str], *, query: str = "per_page=200", current_page: int | None = 1
) -> requests.Response:
    """A real `requests.Response` for GET /ideas?<query>, as the extractor receives it."""
    body: dict[str, Any] = {"ideas": [{"id": idea_id} for idea_id in ids]}
    if current_page is not None:
        body["pagination"] = {"total_records": 999, "total_pages": 9, "current_page": current_page}
    response = requests.Response()
    response.status_code = 200
    response._content = json.dumps(body).encode()
    response.headers["Content-Type"] = "application/json"
    response.request = requests.Request("GET", f"{_IDEAS_URL}?{query}").prepare()
    return response


def _filtered_ids(config: dict[str, Any], ideas: list[dict[str, Any]]) -> list[str]:
    """The ids the manifest's ideas filter keeps."""
    definition = _definitions()["ideas_retriever"]["record_selector"]["record_filter"]
    idea_filter = ModelToComponentFactory().create_component(RecordFilterModel, definition, config)
    return [idea["id"] for idea in idea_filter.filter_records(ideas, stream_state={})]


_IDEAS = [
    _an_idea("1", "Dark mode for reports", ("10", "Under consideration")),
    _an_idea("2", "SSO with Okta", ("11", "Shipped")),
    _an_idea("3", "A mode that is DARK", ("10", "Under consideration")),
    _an_idea("4", "No status", None),
]


@pytest.mark.parametrize(
    ("config", "expected_ids"),
    [
        pytest.param({}, ["1", "2", "3", "4"], id="no_filter_keeps_every_idea"),
        pytest.param(
            {"ideas_workflow_status": "Under consideration"}, ["1", "3"], id="status_by_name"
        ),
        pytest.param(
            {"ideas_workflow_status": "  under CONSIDERATION "},
            ["1", "3"],
            id="status_name_ignores_case_and_spaces",
        ),
        pytest.param({"ideas_workflow_status": "11"}, ["2"], id="status_by_id"),
        pytest.param({"ideas_workflow_status": "Archived"}, [], id="unknown_status_keeps_none"),
        pytest.param({"ideas_q": "dark mode"}, ["1", "3"], id="ideas_q_every_word_any_order"),
        pytest.param({"q": "okta"}, ["2"], id="alias_q"),
        pytest.param({"ideas_q": "sso", "q": "dark"}, ["2"], id="ideas_q_wins_over_alias"),
        pytest.param(
            {"ideas_workflow_status": "10", "ideas_q": "reports"}, ["1"], id="status_and_q_combined"
        ),
        pytest.param(
            {"ideas_workflow_status": "", "ideas_q": ""}, ["1", "2", "3", "4"], id="empty"
        ),
    ],
)
def test_ideas_filter_keeps_ideas_matching_the_config(config, expected_ids) -> None:
    assert _filtered_ids(config, _IDEAS) == expected_ids


@pytest.mark.parametrize(
    ("max_ideas", "query", "current_page", "ids", "expected_ids"),
    [
        pytest.param(None, "per_page=200", 1, ["a", "b"], ["a", "b"], id="no_limit"),
        pytest.param("", "per_page=200", 1, ["a", "b"], ["a", "b"], id="empty_string_no_limit"),
        pytest.param(3, "per_page=3", 1, ["a", "b", "c"], ["a", "b", "c"], id="page_is_limit"),
        pytest.param(2, "per_page=2", 1, ["a", "b", "c"], ["a", "b"], id="overshooting_page"),
        pytest.param("2", "per_page=2", 1, ["a", "b", "c"], ["a", "b"], id="numeric_string"),
        pytest.param(
            5, "per_page=3&page=2", 2, ["d", "e", "f"], ["d", "e"], id="second_page_is_cut"
        ),
        pytest.param(3, "per_page=3&page=2", 2, ["d", "e", "f"], [], id="page_past_limit"),
        pytest.param(
            250,
            "per_page=200&page=2",
            2,
            [str(n) for n in range(200, 400)],
            [str(n) for n in range(200, 250)],
            id="250_on_pages_of_200",
        ),
        pytest.param(1, "", 1, ["a", "b"], ["a"], id="default_per_page_30"),
        pytest.param(
            40,
            "page=2",
            2,
            [str(n) for n in range(30)],
            [str(n) for n in range(10)],
            id="default_per_page_30_page_2",
        ),
        pytest.param(2, "per_page=2", None, ["a", "b", "c"], ["a", "b"], id="no_pagination_block"),
        pytest.param(300, "per_page=500&page=2", 2, ["x"], ["x"], id="per_page_capped_at_200"),
    ],
)
def test_max_ideas_extractor_keeps_exactly_the_first_max_ideas(
    max_ideas, query, current_page, ids, expected_ids
) -> None:
    extractor = MaxIdeasExtractor(
        field_path=["ideas"], config={"max_ideas": max_ideas}, parameters={}
    )
    response = _ideas_response(ids, query=query, current_page=current_page)

    assert [record["id"] for record in extractor.extract_records(response)] == expected_ids


def test_max_ideas_extractor_keeps_the_same_ideas_on_every_copy() -> None:
    # The stream and each parent copy have their own extractor; none may keep a running count.
    extractor = MaxIdeasExtractor(field_path=["ideas"], config={"max_ideas": 2}, parameters={})
    response = _ideas_response(["a", "b", "c"], query="per_page=2")

    first = [r["id"] for r in extractor.extract_records(response)]
    second = [r["id"] for r in extractor.extract_records(response)]

    assert first == second == ["a", "b"]


@pytest.mark.parametrize(
    ("idea", "wanted", "expected"),
    [
        pytest.param({"workflow_status": {"id": "7", "name": "New"}}, "7", True, id="id"),
        pytest.param({"workflow_status": {"id": "7", "name": "New"}}, " new ", True, id="name"),
        pytest.param({"workflow_status": {"id": "7", "name": "New"}}, "Shipped", False, id="other"),
        pytest.param({"workflow_status": None}, "New", False, id="null_status"),
        pytest.param({}, "New", False, id="missing_status"),
    ],
)
def test_ideas_filter_matches_the_status_by_id_or_name(idea, wanted, expected) -> None:
    kept = _filtered_ids(
        {"ideas_workflow_status": wanted}, [{"id": "1", "name": "An idea", **idea}]
    )
    assert kept == (["1"] if expected else [])


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        pytest.param("Dark mode for reports", "MODE dark", True, id="every_word_any_order"),
        pytest.param("Dark theme", "dark mode", False, id="one_word_missing"),
        pytest.param(None, "dark", False, id="no_name"),
        pytest.param("Anything", "", True, id="empty_text"),
    ],
)
def test_ideas_filter_matches_every_word_of_ideas_q_in_the_name(name, text, expected) -> None:
    assert _filtered_ids({"ideas_q": text}, [{"id": "1", "name": name}]) == (
        ["1"] if expected else []
    )


def test_page_number_reads_the_envelope() -> None:
    response = _ideas_response(["a"], query="per_page=50&page=4", current_page=4)

    assert page_number(response) == 4


@pytest.mark.parametrize(
    ("current_page", "rows", "expected"),
    [
        pytest.param(1, 100, 0, id="first_page"),
        pytest.param(3, 100, 200, id="a_middle_page_counts_the_rows_served_not_asked"),
        pytest.param(9, 7, 992, id="the_last_page_ends_at_total_records"),
    ],
)
def test_first_position_counts_the_rows_aha_served(current_page, rows, expected) -> None:
    response = _ideas_response(["a"] * rows, query="per_page=200", current_page=current_page)

    assert first_position(response, rows) == expected


def test_page_number_is_1_when_the_body_is_not_json() -> None:
    response = _ideas_response([])
    response._content = b"<html>"

    assert page_number(response) == 1


@pytest.mark.parametrize(
    ("stream_state", "should_migrate", "migrated"),
    [
        pytest.param(
            {
                "use_global_cursor": True,
                "state": {"updated_at": "2024-05-01T00:00:00.000000Z"},
                "lookback_window": 0,
                "parent_state": {"ideas": {"updated_at": "2024-04-01T00:00:00.000000Z"}},
            },
            True,
            {"updated_at": "2024-05-01T00:00:00.000000Z"},
            id="per_idea_global_cursor_state",
        ),
        pytest.param(
            {"updated_at": "2024-05-01T00:00:00.000000Z"},
            False,
            None,
            id="account_wide_state_untouched",
        ),
        pytest.param({}, False, None, id="empty_state_untouched"),
        pytest.param(
            {"states": [], "parent_state": {}}, False, None, id="per_partition_without_global"
        ),
    ],
)
def test_per_idea_to_account_wide_state(stream_state, should_migrate, migrated) -> None:
    migration = PerIdeaToAccountWideState(config={})

    assert migration.should_migrate(stream_state) is should_migrate
    if should_migrate:
        assert migration.migrate(stream_state) == migrated


# PlanFeatureErrorHandler, built from the manifest exactly as the streams get it.
_CONFIG = {"api_key": "test-api-key", "subdomain": "company"}
_ROADMAPS = "Aha! Roadmaps"
_IDEAS_ADVANCED = "Aha! Ideas Advanced (idea organizations)"


def _definitions() -> dict[str, Any]:
    return copy.deepcopy(SourceAha(config=_CONFIG).resolved_manifest["definitions"])


def _plan_feature_handler(
    stream: str = "features", definition: str = "roadmaps"
) -> PlanFeatureErrorHandler:
    definitions = _definitions()
    if definition == "roadmaps":
        handler = definitions["roadmaps_requester"]["error_handler"]
    else:
        handler = definitions["idea_organizations"]["retriever"]["requester"]["error_handler"]
    handler["$parameters"] = {"name": stream}
    built = ModelToComponentFactory().create_component(CustomErrorHandlerModel, handler, _CONFIG)
    assert isinstance(built, PlanFeatureErrorHandler)
    return built


def _base_handler() -> Any:
    return ModelToComponentFactory().create_component(
        CustomErrorHandlerModel, _definitions()["error_handler"], _CONFIG
    )


def _a_response(
    status_code: int,
    body: bytes = b'{"error": "An error."}',
    content_type: str = "application/json; charset=utf-8",
    headers: dict[str, str] | None = None,
) -> requests.Response:
    response = requests.Response()
    response.status_code = status_code
    response._content = body
    response.headers.update({"Content-Type": content_type, **(headers or {})})
    response.request = requests.Request("GET", "https://company.aha.io/api/v1/features").prepare()
    response.url = response.request.url
    return response


def _plan_feature_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno == logging.WARNING and record.name == "airbyte"
    ]


@pytest.mark.parametrize(
    ("stream", "definition", "plan_feature"),
    [
        pytest.param("features", "roadmaps", _ROADMAPS, id="roadmaps_stream"),
        pytest.param("releases", "roadmaps", _ROADMAPS, id="roadmaps_per_product_stream"),
        pytest.param(
            "idea_organizations", "idea_organizations", _IDEAS_ADVANCED, id="idea_organizations"
        ),
    ],
)
def test_plan_feature_handler_ignores_403_with_one_warning_naming_feature_and_stream(
    stream: str, definition: str, plan_feature: str, caplog: pytest.LogCaptureFixture
) -> None:
    handler = _plan_feature_handler(stream, definition)

    with caplog.at_level(logging.INFO, logger="airbyte"):
        # A per-product stream meets the same 403 once per product: one warning in all.
        resolutions = [handler.interpret_response(_a_response(403)) for _ in range(3)]

    assert {resolution.response_action for resolution in resolutions} == {ResponseAction.IGNORE}
    [warning] = _plan_feature_warnings(caplog)
    assert plan_feature in warning
    assert f"Skipping {stream}:" in warning
    assert "test-api-key" not in warning
    assert resolutions[0].error_message == warning


def test_plan_feature_handler_warns_once_per_handler_not_once_per_process(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Each stream (and each sync) builds its own handler, so each one warns.
    with caplog.at_level(logging.INFO, logger="airbyte"):
        _plan_feature_handler("features").interpret_response(_a_response(403))
        _plan_feature_handler("epics").interpret_response(_a_response(403))

    warned = _plan_feature_warnings(caplog)
    assert len(warned) == 2
    assert ("Skipping features:" in warned[0], "Skipping epics:" in warned[1]) == (True, True)


@pytest.mark.parametrize(
    ("response", "expected_action", "expected_failure_type"),
    [
        pytest.param(_a_response(401), ResponseAction.FAIL, FailureType.config_error, id="401"),
        pytest.param(
            _a_response(429, headers={"Retry-After": "7"}),
            ResponseAction.RATE_LIMITED,
            FailureType.transient_error,
            id="429",
        ),
        pytest.param(_a_response(500), ResponseAction.RETRY, FailureType.transient_error, id="500"),
        pytest.param(_a_response(503), ResponseAction.RETRY, FailureType.transient_error, id="503"),
        pytest.param(_a_response(404), ResponseAction.IGNORE, FailureType.system_error, id="404"),
        pytest.param(
            _a_response(200, b"<html></html>", "text/html"),
            ResponseAction.FAIL,
            FailureType.config_error,
            id="html_page",
        ),
        pytest.param(
            _a_response(200, b'{"features": [{"id', "application/json"),
            ResponseAction.RETRY,
            FailureType.system_error,
            id="truncated_json",
        ),
        pytest.param(_a_response(200, b'{"features": []}'), ResponseAction.SUCCESS, None, id="200"),
    ],
)
def test_plan_feature_handler_answers_every_other_response_like_the_base_handler(
    response: requests.Response,
    expected_action: ResponseAction,
    expected_failure_type: FailureType | None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    handler, base = _plan_feature_handler(), _base_handler()

    with caplog.at_level(logging.INFO, logger="airbyte"):
        resolution = handler.interpret_response(response)

    assert resolution == base.interpret_response(response)
    assert (resolution.response_action, resolution.failure_type) == (
        expected_action,
        expected_failure_type,
    )
    assert handler.max_retries == base.max_retries == 6
    if "Retry-After" in response.headers:  # otherwise the backoff is exponential with jitter
        for backoff in (handler.backoff_time(response), base.backoff_time(response)):
            assert backoff is not None
            assert 7 <= backoff <= 9  # Retry-After plus up to 2 s of jitter
    assert _plan_feature_warnings(caplog) == []


def test_plan_feature_handler_answers_a_failed_request_like_the_base_handler() -> None:
    error = requests.exceptions.ConnectionError("connection reset")

    assert _plan_feature_handler().interpret_response(error) == _base_handler().interpret_response(
        error
    )


# The error handler's outage stop ----------


class _Clock:
    """Stands in for `time.monotonic` in the components module."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> _Clock:
    fake = _Clock()
    monkeypatch.setattr(components, "time", SimpleNamespace(monotonic=fake))
    # The handlers of one test are one source's: they share a config object, hence an outage.
    monkeypatch.setattr(sys.modules[__name__], "_CONFIG", dict(_CONFIG))
    return fake


def _cached(response: requests.Response) -> requests.Response:
    setattr(response, "from_cache", True)  # noqa: B010  (what requests-cache sets)
    return response


def test_errors_for_60_s_end_retries_with_a_transient_error(clock: _Clock) -> None:
    handler = _base_handler()

    assert handler.interpret_response(_a_response(503)).response_action == ResponseAction.RETRY
    clock.now += 59
    assert handler.interpret_response(_a_response(502)).response_action == ResponseAction.RETRY
    clock.now += 1
    resolution = handler.interpret_response(_a_response(500))

    assert resolution.response_action == ResponseAction.FAIL
    assert resolution.failure_type == FailureType.transient_error
    assert "only errors for 60 s" in (resolution.error_message or "")
    assert "resumes from the last saved state" in (resolution.error_message or "")


def test_a_connection_error_counts_toward_the_outage_like_a_5xx(clock: _Clock) -> None:
    handler = _base_handler()
    error = requests.exceptions.ConnectionError("connection reset")

    assert handler.interpret_response(error).response_action == ResponseAction.RETRY
    clock.now += 60

    assert handler.interpret_response(error).response_action == ResponseAction.FAIL


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(lambda: _ideas_response(["1"]), id="success"),
        pytest.param(lambda: _a_response(404), id="ignored_404"),
    ],
)
def test_an_answer_in_between_ends_the_outage(clock: _Clock, answer) -> None:
    handler = _base_handler()
    handler.interpret_response(_a_response(503))
    clock.now += 50
    handler.interpret_response(answer())
    clock.now += 50

    assert handler.interpret_response(_a_response(503)).response_action == ResponseAction.RETRY


def test_a_plan_feature_403_ends_the_outage_like_any_ignored_answer(clock: _Clock) -> None:
    base, plan_handler = _base_handler(), _plan_feature_handler()  # two streams of one source
    base.interpret_response(_a_response(503))
    clock.now += 50
    assert plan_handler.interpret_response(_a_response(403)).response_action == (
        ResponseAction.IGNORE
    )
    clock.now += 50

    assert base.interpret_response(_a_response(503)).response_action == ResponseAction.RETRY


def test_every_stream_of_a_source_shares_its_outage_and_a_new_source_starts_without_one(
    clock: _Clock,
) -> None:
    config = {"api_key": "k", "subdomain": "company"}
    build = ModelToComponentFactory().create_component
    first, second = (
        build(CustomErrorHandlerModel, _definitions()["error_handler"], config) for _ in range(2)
    )
    first.interpret_response(_a_response(503))
    clock.now += 60
    # A stream that meets its first error 60 s into the sync's outage stops at once.
    assert second.interpret_response(_a_response(503)).response_action == ResponseAction.FAIL

    other_source = build(CustomErrorHandlerModel, _definitions()["error_handler"], dict(config))
    assert other_source.interpret_response(_a_response(503)).response_action == (
        ResponseAction.RETRY
    )


def test_a_cached_success_or_a_429_does_not_end_or_start_an_outage(clock: _Clock) -> None:
    handler = _base_handler()
    rate_limited = _a_response(429, headers={"Retry-After": "1"})

    assert handler.interpret_response(rate_limited).response_action == ResponseAction.RATE_LIMITED
    clock.now += 100
    handler.interpret_response(_a_response(503))  # the outage starts here, not at the 429
    clock.now += 30
    handler.interpret_response(_cached(_ideas_response(["1"])))
    handler.interpret_response(rate_limited)
    clock.now += 30

    assert handler.interpret_response(_a_response(503)).response_action == ResponseAction.FAIL


def test_errors_far_apart_are_separate_outages(clock: _Clock) -> None:
    handler = _base_handler()
    handler.interpret_response(_a_response(503))
    clock.now += 121  # more than twice outage_seconds without an error: that outage is over

    assert handler.interpret_response(_a_response(503)).response_action == ResponseAction.RETRY


# Retry-After with jitter ----------


@pytest.mark.parametrize("header", ["Retry-After", "retry_after"])
def test_retry_after_waits_at_least_the_header_and_spreads_workers_over_2_s(header: str) -> None:
    handler = _base_handler()
    response = _a_response(429, headers={header: "5"})

    waits = [handler.backoff_time(response) for _ in range(200)]

    assert all(w is not None and 5 <= w <= 7 for w in waits)
    assert max(w for w in waits if w) - min(w for w in waits if w) > 1  # not in lockstep


# Rows that cannot be records ----------


def _page(rows: list[Any], page: int = 3) -> requests.Response:
    response = _ideas_response([], current_page=page)
    body = json.loads(response.content)
    body["ideas"] = rows
    response._content = json.dumps(body).encode()
    return response


def test_rows_that_are_not_objects_with_an_id_are_skipped_with_a_warning_each(
    caplog: pytest.LogCaptureFixture,
) -> None:
    extractor = RowCheckingExtractor(field_path=["ideas"], config={}, parameters={})
    rows = [{"id": "1"}, "garbled", None, {"name": "no id"}, {"id": ""}, [1], {"id": "2"}]

    with caplog.at_level(logging.WARNING, logger="airbyte"):
        records = list(extractor.extract_records(_page(rows)))

    assert records == [{"id": "1"}, {"id": "2"}]
    warnings = _plan_feature_warnings(caplog)
    assert len(warnings) == 5
    assert warnings[0].startswith("Skipping row 2 of page 3 of /api/v1/ideas: Aha! sent a string")
    assert "an object with no `id` value (keys: name)" in warnings[2]
    assert all("The other rows are read as usual." in w for w in warnings)
    assert not any("no id" in w for w in warnings)  # values are never quoted


def test_max_ideas_counts_only_rows_that_are_records() -> None:
    extractor = MaxIdeasExtractor(field_path=["ideas"], config={"max_ideas": 2}, parameters={})
    page = _page([{"id": "1"}, None, {"id": "2"}, {"id": "3"}], page=1)

    assert [r["id"] for r in extractor.extract_records(page)] == ["1", "2"]


# The body checks of OutageAwareErrorHandler (formerly two `predicate` response filters) and the
# single decoding of each body shared with the extractor.
_NOT_AHA = (
    "The server at https://company.aha.io/api/v1/features did not answer like Aha!'s API (no "
    "JSON). Check `subdomain`."
)


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        pytest.param(
            _a_response(200, b"<html></html>", "text/html"),
            (ResponseAction.FAIL, FailureType.config_error, _NOT_AHA),
            id="html_200_names_subdomain",
        ),
        pytest.param(
            _a_response(200, b'{"features": []}', ""),
            (ResponseAction.FAIL, FailureType.config_error, _NOT_AHA),
            id="no_content_type",
        ),
        pytest.param(
            _a_response(404, b"<html>Not found</html>", "text/html"),
            (ResponseAction.FAIL, FailureType.config_error, _NOT_AHA),
            id="html_404_is_not_aha",
        ),
        pytest.param(
            _a_response(404, b'{"error": "Record not found."}'),
            (ResponseAction.IGNORE, FailureType.system_error, None),
            id="json_404_skipped",
        ),
        pytest.param(
            _a_response(404, b'{"error": "Rec'),
            (ResponseAction.IGNORE, FailureType.system_error, None),
            id="truncated_json_404_still_skipped",
        ),
        pytest.param(
            _a_response(200, b'{"features": [{"id'),
            (ResponseAction.RETRY, FailureType.system_error, INCOMPLETE_BODY_MESSAGE),
            id="truncated_json_retried",
        ),
        pytest.param(
            _a_response(200, b"{}"),
            (ResponseAction.RETRY, FailureType.system_error, INCOMPLETE_BODY_MESSAGE),
            id="empty_object_retried",
        ),
        pytest.param(
            _a_response(400, b""),
            (ResponseAction.RETRY, FailureType.system_error, INCOMPLETE_BODY_MESSAGE),
            id="empty_400_retried_with_the_cdk_failure_type",
        ),
        pytest.param(
            _a_response(500, b"<html>oops</html>", "text/html"),
            (ResponseAction.RETRY, FailureType.transient_error, None),
            id="html_500_is_a_server_error_first",
        ),
        pytest.param(
            _a_response(401, b"<html>login</html>", "text/html"),
            (ResponseAction.FAIL, FailureType.config_error, None),
            id="html_401_is_a_key_error_first",
        ),
        pytest.param(
            _a_response(200, b'{"features": []}', "APPLICATION/JSON"),
            (ResponseAction.SUCCESS, None, None),
            id="json_200",
        ),
    ],
)
def test_error_handler_checks_that_every_other_answer_is_decodable_json(
    response: requests.Response,
    expected: tuple[ResponseAction, FailureType | None, str | None],
) -> None:
    resolution = _base_handler().interpret_response(response)

    action, failure_type, message = expected
    assert (resolution.response_action, resolution.failure_type) == (action, failure_type)
    if message is not None:
        assert resolution.error_message == message


def test_error_handler_url_in_the_message_has_no_query_or_credentials() -> None:
    response = _a_response(200, b"<html></html>", "text/html")
    response.url = "https://user:secret@company.aha.io/api/v1/features?page=2&token=abc"

    message = _base_handler().interpret_response(response).error_message or ""

    assert "https://company.aha.io/api/v1/features did not answer" in message
    assert "secret" not in message
    assert "token" not in message


def test_manifest_has_no_predicate_filters_left() -> None:
    # Each predicate filter decodes the body and renders a template for every response.
    handler = _base_handler()
    assert isinstance(handler, OutageAwareErrorHandler)
    filters = handler.response_filters or []
    assert len(filters) == 5
    assert [f.predicate.condition for f in filters if f.predicate] == [""] * 5


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'{"ideas": [{"id": "1"}, {"id": "2", "tags": ["a"]}]}', id="rows"),
        pytest.param(b'{"ideas": []}', id="no_rows"),
        pytest.param(b'{"ideas": {"id": "3"}}', id="one_object"),
        pytest.param(b'{"ideas": null}', id="null"),
        pytest.param(b'{"other": [{"id": "4"}]}', id="other_key"),
        pytest.param(b'[{"ideas": [{"id": "5"}]}, {"ideas": [{"id": "6"}]}]', id="top_list"),
        pytest.param(b'{"ideas', id="truncated"),
    ],
)
def test_row_checking_extractor_yields_the_dpath_rows_that_are_objects_with_an_id(
    body: bytes,
) -> None:
    def response() -> requests.Response:
        built = _ideas_response([])
        built._content = body
        return built

    parameters = {"data_field": "ideas"}
    field_path = ["{{ parameters.data_field }}"]
    dpath_rows = DpathExtractor(field_path=field_path, config={}, parameters=parameters)
    ours = RowCheckingExtractor(field_path=field_path, config={}, parameters=parameters)

    expected = [
        r for r in dpath_rows.extract_records(response()) if isinstance(r, dict) and r.get("id")
    ]
    assert list(ours.extract_records(response())) == expected


def test_the_manifest_chooses_the_proxy_votes_definition_by_exactly_the_idea_filters() -> None:
    streams = SourceAha(config=_CONFIG).resolved_manifest["streams"]
    conditions = [
        e["condition"]
        for e in streams
        if e["type"] == "ConditionalStreams" and e["streams"][0]["name"] == "idea_proxy_votes"
    ]
    assert len(conditions) == 2
    for condition in conditions:
        assert re.findall(r"config\.get\('(\w+)'\)", condition) == list(IDEA_FILTERS)


def test_an_answer_is_decoded_once_however_many_components_read_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answer = _ideas_response(["1", "2"])
    decodes = []
    decode = answer.json
    monkeypatch.setattr(answer, "json", lambda: decodes.append(1) or decode())

    assert page_number(answer) == 1
    assert first_position(answer, 2) == 0
    assert json_body(answer) == json_body(answer)
    assert len(decodes) == 1


def test_a_body_that_is_not_json_is_none_and_is_not_decoded_again() -> None:
    answer = requests.Response()
    answer._content = b"<html>sign in</html>"

    assert json_body(answer) is None
    answer._content = b'{"ideas": []}'  # an answer never changes; the first verdict stands
    assert json_body(answer) is None


def _cursor_check(stream: str) -> CursorCheck:
    """The manifest's `cursor_check`, with the formats it takes from the cursor by `$ref`."""
    manifest = SourceAha().resolved_manifest
    check, cursor = manifest["definitions"]["cursor_check"], manifest["definitions"]["cursor"]
    assert check["datetime_format"] == cursor["datetime_format"]
    assert check["formats"] == cursor["cursor_datetime_formats"]
    return CursorCheck(
        config={},
        declarative_stream=SimpleNamespace(name=stream),
        datetime_format=check["datetime_format"],
        formats=check["formats"],
    )


@pytest.mark.parametrize(
    "value", ["2024-01-01T00:00:00.000000Z", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00+00:00"]
)
def test_a_state_with_any_cursor_format_the_manifest_accepts_is_used_as_it_is(value: str) -> None:
    state = {"parent_state": {"ideas": {"updated_at": value}}, "updated_at": value}
    check = _cursor_check("idea_comments")

    assert check.should_migrate(state) is False
    assert check.migrate(state) is state


@pytest.mark.parametrize(
    "value", ["yesterday", "2024-01-01", 1700000000, None, "2024-02-30T00:00:00Z"]
)
def test_a_malformed_saved_cursor_is_a_config_error_naming_the_stream_path_and_value(
    value: object,
) -> None:
    state = {"states": [{"partition": {"id": "1"}, "cursor": {"updated_at": value}}]}

    with pytest.raises(AirbyteTracedException) as raised:
        _cursor_check("idea_comments").should_migrate(state)

    assert raised.value.failure_type == FailureType.config_error
    message = raised.value.message or ""
    assert "`idea_comments`" in message
    assert "stream_state.states[0].cursor.updated_at" in message
    assert repr(value) in message


# `catalog_problems`: what the CDK would skip in silence in a read's catalog ---------------------

_SPEC_SETTINGS = {"api_key": {}, "read_idea_subscriptions": {"type": "boolean"}}
_NOTHING_TO_READ = (
    "The catalog selects no streams, so there is nothing to read. Add the streams to read "
    "(`discover` lists them)."
)
_SUBSCRIPTIONS_OFF = (
    "The catalog names streams this config does not read: `idea_subscriptions` needs "
    "`read_idea_subscriptions` set to true. Turn the setting on, or refresh the source schema."
)


def _streams(*names: str) -> dict[str, Any]:
    return {"streams": [{"stream": {"name": name}} for name in names]}


@pytest.mark.parametrize(
    ("command", "catalog", "config", "expected"),
    [
        pytest.param("read", _streams("ideas"), {}, [], id="streams_that_are_always_read"),
        pytest.param("read", _streams(), {}, [_NOTHING_TO_READ], id="no_stream"),
        pytest.param(
            "read",
            _streams("ideas", "idea_subscriptions"),
            {},
            [_SUBSCRIPTIONS_OFF],
            id="opt_in_stream_without_its_setting",
        ),
        pytest.param(
            "read",
            _streams("idea_subscriptions"),
            {"read_idea_subscriptions": False},
            [_SUBSCRIPTIONS_OFF],
            id="opt_in_stream_with_its_setting_off",
        ),
        pytest.param(
            "read",
            _streams("idea_subscriptions"),
            {"read_idea_subscriptions": True},
            [],
            id="opt_in_stream_with_its_setting_on",
        ),
        pytest.param("read", "{not json", {}, [], id="unreadable_file_left_to_the_launcher"),
        pytest.param("discover", _streams(), {}, [], id="not_a_read"),
    ],
)
def test_catalog_problems_name_what_the_cdk_would_skip_without_a_word(
    tmp_path, monkeypatch, command: str, catalog: object, config: dict, expected: list[str]
) -> None:
    path = tmp_path / "catalog.json"
    path.write_text(catalog if isinstance(catalog, str) else json.dumps(catalog))
    monkeypatch.setattr(sys, "argv", ["source-aha", command, "--catalog", str(path)])

    assert components.catalog_problems(config, _SPEC_SETTINGS) == expected


def test_config_checks_refuse_an_empty_catalog_as_a_config_error(tmp_path, monkeypatch) -> None:
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(_streams()))
    monkeypatch.setattr(sys, "argv", ["source-aha", "read", "--catalog", str(path)])
    valid = {"api_key": "a-key", "subdomain": "company"}

    with pytest.raises(AirbyteTracedException) as raised:
        components.ConfigChecks(settings={"api_key": {}, "subdomain": {}}).validate(valid)

    assert raised.value.failure_type == FailureType.config_error
    assert raised.value.message == _NOTHING_TO_READ
