"""The `source-aha` command: the Airbyte protocol (spec, check, discover, read) on CDK 7.

On CDK 7 the declarative engine builds streams and cursors in the source's constructor, so the
config, catalog and state are read first (through `SourceAha.read_*`, the readers the CDK's entry
point uses too) and handed to `SourceAha(...)`; `launch(SourceAha(), args)` would render
`{{ config[...] }}` empty and ignore the state. A bad input is reported before any request, as
Airbyte expects: a FAILED connection status for `check`, a config-error TRACE and exit 1 otherwise.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Mapping
from typing import Any

from airbyte_cdk.entrypoint import AirbyteEntrypoint, launch
from airbyte_cdk.utils.airbyte_secrets_utils import filter_secrets, update_secrets
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_aha.config import config_error, config_errors
from source_aha.connection import connection_problem
from source_aha.source import SourceAha
from source_aha.state import read_state

logger = logging.getLogger("airbyte")


def hide_api_key(config: Mapping[str, Any]) -> None:
    """Registers the API key with the CDK's secret filter before anything can quote the config:
    a key pasted into another setting would otherwise be echoed by that setting's error."""
    key = config.get("api_key")
    if isinstance(key, str) and key.strip():
        bare = key.strip().removeprefix("Bearer ").strip()
        update_secrets([secret for secret in {key, key.strip(), bare} if len(secret) >= 4])


def build_source(parsed: argparse.Namespace) -> SourceAha:
    """The source for a check, discover or read; a config-error `AirbyteTracedException` if an
    input file is unusable."""
    config = SourceAha.read_config(parsed.config)
    hide_api_key(config)
    problems = config_errors(config)
    if problems:
        raise config_error("Invalid configuration: " + " ".join(problems))
    unreachable = connection_problem(config) if parsed.command == "check" else None
    if unreachable:
        raise config_error(unreachable)
    catalog_path, state_path = getattr(parsed, "catalog", None), getattr(parsed, "state", None)
    catalog = SourceAha.read_catalog(catalog_path) if catalog_path else None
    state, note = read_state(state_path) if state_path else ([], None)
    if note:
        logger.warning(note)
    try:
        source = SourceAha(config=config, catalog=catalog, state=state, config_path=parsed.config)
        known = {stream.name for stream in source.streams(config)} if catalog else set()
    except AirbyteTracedException:
        raise
    except Exception as error:
        if not state:
            raise
        # The config passed its checks, so what the engine could not parse is the saved state.
        raise config_error(
            f"The state could not be used ({type(error).__name__}: {str(error)[:200]}). Correct "
            "it, or reset the streams to read them again from `start_date`."
        ) from None
    unknown = (
        [c.stream.name for c in catalog.streams if c.stream.name not in known] if catalog else []
    )
    if unknown:  # the CDK would skip them without a word
        raise config_error(
            "The catalog names streams this source does not have: "
            + ", ".join(f"`{name}`" for name in unknown)
            + f". It has {', '.join(sorted(known))}; refresh the source schema."
        )
    return source


def report(command: str, error: AirbyteTracedException) -> None:
    """Prints a bad input the Airbyte way, without a stack trace (the user has a file to fix)."""
    status = error.as_connection_status_message() if command == "check" else None
    message = status or error.as_airbyte_message()
    if message.trace and message.trace.error:
        message.trace.error.stack_trace = None
    print(filter_secrets(AirbyteEntrypoint.airbyte_message_to_string(message)), flush=True)  # noqa: T201


def run() -> None:
    """Console-script entry point."""
    args = sys.argv[1:]
    parsed = AirbyteEntrypoint.parse_args(args)
    if parsed.command == "spec":
        launch(SourceAha(), args)
        return
    try:
        source = build_source(parsed)
    except AirbyteTracedException as error:
        report(parsed.command, error)
        if parsed.command != "check":
            raise SystemExit(1) from None
        return
    launch(source, args)
