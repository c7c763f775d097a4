"""The benchmark's long read: 50,000 ideas at full speed, with the connector process sampled.

About 20,000 ideas have comments, so a full read sends as many comment requests: no latency, no
server limits, a budget far above what the server can serve, 8 workers. The connector's RSS,
thread count and open file descriptors are sampled every second from /proc. After the warm-up
(15 s, and until the worker pool has grown to its size: RSS steps up once with the new threads'
stacks and malloc arenas, and on a busy machine that comes late) memory, threads and sockets
must stay flat, and the records must equal the emulator's truth.

Memory grew with the comment fan-out before (about 5-6 KB per idea with comments: a cursor per
finished partition and thousands of partitions queued ahead of the readers); the fixes in
`components.py` bound both. A performance property, so measured here, not in the test suite
(a 50,000-idea read is six minutes of both CPUs of a 2-core machine).
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from aha_emulator import AhaEmulator
from integration_tests.conftest import API_KEY, emulator_config
from integration_tests.connector import EXECUTABLE, _environment, _files, configured_catalog

LONG_READ_NAME = "long_read"
WORKERS = 8


@dataclass
class Sample:
    seconds: float
    rss_kb: int
    threads: int
    fds: int


@dataclass
class MonitoredRead:
    """A read whose records were counted (not kept) and whose process was sampled."""

    returncode: int
    seconds: float
    counts: Counter[str]
    ids: dict[str, set[str]]
    errors: list[str]
    samples: list[Sample]


def _sample(pid: int, started: float) -> Sample | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
        rss = int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1])
        return Sample(
            time.monotonic() - started,
            rss,
            len(os.listdir(f"/proc/{pid}/task")),
            len(os.listdir(f"/proc/{pid}/fd")),
        )
    except (OSError, StopIteration, ValueError):
        return None


def run_read_monitored(
    workdir: Path,
    config: Mapping[str, Any],
    catalog: Mapping[str, Any],
    every_seconds: float = 1.0,
    timeout: float = 1800,
) -> MonitoredRead:
    """Runs a read, counting records per stream (and their ids) as they stream out, and samples
    the process's RSS, thread count and open file descriptors every `every_seconds`."""
    workdir.mkdir(parents=True, exist_ok=True)
    args = [EXECUTABLE, "read", *_files(workdir, config, catalog, None)]
    counts: Counter[str] = Counter()
    ids: dict[str, set[str]] = {}
    samples: list[Sample] = []
    errors: list[str] = []
    stop = threading.Event()
    started = time.monotonic()
    with (
        (workdir / "stderr.txt").open("w", encoding="utf-8") as stderr,
        subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=stderr, text=True, env=_environment()
        ) as process,
    ):
        assert process.stdout is not None

        def sampler() -> None:
            while not stop.wait(every_seconds):
                sample = _sample(process.pid, started)
                if sample is not None:
                    samples.append(sample)

        thread = threading.Thread(target=sampler, daemon=True)
        thread.start()
        killer = threading.Timer(timeout, process.kill)
        killer.start()
        try:
            for line in process.stdout:
                if not line.startswith("{"):
                    continue
                message = orjson.loads(line)
                if message["type"] == "RECORD":
                    record = message["record"]
                    counts[record["stream"]] += 1
                    ids.setdefault(record["stream"], set()).add(record["data"]["id"])
                elif message["type"] == "TRACE" and message["trace"]["type"] == "ERROR":
                    errors.append(message["trace"]["error"]["message"])
        finally:
            killer.cancel()
            stop.set()
            thread.join()
            if process.poll() is None:
                process.kill()
            process.wait(timeout=60)
    return MonitoredRead(
        process.returncode, time.monotonic() - started, counts, ids, errors, samples
    )


def _third_averages(values: list[float]) -> tuple[float, float]:
    third = max(1, len(values) // 3)
    return sum(values[:third]) / third, sum(values[-third:]) / third


def run_long_read(quick: bool, workroot: Path, log: Any) -> tuple[dict[str, Any], list[dict]]:
    """The long read's row and its targets (PASS/FAIL as `bench.check_targets` gives them)."""
    ideas, enough_samples = (5_000, 10) if quick else (50_000, 30)
    log(f"{LONG_READ_NAME}: {ideas} ideas, full speed, sampled every second")
    with AhaEmulator(ideas=ideas, seed=3, api_key=API_KEY) as emulator:
        config = emulator_config(emulator, max_requests_per_minute=100_000, num_workers=WORKERS)
        result = run_read_monitored(workroot / LONG_READ_NAME, config, configured_catalog())
        expected = {
            "ideas": {i["id"] for i in emulator.workspace.ideas()},
            "idea_comments": {c["id"] for c in emulator.workspace.idea_comments()},
            "idea_proxy_votes": {v["id"] for v in emulator.workspace.votes(proxy=True)},
        }
        requests = emulator.stats.total

    pool_size = max((s.threads for s in result.samples), default=0)
    pool_grown = next((s.seconds for s in result.samples if s.threads == pool_size), 0.0)
    warm = [s for s in result.samples if s.seconds >= max(15, pool_grown)] or result.samples
    first, last = _third_averages([s.rss_kb / 1024 for s in warm])
    threads, fds = [s.threads for s in warm], [s.fds for s in warm]
    third = max(1, len(warm) // 3)
    exact = result.returncode == 0 and all(
        result.ids.get(stream) == truth and result.counts[stream] == len(truth)
        for stream, truth in expected.items()
    )
    row = {
        "scenario": LONG_READ_NAME,
        "connector": "source-aha",
        "ideas": ideas,
        "requests": requests,
        "records": sum(result.counts.values()),
        "wall_s": round(result.seconds, 1),
        "samples": len(result.samples),
        "rss_first_third_mb": round(first, 1),
        "rss_last_third_mb": round(last, 1),
        "threads": [min(threads), max(threads)],
        "fds": [min(fds), max(fds)],
        "errors": result.errors[:3],
    }
    log(f"{LONG_READ_NAME}: {row}")

    def target(name: str, measured: str, limit: str, ok: bool) -> dict[str, Any]:
        return {
            "target": name,
            "scenario": LONG_READ_NAME,
            "measured": measured,
            "limit": limit,
            "ok": ok,
        }

    return row, [
        target(
            "records equal the truth (ideas, comments, proxy votes), each once",
            f"exit {result.returncode}, {row['records']} records",
            "exact",
            exact,
        ),
        target(
            "RSS flat after the warm-up (last third vs first third)",
            f"{first:.0f} -> {last:.0f} MB ({(last / first - 1) * 100:+.0f}%), {len(warm)} samples",
            f"+10%, >= {enough_samples} samples",
            len(warm) >= enough_samples and last <= 1.10 * first,
        ),
        target(
            "threads: the pool grows once, then nothing more",
            f"{min(threads)}-{max(threads)}",
            f"<= {WORKERS + 6}, no growth in the last third",
            max(threads) <= WORKERS + 6 and max(threads[-third:]) <= max(threads[:-third] or [0]),
        ),
        target(
            "open files: no socket leaked per request",
            f"{min(fds)}-{max(fds)}",
            "<= 64, last third within 2 of the rest",
            max(fds) <= 64 and max(fds[-third:]) <= max(fds[:-third] or [0]) + 2,
        ),
    ]
