"""Command-line Aha! emulator: ``python -m aha_emulator --port 8765``.

Prints one line with the listening URL and serves until SIGINT or SIGTERM. Requests need
``Authorization: Bearer test-api-key`` (the default API key; ``--api-key`` sets another).

Besides Aha!'s API under /api/v1, it answers these admin routes (no key needed):
  GET  /__emulator__/stats        requests served: total, by_route, status_counts
  POST /__emulator__/reset_stats  zero those counts
  POST /__emulator__/mutate       {"changed_ideas": K, "seed": S}: new and edited ideas, votes
                                  and comments, as time passes in Aha!; answers what changed
  POST /__emulator__/plan         {"plan": P}, or {"forbidden_routes": [...]}: answer 403 there
  POST /__emulator__/personality  {"personality": [NAME, ...]}: see the list below
"""

from __future__ import annotations

import argparse
import dataclasses
import signal
import sys
import threading
from types import FrameType

from . import PERSONALITIES, PLANS, AhaEmulator, Faults, personality
from .audits.records import AUDIT_TYPE_STYLES
from .personality import DOCUMENTED, PRESET_NOTES, Personality


def _epilog() -> str:
    width = max(map(len, PERSONALITIES))
    lines = [f"  {name:<{width}}  {PRESET_NOTES[name]}" for name in PERSONALITIES]
    return "personalities (--personality NAME, repeatable, combined in order):\n" + "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m aha_emulator",
        description=__doc__,
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--ideas", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--api-key",
        default="test-api-key",
        help="the Bearer key the emulator accepts (default: %(default)s)",
    )
    parser.add_argument("--per-second", type=int, default=None, help="default: unlimited")
    parser.add_argument("--per-minute", type=int, default=None, help="default: unlimited")
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--error-rate", type=float, default=0.0)
    parser.add_argument("--slow-rate", type=float, default=0.0)
    parser.add_argument("--slow-seconds", type=float, default=30.0)
    parser.add_argument("--drop-rate", type=float, default=0.0)
    parser.add_argument("--truncate-rate", type=float, default=0.0)
    parser.add_argument(
        "--invalid-json-rate", type=float, default=0.0, help="200s with a body that is not JSON"
    )
    parser.add_argument(
        "--plan",
        choices=sorted(PLANS),
        default="roadmaps_ideas_advanced",
        help="endpoints the plan lacks answer 403 (default: none)",
    )
    parser.add_argument(
        "--audit-types",
        choices=AUDIT_TYPE_STYLES,
        default=None,
        help="how audits spell auditable_type: idea (snake, the default), Ideas::Idea (class), "
        "ideas (plural) or Aha::IdeaRecord (unknown)",
    )
    parser.add_argument(
        "--personality",
        action="append",
        default=[],
        choices=list(PERSONALITIES),
        metavar="NAME",
        help="behave as another plausible Aha! (repeatable; the names are listed below)",
    )
    return parser


def options(argv: list[str] | None = None) -> tuple[argparse.Namespace, Personality]:
    """The parsed arguments and the personality they ask for: the ``--personality`` presets
    combined in order, then ``--audit-types`` (which must agree with a preset that spells audit
    types its own way)."""
    parser = _parser()
    args = parser.parse_args(argv)
    chosen = personality(*args.personality)
    if args.audit_types is not None:
        if chosen.audit_types not in (DOCUMENTED.audit_types, args.audit_types):
            parser.error(
                f"--audit-types {args.audit_types} disagrees with the personality's "
                f"audit types {chosen.audit_types}"
            )
        chosen = dataclasses.replace(chosen, audit_types=args.audit_types)
    return args, chosen


def main(argv: list[str] | None = None) -> int:
    args, chosen = options(argv)
    faults = Faults(
        error_rate=args.error_rate,
        slow_rate=args.slow_rate,
        slow_seconds=args.slow_seconds,
        drop_rate=args.drop_rate,
        truncate_rate=args.truncate_rate,
        invalid_json_rate=args.invalid_json_rate,
        seed=args.seed,
    )
    emulator = AhaEmulator(
        ideas=args.ideas,
        seed=args.seed,
        api_key=args.api_key,
        per_second=args.per_second,
        per_minute=args.per_minute,
        latency_ms=args.latency_ms,
        faults=faults,
        port=args.port,
        plan=args.plan,
        personality=chosen,
    )
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    emulator.start()
    print(
        f"Aha! emulator listening on {emulator.url} ({args.ideas} ideas, api key {args.api_key})",
        flush=True,
    )
    while not stop.wait(0.5):
        pass
    emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
