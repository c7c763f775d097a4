"""`python -m verify_live --config secrets/config.json [--allow-writes] [--burst N] [--product ID]`

Prints one verdict per assumption and the Markdown table for the README. Exit status: 0 when
every check ran, whatever the verdicts (a refuted assumption is a finding about Aha!, not a
failure of the kit); 2 on a setup error (bad config, unreachable host, a key Aha! refuses);
130 when interrupted (after cleaning up); 1 on an unexpected error in the kit itself.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from verify_live.redact import Redactor
from verify_live.runner import Runner
from verify_live.settings import SetupError, load_settings
from verify_live.verdicts import Status, Verdict, config_settings, markdown_table, summary


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m verify_live",
        description="Check the connector's assumptions about the Aha! API on a (sandbox) account.",
    )
    parser.add_argument("--config", required=True, type=Path, help="the connector's config file")
    parser.add_argument(
        "--allow-writes",
        action="store_true",
        help="create, edit and delete a marked test idea, votes and comments (cleaned up)",
    )
    parser.add_argument(
        "--burst",
        type=int,
        metavar="N",
        help="send up to N fast requests to provoke a 429 (spends the account's budget)",
    )
    parser.add_argument("--product", metavar="ID", help="product to create the test idea in")
    args = parser.parse_args(argv)
    if args.burst is not None and args.burst < 1:
        parser.error("--burst must be a positive number of requests")
    return args


def _terminate(signum: int, frame: FrameType | None) -> None:
    """SIGTERM unwinds like Ctrl-C, so the `finally` blocks clean up."""
    raise KeyboardInterrupt


class _Writer:
    """Prints to stdout, with the key masked in every line."""

    def __init__(self, redactor: Redactor | None) -> None:
        self._redactor = redactor

    def __call__(self, text: str) -> None:
        clean = self._redactor.clean(text) if self._redactor else text
        sys.stdout.write(clean + "\n")
        sys.stdout.flush()


def report(verdicts: Sequence[Verdict], write: _Writer) -> None:
    write("")
    write(markdown_table(verdicts))
    write("")
    write(f"Verdicts: {summary(verdicts)}.")
    write("")
    write("Settings for the connector's config that match these verdicts (README, Assumptions):")
    write(json.dumps(config_settings(verdicts), indent=2))
    if any(v.status is Status.REFUTED for v in verdicts):
        write(
            "A refuted assumption is a finding about this account's Aha! API, not a failure of "
            "the kit: report it (docs/verify-live.md says how)."
        )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        settings = load_settings(args.config)
    except SetupError as error:
        sys.stderr.write(f"verify-live: setup error: {error}\n")
        return 2
    write = _Writer(settings.redactor)
    write(
        f"verify-live against {settings.base_url} (writes "
        f"{'allowed' if args.allow_writes else 'not allowed'})"
    )
    runner = Runner(settings, args.allow_writes, args.burst, args.product, write)
    try:
        verdicts = runner.run()
    except SetupError as error:
        sys.stderr.write(settings.redactor.clean(f"verify-live: setup error: {error}") + "\n")
        return 2
    except KeyboardInterrupt:
        write("interrupted: what the kit created was cleaned up; the rows so far:")
        report(runner.table("interrupted"), write)
        return 130
    except Exception:
        sys.stderr.write(settings.redactor.clean(traceback.format_exc()))
        return 1
    report(verdicts, write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
