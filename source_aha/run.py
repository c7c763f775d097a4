"""The `source-aha` command: the Airbyte protocol (spec, check, discover, read) on CDK 7.

On CDK 7 the declarative engine builds streams and cursors in the source's constructor, so
config, catalog and state are read here and handed to `SourceAha(...)`; the pre-6.0
`launch(SourceAha(), args)` renders `{{ config[...] }}` empty and ignores the state.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from typing import Any

import orjson
from airbyte_cdk.entrypoint import AirbyteEntrypoint, launch
from airbyte_cdk.models import (
    AirbyteConnectionStatus,
    AirbyteErrorTraceMessage,
    AirbyteMessage,
    AirbyteMessageSerializer,
    AirbyteTraceMessage,
    FailureType,
    Status,
    TraceType,
    Type,
)
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_aha.config import config_errors
from source_aha.source import SourceAha


def _emit(message: AirbyteMessage) -> None:
    print(orjson.dumps(AirbyteMessageSerializer.dump(message)).decode(), flush=True)  # noqa: T201


def _config_error(message: str) -> AirbyteTracedException:
    return AirbyteTracedException(
        message=message, internal_message=message, failure_type=FailureType.config_error
    )


def _load(kind: str, path: str | None, reader: Any) -> Any:
    """Reads one of the --config/--catalog/--state files, turning any failure into a clear error."""
    if path is None:
        return None
    try:
        return reader(path)
    except Exception as error:
        reason = type(error).__name__
        raise _config_error(f"Could not read the {kind} file {path} ({reason}).") from None


def build_source(args: Sequence[str]) -> SourceAha | None:
    """Returns the source for `args`, or None after reporting a bad input as Airbyte expects:
    a FAILED connection status for `check`, a config-error TRACE (and exit 1) otherwise."""
    parsed = AirbyteEntrypoint.parse_args(list(args))
    command = parsed.command
    if command == "spec":
        return SourceAha()
    try:
        config = _load("config", parsed.config, SourceAha.read_config)
        problems = config_errors(config)
        if problems:
            raise _config_error("Invalid configuration: " + " ".join(problems))
        catalog = _load("catalog", getattr(parsed, "catalog", None), SourceAha.read_catalog)
        state = _load("state", getattr(parsed, "state", None), SourceAha.read_state)
        return SourceAha(config=config, catalog=catalog, state=state, config_path=parsed.config)
    except AirbyteTracedException as error:
        if command == "check":
            _emit(
                AirbyteMessage(
                    type=Type.CONNECTION_STATUS,
                    connectionStatus=AirbyteConnectionStatus(
                        status=Status.FAILED, message=error.message
                    ),
                )
            )
            return None
        # A bad input is the user's to fix: the message says what, and no stack trace is attached.
        _emit(
            AirbyteMessage(
                type=Type.TRACE,
                trace=AirbyteTraceMessage(
                    type=TraceType.ERROR,
                    emitted_at=time.time() * 1000,
                    error=AirbyteErrorTraceMessage(
                        message=error.message or "", failure_type=FailureType.config_error
                    ),
                ),
            )
        )
        raise SystemExit(1) from None


def run() -> None:
    """Console-script entry point."""
    args = sys.argv[1:]
    source = build_source(args)
    if source is not None:
        launch(source, args)
