"""The `source-aha` command: the manifest and its components, as `source-declarative-manifest`
runs them, behind the CDK's own entry point (`launch`).

The launcher owns its arguments and input files: a config, catalog or state file that cannot be
read is one config-error line (a FAILED status for `check`), and a catalog naming a stream the
manifest does not define is refused instead of skipped without a word. A config, and a catalog
that selects nothing or an opt-in stream switched off, are refused by the manifest's own rules
(`ConfigChecks`) on every launcher; this one says so before the source is built, naming the
setting (`config_errors`, `catalog_problems`), so that the trace carries no stack. On CDK 7 the
declarative engine reads the config, catalog and state in the source's constructor, so they are
read first and handed to `SourceAha(...)`.
"""

from __future__ import annotations

import argparse
import logging
import sys

from airbyte_cdk.entrypoint import AirbyteEntrypoint, launch
from airbyte_cdk.utils.airbyte_secrets_utils import filter_secrets
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_aha.components import catalog_problems, config_error, hide_api_key
from source_aha.config import config_errors, connection_specification, stream_names
from source_aha.source import SourceAha
from source_aha.state import read_state

logger = logging.getLogger("airbyte")


def build_source(parsed: argparse.Namespace) -> SourceAha:
    """The source for a check, discover or read; a config-error `AirbyteTracedException` if an
    input file is unusable."""
    config = SourceAha.read_config(parsed.config)
    hide_api_key(config)
    problems = config_errors(config)
    if problems:
        raise config_error("Invalid configuration: " + " ".join(problems))
    problems = catalog_problems(config, connection_specification()["properties"])
    if problems:
        raise config_error(" ".join(problems))
    catalog_path, state_path = getattr(parsed, "catalog", None), getattr(parsed, "state", None)
    catalog = SourceAha.read_catalog(catalog_path) if catalog_path else None
    state, note = read_state(state_path) if state_path else ([], None)
    if note:
        logger.warning(note)
    selected = [c.stream.name for c in catalog.streams] if catalog else []
    known = stream_names()
    unknown = [name for name in selected if name not in known]
    if unknown:  # the CDK would skip them without a word
        raise config_error(
            "The catalog names streams this source does not have: "
            + ", ".join(f"`{name}`" for name in unknown)
            + f". It has {', '.join(sorted(known))}; refresh the source schema."
        )
    source = SourceAha(config=config, catalog=catalog, state=state, config_path=parsed.config)
    if not state:
        return source
    try:
        source.streams(config)  # parses each stream's state
    except AirbyteTracedException:
        raise
    except Exception as error:
        raise config_error(
            f"The state could not be used ({type(error).__name__}: {str(error)[:200]}). "
            "Correct it, or reset the streams to read them again from `start_date`."
        ) from None
    return source


def report(command: str, error: AirbyteTracedException) -> None:
    """Prints an unusable input file the Airbyte way, without a stack trace."""
    status = error.as_connection_status_message() if command == "check" else None
    message = status or error.as_airbyte_message()
    if message.trace and message.trace.error:
        message.trace.error.stack_trace = None
    print(filter_secrets(AirbyteEntrypoint.airbyte_message_to_string(message)), flush=True)  # noqa: T201


def run() -> None:
    """Console-script entry point."""
    args = sys.argv[1:]
    parsed = AirbyteEntrypoint.parse_args(args)
    if not parsed.command:  # the CDK's parser accepts no command at all
        print(  # noqa: T201
            "usage: source-aha {spec,check,discover,read} [--config FILE] [--catalog FILE] "
            "[--state FILE]\nsource-aha: error: a command is required (source-aha --help)",
            file=sys.stderr,
        )
        raise SystemExit(2)
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
