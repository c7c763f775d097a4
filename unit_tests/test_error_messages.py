"""A config mistake is logged without a traceback (`quiet_config_mistakes`); any other error keeps
its traceback. The records are formatted by the CDK's own `AirbyteLogFormatter`, as on stdout.
A long read says where it is (`Progress`)."""

from __future__ import annotations

import atexit
import io
import json
import logging
import sys
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from airbyte_cdk.logger import AirbyteLogFormatter
from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_aha.components import (
    CHECK_TRACEBACK,
    Forbidden,
    Progress,
    config_error,
    quiet_config_mistakes,
)

MISTAKE = "Aha! rejected the API key (HTTP 401). Check `api_key`."


@pytest.fixture
def log() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(AirbyteLogFormatter())
    logger = logging.getLogger("airbyte.test_error_messages")
    logger.addHandler(handler)
    try:
        yield logger, stream
    finally:
        logger.removeHandler(handler)


def _logged(stream: io.StringIO) -> list[dict[str, str]]:
    return [json.loads(line)["log"] for line in stream.getvalue().splitlines()]


def _raised(error: Exception) -> Exception:
    try:
        raise error
    except Exception as raised:
        return raised


def test_the_record_factory_is_installed_once() -> None:
    assert quiet_config_mistakes() is True
    factory = logging.getLogRecordFactory()
    assert quiet_config_mistakes() is True
    assert logging.getLogRecordFactory() is factory


def test_a_config_mistake_logged_with_its_exception_has_no_traceback(log) -> None:
    logger, stream = log
    error = _raised(config_error(MISTAKE))
    logger.exception("Exception while syncing stream ideas", exc_info=error)  # the read loop
    logger.fatal(error, exc_info=error)  # the uncaught-exception hook

    logged = _logged(stream)
    assert [entry["message"] for entry in logged] == [
        "Exception while syncing stream ideas",
        MISTAKE,
    ]
    assert [entry["level"] for entry in logged] == ["ERROR", "FATAL"]


def test_check_streams_pasted_traceback_is_cut_from_a_config_mistake(log) -> None:
    logger, stream = log
    try:
        raise config_error(MISTAKE)
    except AirbyteTracedException as error:  # what CheckStream._log_error writes
        message = f"Encountered an error while checking availability. Error: {error}"
        logger.error(message + f"{CHECK_TRACEBACK} \n {traceback.format_exc()}", exc_info=True)

    [entry] = _logged(stream)
    assert entry["message"] == message
    assert "Traceback" not in entry["message"]


@pytest.mark.parametrize(
    "error",
    [
        AirbyteTracedException(message="boom", failure_type=FailureType.system_error),
        ValueError("a bug"),
    ],
    ids=["system_error", "plain_exception"],
)
def test_any_other_error_keeps_its_traceback(log, error: Exception) -> None:
    logger, stream = log
    logger.exception("Exception while syncing stream ideas", exc_info=_raised(error))

    [entry] = _logged(stream)
    assert "Traceback (most recent call last)" in entry["message"]


# Progress on long reads ---------------------------------------------------------------------


def _answer(url: str, pagination: tuple[int, int, int] = (1, 1, 0)) -> requests.Response:
    page, pages, records = pagination
    answer = requests.Response()
    answer.status_code = 200
    answer._content = json.dumps(
        {
            "rows": [],
            "pagination": {"total_records": records, "total_pages": pages, "current_page": page},
        }
    ).encode()
    answer.request = requests.Request("GET", url).prepare()
    return answer


def test_a_report_has_one_line_for_the_read_and_one_per_stream_active_since_the_last() -> None:
    base = "https://company.aha.io/api/v1"
    progress = Progress.of({"max_requests_per_minute": 240})
    progress.count("ideas", _answer(f"{base}/ideas?page=3", (3, 25, 5000)))
    for idea in range(61):
        progress.count("idea_comments", _answer(f"{base}/ideas/{idea}/comments"))

    progress.count("idea_comments", _answer(f"{base}/ideas/7/comments?page=2", (2, 2, 250)))

    assert progress.report(progress.started + 31) == [
        "Progress after 31 s: 63 requests to Aha!, 122 a minute lately (budget 240 a minute).",
        "idea_comments: 250 records so far, 61 ideas asked of the 5,000 listed, 62 requests; at "
        "most about 41 min left at 120 requests a minute.",
        "ideas: 600 records so far, page 3 of 25 (5,000 records listed), 1 request.",
    ]


