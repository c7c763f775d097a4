"""Benchmark: `source-aha read` against the local Aha! emulator, as a user runs it.

    make bench                                  # every scenario (about 19 minutes)
    .venv/bin/python -m integration_tests.bench --quick          # small sizes, a smoke run
    .venv/bin/python -m integration_tests.bench --only full,idle --no-baseline --json out.jsonl
    .venv/bin/python -m integration_tests.bench --only cpu --profile   # needs py-spy (see below)

Each scenario starts an emulator on 127.0.0.1 with a seeded workspace, a per-request latency and
rate limits, runs the installed `source-aha` executable in a subprocess (its own rusage via
`os.wait4`: CPU time and peak RSS), and compares what it emitted with the server's ground truth.
Requests are counted at the server. The floor is the fewest requests that can fetch the same
records (see `GroundTruth.floor`); the rate bound is requests / max_requests_per_minute.

Printed: one JSON line per run as it finishes, then one markdown table of every run and a table
of the targets with PASS/FAIL. With a Python 3.10 available, Airbyte's `airbyte-source-aha==0.3.14`
(own venv in .bench/venv310) reads the same workspace for comparison in the `full` scenario.

`--only personalities` (also in the default run) runs a table of the emulator's personalities: a
full sync of the idea streams, ~20 random changes, an incremental sync, into an append + dedup
destination compared with the truth (requests, wall time, equal or not).

`--only long_read` (also in the default run) reads 50,000 ideas at full speed with the connector
process sampled every second: memory, threads and open files must stay flat, and the records
equal the truth (`bench_long_read.py`; about 6 minutes on 2 cores).

`--profile` samples a no-latency, no-limit read with py-spy (taken from PATH or
.bench/tools/bin; e.g. `python3 -m uv venv .bench/tools && python3 -m uv pip install --python
.bench/tools/bin/python py-spy`) and splits the time into our code, the CDK, json, stdlib, other.
`--executable "CMD ARGS"` measures another command (a patched build, say) in the same scenarios.
Not part of the test suite; the exit status is 1 when a target fails.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aha_emulator import AhaEmulator
from integration_tests.bench_long_read import LONG_READ_NAME, run_long_read
from integration_tests.bench_support import (
    BASELINE_PACKAGE,
    CHECK_PROBES,
    SPAWNER,
    GroundTruth,
    Measured,
    Output,
    RequestStats,
    baseline_catalog,
    completeness,
    ensure_baseline,
    pages,
    parse_output,
    request_stats,
    run_measured,
    summarise_profile,
)
from integration_tests.conftest import ROOT, emulator_config
from integration_tests.connector import EXECUTABLE, Run, _environment, _parse, configured_catalog
from integration_tests.destination_model import IDEA_STREAMS as IDEA_AND_CHILD_STREAMS
from source_aha.components import IDEA_FILTERS

BENCH_DIR = ROOT / ".bench"
API_KEY = "bench-api-key"
SEED = 7
LATENCY_MS = 30
SCALED = {"per_second": 200, "per_minute": 3000}  # Aha!'s limits x10
REAL = {"per_second": 20, "per_minute": 300}
DEFAULT_BUDGET = 240  # the manifest's max_requests_per_minute when the key is absent
UNLIMITED: dict[str, int | None] = {"per_second": None, "per_minute": None}
STREAMS_SHORT = {"ideas": "i", "idea_proxy_votes": "v", "idea_comments": "c"}
BASELINE_SHORT = {"ideas_stream": "i", "idea_endorsements_stream": "v", "idea_comments_stream": "c"}
# 0.3.14 measured here: about 65 ms a request at 30 ms latency, one request at a time.
BASELINE_SECONDS_PER_REQUEST = 0.065


# The command under test; --executable replaces it (e.g. to compare a patched build).
CONNECTOR: list[str] = [EXECUTABLE]


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# Scenarios ------------------------------------------------------------------------------------


def scenarios(quick: bool) -> list[dict[str, Any]]:
    """Every scenario: sizes, server latency and limits, config overrides, pre-step, targets."""
    small, large, real = (300, 1500, 200) if quick else (2_000, 20_000, 800)
    scaled_config = {"max_requests_per_minute": SCALED["per_minute"]}
    base = {"seed": SEED, "latency_ms": LATENCY_MS, "limits": SCALED, "pre": None}
    return [
        {
            **base,
            "name": "full",
            "ideas": small,
            "config": scaled_config,
            "kind": "full",
            "baseline": True,
            "targets": ["floor", "ideas_pages", "budget", "complete", "state"],
        },
        {
            **base,
            "name": "full_large",
            "ideas": large,
            "config": scaled_config,
            "kind": "full",
            "baseline": False,
            "timeout": 1_500,
            "targets": ["floor", "ideas_pages", "budget", "complete", "state"],
        },
        *(
            {
                **base,
                "name": name,
                "ideas": small,
                "config": {**scaled_config, **overrides},
                "kind": "full",
                "targets": ["floor", "ideas_pages", "budget", "complete", "state"],
            }
            for name, overrides in (
                ("filter_status", {"ideas_workflow_status": "Under consideration"}),
                ("filter_q", {"ideas_q": "dashboard"}),
                ("filter_max_ideas", {"max_ideas": 250}),
            )
        ),
        {
            **base,
            "name": "incremental_50",
            "ideas": small,
            "config": scaled_config,
            "kind": "incremental",
            "pre": {"sync": True, "mutate": 50, "mutate_seed": 11},
            "targets": ["incremental", "complete", "state"],
        },
        {
            **base,
            "name": "idle",
            "ideas": small,
            "config": scaled_config,
            "kind": "idle",
            "pre": {"sync": True},
            "targets": ["idle", "state"],
        },
        {
            **base,
            "name": "real_limits",
            "ideas": real,
            "limits": REAL,
            # The client budget equals the server's limit: the tightest a user can configure.
            "config": {"max_requests_per_minute": REAL["per_minute"]},
            "kind": "full",
            "targets": ["real_limits", "complete", "state"],
        },
        {
            **base,
            "name": "real_limits_default",
            "ideas": real,
            "limits": REAL,
            # No max_requests_per_minute: the connector's default budget, as most users run it.
            "config": {"max_requests_per_minute": None},
            "kind": "full",
            "targets": ["real_limits", "complete", "state"],
        },
        {
            **base,
            "name": "cpu",
            "ideas": small,
            "latency_ms": 0,
            "limits": UNLIMITED,
            "config": {"max_requests_per_minute": 100_000},
            "kind": "full",
            "targets": ["complete"],
        },
    ]


# Running --------------------------------------------------------------------------------------


def write_json(path: Path, content: Any) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content), encoding="utf-8")
    return str(path)


def read_ours(
    workdir: Path,
    config: dict[str, Any],
    state: list[dict[str, Any]] | None,
    timeout: float,
    prefix: tuple[str, ...] = (),
) -> tuple[Measured, Output]:
    args = [
        *prefix,
        *CONNECTOR,
        "read",
        "--config",
        write_json(workdir / "config.json", config),
        "--catalog",
        write_json(workdir / "catalog.json", configured_catalog()),
    ]
    if state is not None:
        args += ["--state", write_json(workdir / "state.json", state)]
    measured = run_measured(args, workdir, env=_environment(), timeout=timeout)
    return measured, parse_output(measured.stdout_path)


def filters_of(config: dict[str, Any]) -> dict[str, Any]:
    return {
        "workflow_status": config.get("ideas_workflow_status"),
        "text": config.get("ideas_q") or config.get("q"),
        "max_ideas": int(config["max_ideas"]) if config.get("max_ideas") else None,
    }


def row_of(
    scenario: dict[str, Any],
    connector: str,
    measured: Measured,
    output: Output,
    stats: RequestStats,
    floor: int | None,
    expected_ideas: int,
    complete: dict[str, Any],
    budget_per_minute: int | None,
    short: dict[str, str],
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    bound = stats.total * 60 / budget_per_minute if budget_per_minute else None
    records = output.records
    return {
        "scenario": scenario["name"],
        "connector": connector,
        "ideas": scenario["server_ideas"],
        "selected_ideas": expected_ideas,
        "latency_ms": scenario["latency_ms"],
        "server_limits": scenario["limits"],
        "config": dict(scenario["config"]),
        "requests": stats.total,
        "by_route": stats.short_routes(),
        "statuses": {str(k): v for k, v in sorted(stats.statuses.items())},
        "floor": floor,
        "requests_per_floor": round(stats.total / floor, 3) if floor else None,
        "records": {short.get(s, s): n for s, n in sorted(output.counts().items())},
        "records_total": records,
        "http_429": stats.rejected_429,
        "http_429_unretried": stats.unretried_429,
        "busiest_1s": stats.busiest_1s,
        "busiest_60s": stats.busiest_60s,
        "wall_s": round(measured.wall_s, 2),
        "span_s": round(stats.span_s, 2),
        "rate_bound_s": round(bound, 2) if bound else None,
        "span_per_bound": round(stats.span_s / bound, 3) if bound else None,
        "wall_per_bound": round(measured.wall_s / bound, 3) if bound else None,
        "cpu_s": round(measured.cpu_s, 2),
        "peak_rss_mb": round(measured.max_rss_mb, 1),
        "records_per_s": round(records / measured.wall_s, 1) if measured.wall_s else None,
        "records_per_cpu_s": round(records / measured.cpu_s, 1) if measured.cpu_s else None,
        "state_bytes": output.state_bytes(),
        "complete": complete,
        "returncode": measured.returncode,
        "timed_out": measured.timed_out,
        "errors": output.errors[:3],
        **(extra or {}),
    }


def run_scenario(
    scenario: dict[str, Any], workroot: Path, baseline: Path | None, baseline_note: str
) -> list[dict[str, Any]]:
    name = scenario["name"]
    limits = scenario["limits"]
    workdir = workroot / name
    log(f"{name}: generating {scenario['ideas']} ideas (seed {scenario['seed']})")
    rows: list[dict[str, Any]] = []
    with AhaEmulator(
        ideas=scenario["ideas"],
        seed=scenario["seed"],
        api_key=API_KEY,
        per_second=limits["per_second"],
        per_minute=limits["per_minute"],
        latency_ms=scenario["latency_ms"],
    ) as emulator:
        config = emulator_config(emulator, **scenario["config"])
        timeout = scenario.get("timeout", 900)
        state = None
        pre = scenario["pre"] or {}
        change: dict[str, Any] | None = None
        if pre.get("sync"):
            log(f"{name}: pre-step, a first full sync")
            measured, output = read_ours(workdir / "pre", config, None, timeout)
            if measured.returncode != 0:
                raise RuntimeError(f"{name}: the pre-step sync failed: {output.errors[:1]}")
            state = output.state_file()
            # The first incremental sync after a full one also sends the tombstones of the
            # deletes after each stream's newest record, older ones included (the emulator seeds
            # some): a second sync measures the steady state a user's syncs run in.
            log(f"{name}: pre-step, an incremental sync")
            measured, output = read_ours(workdir / "pre2", config, state, timeout)
            if measured.returncode != 0:
                raise RuntimeError(f"{name}: the pre-step sync failed: {output.errors[:1]}")
            state = output.state_file()
        if pre.get("mutate"):
            change = emulator.workspace.mutate_random(pre["mutate"], pre["mutate_seed"])
            log(f"{name}: changed {len(change['changed_idea_ids'])} ideas")
        emulator.stats.reset()
        emulator.set_limits(**limits)  # a fresh rate window, as for a sync started later
        truth = GroundTruth.of(emulator)
        scenario["server_ideas"] = len(truth.ideas)

        log(f"{name}: source-aha read")
        measured, output = read_ours(workdir / "ours", config, state, timeout)
        stats = request_stats(emulator.stats.requests)
        floor, selected, complete, extra = expectations(scenario, truth, output, change, config)
        row = row_of(
            scenario,
            "source-aha",
            measured,
            output,
            stats,
            floor,
            selected,
            complete,
            (config.get("max_requests_per_minute") or DEFAULT_BUDGET)
            if limits["per_minute"]
            else None,
            STREAMS_SHORT,
            extra,
        )
        rows.append(row)
        print(json.dumps(row), flush=True)

        if scenario.get("baseline") and baseline is not None:
            emulator.stats.reset()
            emulator.set_limits(**limits)
            rows.append(run_baseline(scenario, emulator, truth, baseline, workdir, floor))
            print(json.dumps(rows[-1]), flush=True)
        elif scenario.get("baseline") is not None:
            estimate = estimate_baseline_requests(truth)
            note = baseline_note or (
                f"not run: about {estimate} requests one at a time, "
                f"~{estimate * BASELINE_SECONDS_PER_REQUEST / 60:.0f} min"
            )
            rows.append(
                {
                    "scenario": name,
                    "connector": BASELINE_PACKAGE,
                    "skipped": note,
                    "ideas": row["ideas"],
                }
            )
    return rows


def expectations(
    scenario: dict[str, Any],
    truth: GroundTruth,
    output: Output,
    change: dict[str, Any] | None,
    config: dict[str, Any],
) -> tuple[int, int, dict[str, Any], dict[str, Any]]:
    """(floor, selected ideas, completeness, extra fields) for this scenario's read."""
    kind = scenario["kind"]
    if kind == "full":
        filtered = any(config.get(k) for k in IDEA_FILTERS)
        selected = truth.select(**filters_of(config))
        complete = completeness(output.ids, truth.expected(selected, filtered))
        return (
            truth.floor(selected, filtered),
            len(selected),
            complete,
            {"ideas_pages_floor": pages(len(selected)), "filtered": filtered},
        )
    if kind == "idle":
        records = output.records
        # the first page of ideas and of proxy votes, the destroy audits, and the audits of the
        # ideas' children (the check that a new vote or comment moves its idea)
        return 4, 0, {"ok": records == 0, "records": records}, {}
    assert change is not None
    changed = set(change["changed_idea_ids"])
    emitted = {stream: set(ids) for stream, ids in output.ids.items()}
    dupes = {s: len(ids) - len(set(ids)) for s, ids in output.ids.items()}
    ideas = emitted.get("ideas", set())
    votes = emitted.get("idea_proxy_votes", set())
    comments = emitted.get("idea_comments", set())
    new_votes, new_comments = set(change["new_vote_ids"]), set(change["new_comment_ids"])
    complete = {
        "ideas": {"missing": len(changed - ideas), "extra": len(ideas - changed)},
        "idea_proxy_votes": {
            "missing": len(new_votes - votes),
            "not_new": len(votes - new_votes),
        },
        "idea_comments": {
            "missing": len(new_comments - comments),
            "not_new": len(comments - new_comments),
        },
        "duplicates": dupes,
    }
    complete["ok"] = (
        ideas == changed
        and new_votes <= votes
        and new_comments <= comments
        and not any(dupes.values())
    )
    by_id = {i["id"]: i for i in truth.ideas}
    floor = (
        pages(len(changed))
        + pages(len(new_votes))
        + sum(-(-len(truth.comments_by_idea.get(i, [])) // 200) for i in changed if i in by_id)
    )
    return floor, len(changed), complete, {"changed_ideas": len(changed)}


def estimate_baseline_requests(truth: GroundTruth) -> int:
    """0.3.14 pages everything by 5, reads every vote (not only proxies) of every idea."""
    per_idea = sum(
        len(truth.all_votes_by_idea.get(i["id"], [])) // 5
        + 1
        + len(truth.comments_by_idea.get(i["id"], [])) // 5
        + 1
        for i in truth.ideas
    )
    return len(truth.ideas) // 5 + 1 + per_idea


def run_baseline(
    scenario: dict[str, Any],
    emulator: AhaEmulator,
    truth: GroundTruth,
    executable: Path,
    workdir: Path,
    floor: int | None,
) -> dict[str, Any]:
    """Airbyte's 0.3.14 on the same workspace and server: its config, its catalog."""
    name = scenario["name"]
    bdir = workdir / "baseline"
    config_path = write_json(bdir / "config.json", {"api_key": API_KEY, "url": emulator.url})
    discover = run_measured(
        [str(executable), "discover", "--config", config_path], bdir / "discover", timeout=300
    )
    discovered = parse_output(discover.stdout_path).catalog
    if discover.returncode != 0 or discovered is None:
        return {"scenario": name, "connector": BASELINE_PACKAGE, "skipped": "discover failed"}
    catalog_path = write_json(bdir / "catalog.json", baseline_catalog(discovered))
    emulator.stats.reset()
    emulator.set_limits(**scenario["limits"])
    estimate = estimate_baseline_requests(truth)
    log(f"{name}: {BASELINE_PACKAGE} read (about {estimate} requests, one at a time)")
    measured = run_measured(
        [str(executable), "read", "--config", config_path, "--catalog", catalog_path],
        bdir / "read",
        timeout=scenario.get("baseline_timeout", 1_200),
    )
    output = parse_output(measured.stdout_path)
    stats = request_stats(emulator.stats.requests)
    complete = completeness(output.ids, truth.expected_baseline())
    return row_of(
        scenario,
        BASELINE_PACKAGE,
        measured,
        output,
        stats,
        floor,
        len(truth.ideas),
        complete,
        scenario["limits"]["per_minute"],
        BASELINE_SHORT,
        {"note": "reads every vote (not only proxy votes), 5 rows a page, full refresh only"},
    )


# Targets --------------------------------------------------------------------------------------


def check_targets(rows: list[dict[str, Any]], scenario_list: list[dict[str, Any]]) -> list[dict]:
    """PASS/FAIL per target of the issue, for our connector's rows."""
    ours = {r["scenario"]: r for r in rows if r.get("connector") == "source-aha"}
    results: list[dict[str, Any]] = []

    def add(target: str, scenario: str, measured: str, limit: str, ok: bool) -> None:
        results.append(
            {"target": target, "scenario": scenario, "measured": measured, "limit": limit, "ok": ok}
        )

    checks: dict[str, Callable[[dict[str, Any]], None]] = {
        "floor": lambda r: add(
            f"requests <= 1.05 x floor + {CHECK_PROBES} probes"
            + (" (filtered)" if r.get("filtered") else ""),
            r["scenario"],
            f"{r['requests']} / {r['floor']} = {r['requests_per_floor']}",
            f"1.05 x {r['floor']} + {CHECK_PROBES}",
            r["requests"] <= 1.05 * r["floor"] + CHECK_PROBES,
        ),
        "ideas_pages": lambda r: add(
            "/api/v1/ideas pages = ceil(ideas/200)",
            r["scenario"],
            str(r["by_route"].get("ideas", 0)),
            str(r["ideas_pages_floor"]),
            r["by_route"].get("ideas", 0) == r["ideas_pages_floor"],
        ),
        "budget": lambda r: add(
            "span / rate bound <= 1.15, 0 x 429 (scaled limits)",
            r["scenario"],
            f"{r['span_per_bound']} ({r['span_s']} s / {r['rate_bound_s']} s), "
            f"{r['http_429']} x 429",
            "1.15, 0",
            (r["span_per_bound"] or 0) <= 1.15 and r["http_429"] == 0,
        ),
        "incremental": lambda r: add(
            "incremental requests <= K + 5",
            r["scenario"],
            f"{r['requests']} (K = {r['changed_ideas']})",
            str(r["changed_ideas"] + 5),
            r["requests"] <= r["changed_ideas"] + 5,
        ),
        # The ideas and proxy votes pages, the custom field definitions, the children's audits,
        # the destroy audits, and one catch-up of them for the streams that start after that
        # read (the CDK sets a slice's end when its stream starts; the cursor may move there).
        "idle": lambda r: add(
            "idle incremental: <= 6 requests (deletes and the checks included), 0 records",
            r["scenario"],
            f"{r['requests']} requests, {r['records_total']} records",
            "6, 0",
            r["requests"] <= 6 and r["records_total"] == 0,
        ),
        "real_limits": lambda r: add(
            "real limits: <= 5 x 429 per 1000 requests, all retried",
            r["scenario"],
            f"{r['http_429']} x 429 in {r['requests']} "
            f"({1000 * r['http_429'] / max(r['requests'], 1):.1f}/1000), "
            f"{r['http_429_unretried']} unretried",
            "5/1000, 0",
            1000 * r["http_429"] <= 5 * r["requests"] and r["http_429_unretried"] == 0,
        ),
        "complete": lambda r: add(
            "records complete (ids = ground truth), exit 0",
            r["scenario"],
            "complete" if r["complete"]["ok"] else json.dumps(r["complete"]),
            "",
            r["complete"]["ok"] and r["returncode"] == 0,
        ),
        "state": lambda r: add(
            "state stays small",
            r["scenario"],
            f"{r['state_bytes']} B",
            "4096 B",
            r["state_bytes"] <= 4096,
        ),
    }
    for scenario in scenario_list:
        row = ours.get(scenario["name"])
        if row is None:
            continue
        for target in scenario["targets"]:
            checks[target](row)
    if "full" in ours and "full_large" in ours:
        small, large = ours["full"], ours["full_large"]
        growth = large["peak_rss_mb"] / small["peak_rss_mb"] - 1
        add(
            "peak RSS grows < 20% from small to large full sync",
            "full -> full_large",
            f"{small['peak_rss_mb']} -> {large['peak_rss_mb']} MB (+{100 * growth:.0f}%) "
            f"for {small['ideas']} -> {large['ideas']} ideas",
            "+20%",
            growth < 0.20 and small["returncode"] == 0 and large["returncode"] == 0,
        )
    return results


# Output ---------------------------------------------------------------------------------------


def fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def markdown(rows: list[dict[str, Any]], targets: list[dict[str, Any]]) -> str:
    head = (
        "| scenario | connector | ideas (sel.) | requests | by route | floor | req/floor "
        "| records i/v/c | 429 | wall s | span s | bound s | span/bound | wall/bound | CPU s "
        "| peak RSS MB | rec/s | state B | complete |"
    )
    lines = [head, "|" + "---|" * 19]
    for r in rows:
        if r.get("skipped"):
            lines.append(
                f"| {r['scenario']} | {r['connector']} | {r.get('ideas', '')} | skipped: "
                f"{r['skipped']} |" + " |" * 15
            )
            continue
        routes = " ".join(f"{k}:{v}" for k, v in r["by_route"].items())
        recs = "/".join(str(r["records"].get(k, 0)) for k in ("i", "v", "c"))
        complete = r["complete"]
        if complete["ok"]:
            complete_text = "yes"
        else:
            complete_text = "NO: " + ", ".join(
                f"{s} " + ",".join(f"{k}={v}" for k, v in d.items() if v)
                for s, d in complete.items()
                if isinstance(d, dict) and any(d.values())
            )
        lines.append(
            f"| {r['scenario']} | {r['connector']} | {r['ideas']} ({r['selected_ideas']}) "
            f"| {r['requests']} | {routes} | {fmt(r['floor'])} | {fmt(r['requests_per_floor'], 3)} "
            f"| {recs} | {r['http_429']} | {fmt(r['wall_s'], 1)} | {fmt(r['span_s'], 1)} "
            f"| {fmt(r['rate_bound_s'], 1)} | {fmt(r['span_per_bound'])} "
            f"| {fmt(r['wall_per_bound'])} | {fmt(r['cpu_s'], 1)} | {fmt(r['peak_rss_mb'], 0)} "
            f"| {fmt(r['records_per_s'], 0)} | {r['state_bytes']} | {complete_text} |"
        )
    return "\n".join([*lines, "", targets_markdown(targets)])


def targets_markdown(targets: list[dict[str, Any]]) -> str:
    lines = ["| target | scenario | measured | limit | result |", "|---|---|---|---|---|"]
    for t in targets:
        result = "PASS" if t["ok"] else "**FAIL**"
        lines.append(
            f"| {t['target']} | {t['scenario']} | {t['measured']} | {t['limit']} | {result} |"
        )
    return "\n".join(lines)


# Personalities --------------------------------------------------------------------------------

PERSONALITIES_NAME = "personalities"
PERSONALITY_CHANGES = 20


def _read_run(workdir: Path, config: dict[str, Any], state: Any, timeout: float) -> Run:
    """One read of the idea streams by the measured command, parsed as the tests parse it."""
    args = [
        *CONNECTOR,
        "read",
        "--config",
        write_json(workdir / "config.json", config),
        "--catalog",
        write_json(workdir / "catalog.json", configured_catalog(IDEA_AND_CHILD_STREAMS)),
    ]
    if state is not None:
        args += ["--state", write_json(workdir / "state.json", state)]
    done = subprocess.run(
        args, capture_output=True, text=True, timeout=timeout, env=_environment(), check=False
    )
    return Run(done.returncode, _parse(done.stdout), done.stdout, done.stderr)


def run_personalities(quick: bool, workroot: Path) -> list[dict[str, Any]]:
    """Per personality of the emulator: a full sync, ~20 random changes, an incremental sync,
    into an append + dedup destination compared with the truth (strictly, and less what the
    personality is documented to leave behind: see integration_tests/test_personalities.py)."""
    from aha_emulator.personality import PERSONALITIES
    from integration_tests.destination_model import differences, random_step
    from integration_tests.test_personalities import (
        Sequence,
        _everything,
        expect,
        remaining_differences,
    )

    ideas = 100 if quick else 300
    rows = []
    for name in PERSONALITIES:
        log(f"{PERSONALITIES_NAME}: {name}, {ideas} ideas")
        with AhaEmulator(
            ideas=ideas,
            seed=SEED,
            api_key=API_KEY,
            latency_ms=LATENCY_MS,
            personality=name,
            **SCALED,
        ) as emulator:
            config = emulator_config(emulator, max_requests_per_minute=SCALED["per_minute"])
            sequence = Sequence(emulator, {})
            requests, walls, ok = [], [], True
            state = None
            for number in range(2):
                if number:
                    ws, rng = emulator.workspace, random.Random(SEED)
                    ideas_before, before = _everything(ws)
                    done: list[str] = []
                    while len(done) < PERSONALITY_CHANGES:
                        done += random_step(ws, rng)
                    ideas_after, after = _everything(ws)
                    sequence.destroyed |= before - after
                    sequence.destroyed_ideas |= ideas_before - ideas_after
                emulator.stats.reset()
                emulator.set_limits(**SCALED)
                started = time.perf_counter()
                run = _read_run(
                    workroot / PERSONALITIES_NAME / f"{name}-{number}", config, state, 900
                )
                walls.append(time.perf_counter() - started)
                requests.append(emulator.stats.total)
                ok = ok and run.returncode == 0 and not run.errors
                sequence.runs.append(run)
                sequence.destination.apply(run)
                state = run.final_state()
            strict = differences(emulator, sequence.destination)
            documented = remaining_differences(sequence, expect(name, False))
            warnings = sum(len(sequence.warnings(r)) for r in sequence.runs)
        row = {
            "scenario": PERSONALITIES_NAME,
            "personality": name,
            "ideas": ideas,
            "requests_full": requests[0],
            "requests_incremental": requests[1],
            "wall_full_s": round(walls[0], 2),
            "wall_incremental_s": round(walls[1], 2),
            "ok": ok,
            "equals_truth": not strict,
            "differs_in": sorted(strict),
            "equals_truth_as_documented": ok and not documented,
            "warnings": warnings,
        }
        print(json.dumps(row), flush=True)
        rows.append(row)
    return rows


def personalities_markdown(rows: list[dict[str, Any]]) -> str:
    lines = [
        f"Personalities: the idea streams, a full sync then an incremental sync after "
        f"{PERSONALITY_CHANGES}+ random changes (latency {LATENCY_MS} ms, Aha!'s limits x10).",
        "",
        "| personality | ideas | requests full / incr. | wall s full / incr. | equals truth "
        "| as documented | warnings |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        strict = "yes" if r["equals_truth"] else "no: " + ", ".join(r["differs_in"])
        lines.append(
            f"| {r['personality']} | {r['ideas']} | {r['requests_full']} / "
            f"{r['requests_incremental']} | {fmt(r['wall_full_s'], 1)} / "
            f"{fmt(r['wall_incremental_s'], 1)} | {strict} "
            f"| {'yes' if r['equals_truth_as_documented'] else '**NO**'} | {r['warnings']} |"
        )
    return "\n".join(lines)


# Profile --------------------------------------------------------------------------------------


def find_py_spy() -> str | None:
    found = shutil.which("py-spy")
    local = BENCH_DIR / "tools" / "bin" / "py-spy"
    return found or (str(local) if local.exists() else None)


def run_profile(ideas: int, workroot: Path) -> dict[str, Any] | None:
    py_spy = find_py_spy()
    if py_spy is None:
        log("profile: py-spy not found (PATH or .bench/tools/bin); skipped")
        return None
    workdir = workroot / "profile"
    raw = workdir / "py-spy.txt"
    with AhaEmulator(ideas=ideas, seed=SEED, api_key=API_KEY) as emulator:
        config = emulator_config(emulator, max_requests_per_minute=100_000)
        log(f"profile: py-spy on a {ideas}-idea read, no latency, no limits")
        prefix = (
            py_spy,
            "record",
            "--gil",
            "--rate",
            "100",
            "--format",
            "raw",
            "-o",
            str(raw),
            "--",
        )
        measured, output = read_ours(workdir, config, None, 900, prefix)
    if measured.returncode != 0 or not raw.exists():
        log(f"profile: py-spy failed (see {measured.stderr_path})")
        return None
    summary = summarise_profile(raw)
    summary["records"] = output.records
    summary["raw"] = str(raw)
    return summary


def profile_text(summary: dict[str, Any]) -> str:
    lines = [
        f"Profile: {summary['samples']} samples of the thread holding the GIL (py-spy --gil, "
        f"100 Hz), {summary['records']} records. Start-up imports: "
        f"{summary['import_share_pct']}% of the samples; shares below are of the rest.",
        "Self time by category (leaf frame): "
        + ", ".join(f"{k} {v}%" for k, v in summary["self_share_pct"].items()),
        "Inclusive (any frame on the stack): "
        + ", ".join(f"{k} {v}%" for k, v in summary["inclusive_share_pct"].items()),
        "",
        "| top self time | category | % |",
        "|---|---|---|",
    ]
    lines += [f"| `{f['function']}` | {f['category']} | {f['pct']} |" for f in summary["top_self"]]
    lines += ["", "| our code, inclusive | % |", "|---|---|"]
    lines += [f"| `{f['function']}` | {f['pct']} |" for f in summary["top_inclusive_ours"]]
    lines += ["", "| CDK, inclusive | % |", "|---|---|"]
    lines += [f"| `{f['function']}` | {f['pct']} |" for f in summary["top_inclusive_cdk"]]
    return "\n".join(lines)


def build_info() -> str:
    """The commit, whether the tree has changes, and the manifest's hash: what was measured."""
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        head = "unknown"
    manifest = hashlib.sha256((ROOT / "manifest.yaml").read_bytes()).hexdigest()[:12]
    return f"{head or 'unknown'}, manifest.yaml sha256 {manifest}"


# Main -----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--only", action="append", default=[], help="scenario name(s), comma list")
    parser.add_argument("--no-baseline", action="store_true", help=f"skip {BASELINE_PACKAGE}")
    parser.add_argument("--json", type=Path, help="also write every result as JSON lines here")
    parser.add_argument("--profile", action="store_true", help="py-spy profile of the cpu read")
    parser.add_argument(
        "--executable",
        help="command to benchmark instead of the installed source-aha (shell-quoted string)",
    )
    args = parser.parse_args(argv)
    if args.executable:
        command = shlex.split(args.executable)
        # Commands run in their own work directory: resolve a relative program path now.
        program = shutil.which(command[0]) or command[0]
        resolved = str(Path(program).absolute()) if Path(program).exists() else program
        CONNECTOR[:] = [resolved, *command[1:]]

    all_scenarios = scenarios(args.quick)
    wanted = {name for item in args.only for name in item.split(",") if name}
    sections = (PERSONALITIES_NAME, LONG_READ_NAME)
    unknown = wanted - {s["name"] for s in all_scenarios} - set(sections)
    if unknown:
        parser.error(
            f"unknown scenario(s) {sorted(unknown)}; known: "
            + ", ".join([*(s["name"] for s in all_scenarios), *sections])
        )
    chosen = [s for s in all_scenarios if not wanted or s["name"] in wanted]

    BENCH_DIR.mkdir(exist_ok=True)
    (BENCH_DIR / ".gitignore").write_text("*\n")  # nothing here belongs in git
    workroot = BENCH_DIR / "runs" / time.strftime("%Y%m%d-%H%M%S")
    baseline, baseline_note = None, ""
    if args.no_baseline:
        baseline_note = "--no-baseline"
    elif any(s.get("baseline") for s in chosen):
        baseline, baseline_note = ensure_baseline(BENCH_DIR, log)
        if baseline is None:
            log(f"baseline skipped: {baseline_note}")

    # What the Docker image sets (see the Dockerfile): glibc keeps at most 2 malloc arenas
    # instead of 8 per CPU, which lowers peak RSS by about 10%. Every command measured here
    # inherits it; set MALLOC_ARENA_MAX yourself to measure another value.
    os.environ.setdefault("MALLOC_ARENA_MAX", "2")
    started = time.perf_counter()
    build = f"{build_info()}, MALLOC_ARENA_MAX={os.environ['MALLOC_ARENA_MAX']}"
    log(f"measuring {' '.join(CONNECTOR)} at {build}")
    rows: list[dict[str, Any]] = []
    personality_rows: list[dict[str, Any]] = []
    long_read_targets: list[dict[str, Any]] = []
    extra_rows: list[dict[str, Any]] = []
    summary = None
    try:
        for scenario in chosen:
            rows += run_scenario(scenario, workroot, baseline, "" if baseline else baseline_note)
        if not wanted or PERSONALITIES_NAME in wanted:
            personality_rows = run_personalities(args.quick, workroot)
        if not wanted or LONG_READ_NAME in wanted:
            long_row, long_read_targets = run_long_read(args.quick, workroot, log)
            extra_rows.append(long_row)
        if args.profile:
            cpu = next(s for s in all_scenarios if s["name"] == "cpu")
            summary = run_profile(cpu["ideas"], workroot)
    finally:
        SPAWNER.close()
    targets = check_targets(rows, chosen) + long_read_targets

    print()
    if rows:
        print(markdown(rows, targets))
    elif targets:
        print(targets_markdown(targets))
    for row in extra_rows:
        print(f"\n{row['scenario']}: " + ", ".join(f"{k} {v}" for k, v in row.items()))
    if personality_rows:
        print()
        print(personalities_markdown(personality_rows))
    if summary:
        print()
        print(profile_text(summary))
    failed = [t for t in targets if not t["ok"]]
    wrong = [r["personality"] for r in personality_rows if not r["equals_truth_as_documented"]]
    print(
        f"\n{len(targets) - len(failed)}/{len(targets)} targets pass; "
        f"{time.perf_counter() - started:.0f} s in all; measured {build}; runs in {workroot}"
    )
    if args.json:
        with args.json.open("w", encoding="utf-8") as out:
            for row in [*rows, *personality_rows, *extra_rows]:
                out.write(json.dumps({**row, "build": build}) + "\n")
            for target in targets:
                out.write(json.dumps({"target_result": target}) + "\n")
            if summary:
                out.write(json.dumps({"profile": summary}) + "\n")
    if wrong:
        print(f"personalities whose destination is not the truth as documented: {wrong}")
    return 1 if failed or wrong else 0


if __name__ == "__main__":
    sys.exit(main())
