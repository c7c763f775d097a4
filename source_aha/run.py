"""The `source-aha` command: the Airbyte protocol (spec, check, discover, read) on CDK 7.

On CDK 7 the declarative engine builds streams and cursors in the source's constructor, so
config, catalog and state are read here and handed to `SourceAha(...)`; the pre-6.0
`launch(SourceAha(), args)` renders `{{ config[...] }}` empty and ignores the state.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson
from airbyte_cdk.entrypoint import AirbyteEntrypoint, launch
from airbyte_cdk.models import (
    AirbyteConnectionStatus,
    AirbyteErrorTraceMessage,
    AirbyteLogMessage,
    AirbyteMessage,
    AirbyteMessageSerializer,
    AirbyteStateMessage,
    AirbyteStateMessageSerializer,
    AirbyteTraceMessage,
    ConfiguredAirbyteCatalog,
    ConfiguredAirbyteCatalogSerializer,
    FailureType,
    Level,
    Status,
    TraceType,
    Type,
)
from airbyte_cdk.utils.airbyte_secrets_utils import filter_secrets, update_secrets
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_aha.config import config_errors, normalize_state, stream_names
from source_aha.source import SourceAha


def _emit(message: AirbyteMessage) -> None:
    print(orjson.dumps(AirbyteMessageSerializer.dump(message)).decode(), flush=True)  # noqa: T201


def _hide_key(config: Any) -> None:
    """Registers the API key with the CDK's secret filter before anything can quote the config:
    a key pasted into another setting would otherwise be echoed by that setting's error."""
    key = config.get("api_key") if isinstance(config, Mapping) else None
    if isinstance(key, str) and key.strip():
        bare = key.strip().removeprefix("Bearer ").strip()
        update_secrets([secret for secret in {key, key.strip(), bare} if len(secret) >= 4])


def _config_error(message: str) -> AirbyteTracedException:
    return AirbyteTracedException(
        message=message, internal_message=message, failure_type=FailureType.config_error
    )


def _reason(error: Exception) -> str:
    """Why a file could not be used, without quoting its content (a config holds the API key)."""
    if isinstance(error, FileNotFoundError):
        return "it does not exist"
    if isinstance(error, IsADirectoryError):
        return "it is a directory"
    if isinstance(error, PermissionError):
        return "permission denied"
    if isinstance(error, UnicodeDecodeError):
        return "it is not UTF-8 text"
    if isinstance(error, json.JSONDecodeError):
        return f"it is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
    return f"{type(error).__name__}"


def _read_json(path: str) -> Any:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _read_catalog(path: str) -> ConfiguredAirbyteCatalog:
    content = _read_json(path)
    try:
        return ConfiguredAirbyteCatalogSerializer.load(content)
    except Exception:
        raise _config_error(
            f"Could not read the catalog file {path} (it is not a configured Airbyte catalog: "
            'an object with a "streams" list).'
        ) from None


def _read_state(path: str) -> list[AirbyteStateMessage]:
    raw = _read_json(path)
    messages, problems = normalize_state(raw, stream_names())
    if problems:
        raise _config_error(f"Could not use the state file {path}: " + " ".join(problems))
    try:
        state = [AirbyteStateMessageSerializer.load(message) for message in messages]
    except Exception:
        raise _config_error(
            f"Could not use the state file {path}: a message is not an Airbyte state message."
        ) from None
    legacy = not isinstance(raw, list) or any(
        isinstance(m, Mapping) and m.get("type") == "LEGACY" for m in raw
    )
    if legacy and messages:
        names = ", ".join(m["stream"]["stream_descriptor"]["name"] for m in messages)
        _emit(
            AirbyteMessage(
                type=Type.LOG,
                log=AirbyteLogMessage(
                    level=Level.WARN,
                    message=f"The state file has the legacy {{stream: state}} layout; "
                    f"read it as per-stream state for {names}.",
                ),
            )
        )
    return state


def _load(kind: str, path: str | None, reader: Callable[[str], Any]) -> Any:
    """Reads one of the --config/--catalog/--state files, turning any failure into a clear error."""
    if path is None:
        return None
    try:
        return reader(path)
    except AirbyteTracedException:
        raise
    except Exception as error:
        raise _config_error(f"Could not read the {kind} file {path} ({_reason(error)}).") from None


def _check_catalog(known: set[str], catalog: Any) -> None:
    """The CDK skips a catalog stream it does not know without a word; name it instead."""
    unknown = [c.stream.name for c in catalog.streams if c.stream.name not in known]
    if unknown:
        raise _config_error(
            "The catalog names streams this source does not have: "
            + ", ".join(f"`{name}`" for name in unknown)
            + f". It has {', '.join(sorted(known))}; refresh the source schema."
        )


def _build(config: Mapping[str, Any], catalog: Any, state: Any, path: str | None) -> SourceAha:
    """Builds the source and, for a read, its streams, where the CDK parses the saved cursors:
    if only the state stops it, say so instead of crashing with a stack trace."""

    def build(with_state: Any) -> SourceAha:
        source = SourceAha(config=config, catalog=catalog, state=with_state, config_path=path)
        if catalog is not None:
            _check_catalog({stream.name for stream in source.streams(config)}, catalog)
        return source

    try:
        return build(state)
    except AirbyteTracedException:
        raise
    except Exception as error:
        if not state:
            raise
        try:
            build(None)
        except Exception:
            raise error from None
        raise _config_error(
            f"The state could not be used ({type(error).__name__}: {str(error)[:200]}). Correct "
            "it, or reset the streams to read them again from `start_date`."
        ) from None


def build_source(args: Sequence[str]) -> SourceAha | None:
    """Returns the source for `args`, or None after reporting a bad input as Airbyte expects:
    a FAILED connection status for `check`, a config-error TRACE (and exit 1) otherwise."""
    parsed = AirbyteEntrypoint.parse_args(list(args))
    command = parsed.command
    if command == "spec":
        return SourceAha()
    try:
        config = _load("config", parsed.config, _read_json)
        _hide_key(config)
        problems = config_errors(config)
        if problems:
            raise _config_error("Invalid configuration: " + " ".join(problems))
        catalog = _load("catalog", getattr(parsed, "catalog", None), _read_catalog)
        state = _load("state", getattr(parsed, "state", None), _read_state)
        source = _build(config, catalog, state, parsed.config)
        # `launch` reads the state file again; hand it the state checked (and converted) here.
        setattr(source, "read_state", lambda _path: state or [])  # noqa: B010
        return source
    except AirbyteTracedException as error:
        if command == "check":
            _emit(
                AirbyteMessage(
                    type=Type.CONNECTION_STATUS,
                    connectionStatus=AirbyteConnectionStatus(
                        status=Status.FAILED, message=filter_secrets(error.message or "")
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
                        message=filter_secrets(error.message or ""),
                        failure_type=FailureType.config_error,
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