def test_the_reports_come_from_a_timer_every_interval_and_it_stops_when_answers_stop(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(Progress, "SECONDS", 0.05)
    progress = Progress.of({})
    with caplog.at_level(logging.INFO):
        progress.count("products", _answer("https://company.aha.io/api/v1/products"))
        timer = progress._timer
        assert timer is not None
        timer.join(timeout=10)  # two reports without an answer end it

    reports = [m for m in caplog.messages if m.startswith("Progress after ")]
    assert not timer.is_alive()
    assert len(reports) == 2
    assert "products: 0 records so far, page 1 of 1 (0 records listed), 1 request." in (
        caplog.messages
    )
    assert progress._timer is None


def test_an_answer_without_pagination_is_counted_as_a_request() -> None:
    progress = Progress.of({})
    progress.count("products", _answer("https://company.aha.io/api/v1/products", (1, 1, 0)))
    answer = _answer("https://company.aha.io/api/v1/me")
    answer._content = b'{"user": {}}'
    progress.count("users", answer)

    assert progress.requests == {"products": 1, "users": 1}
    assert "users" not in progress.pages


def _read_with_catalog(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, streams: list[str]) -> None:
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps({"streams": [{"stream": {"name": n}} for n in streams]}))
    monkeypatch.setattr(sys, "argv", ["source-aha", "read", "--catalog", str(catalog)])


def test_the_first_page_of_a_selected_stream_s_one_list_is_an_estimate_trace(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _read_with_catalog(monkeypatch, tmp_path, ["ideas", "releases"])
    monkeypatch.setattr(atexit, "register", lambda _: None)
    base = "https://company.aha.io/api/v1"
    progress = Progress.of({})
    progress.count("ideas", _answer(f"{base}/ideas", (1, 25, 5000)))  # a parent's copy: all
    progress.count("ideas", _answer(f"{base}/ideas?updated_since=x", (1, 1, 12)))  # its own
    progress.count("ideas", _answer(f"{base}/ideas?page=2", (2, 25, 5000)))
    progress.count("releases", _answer(f"{base}/products/1/releases", (1, 1, 40)))  # one of many
    progress.count("products", _answer(f"{base}/products", (1, 1, 3)))  # not selected

    estimates = [json.loads(line)["trace"] for line in capsys.readouterr().out.splitlines()]
    assert [e["estimate"] for e in estimates] == [
        {"name": "ideas", "type": "STREAM", "row_estimate": 5000},
        {"name": "ideas", "type": "STREAM", "row_estimate": 12},
    ]
    assert {e["type"] for e in estimates} == {"ESTIMATE"}


def test_a_read_ends_with_one_summary_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _read_with_catalog(monkeypatch, tmp_path, ["ideas", "features"])
    at_exit: list[Callable[[], None]] = []
    monkeypatch.setattr(atexit, "register", at_exit.append)
    config = {"max_requests_per_minute": 240}
    progress = Progress.of(config)
    progress.count("ideas", _answer("https://company.aha.io/api/v1/ideas", (1, 1, 3)))
    Forbidden.of(config).add("features")

    with caplog.at_level(logging.INFO):
        [summary] = at_exit
        summary()

    [line] = [m for m in caplog.messages if m.startswith("Read summary: ")]
    assert line.endswith(
        "1 request to Aha! (60 a minute; budget 240 a minute); skipped for the plan: features."
    )


def test_no_estimate_and_no_summary_outside_a_read_or_in_the_connector_builder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registered: list[object] = []
    monkeypatch.setattr(atexit, "register", registered.append)
    _read_with_catalog(monkeypatch, tmp_path, ["ideas"])
    Progress.of({"__command": "test_read"}).count(
        "ideas", _answer("https://company.aha.io/api/v1/ideas", (1, 1, 3))
    )
    monkeypatch.setattr(sys, "argv", ["source-aha", "check", "--config", "c.json"])
    Progress.of({}).count("ideas", _answer("https://company.aha.io/api/v1/ideas", (1, 1, 3)))

    assert capsys.readouterr().out == ""
    assert registered == []
