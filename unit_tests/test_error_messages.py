"""A config mistake is logged without a traceback (`quiet_config_mistakes`); any other error keeps
its traceback. The records are formatted by the CDK's own `AirbyteLogFormatter`, as on stdout."""

from __future__ import annotations

import io
import json
import logging
import traceback
from collections.abc import Iterator

import pytest
from airbyte_cdk.logger import AirbyteLogFormatter
from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_aha.components import CHECK_TRACEBACK, config_error, quiet_config_mistakes

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
