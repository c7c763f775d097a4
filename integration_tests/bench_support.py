"""Measurement helpers for `integration_tests/bench.py` (not part of the test suite).

* `run_measured` runs one connector command as a child process, with stdout and stderr going to
  files (the benchmark process also hosts the emulator, so it must not spend the GIL parsing
  output while the read runs), and takes the child's own rusage from `os.wait4`, in a small
  helper process so that the peak RSS is the child's own (see `_SPAWNER_SOURCE`).
* `parse_output` reads what the connector printed: record ids per stream, the final state.
* `request_stats` summarises the emulator's request log: routes, statuses, span, 429 retries.
* `GroundTruth` and the `floor_*` functions compute, from the emulator's workspace, which records
  a read must emit and the fewest requests that can fetch them.
* `find_python310` / `ensure_baseline` set up Airbyte's `airbyte-source-aha==0.3.14`.
* `summarise_profile` groups py-spy samples into our code, the CDK, the standard library, other.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aha_emulator import AhaEmulator, RequestRecord

PAGE = 200  # per_page the connector asks for (Aha!'s maximum)
# The check of the assumption that `comments_count` counts portal comments
# (`assume_comments_count_is_portal: auto`): up to this many ideas whose count is 0 are asked.
CHECK_PROBES = 5
ROUTE_NAMES = {
    "GET /api/v1/ideas": "ideas",
    "GET /api/v1/ideas/endorsements": "votes_account",
    "GET /api/v1/ideas/{id}/endorsements": "votes_per_idea",
    "GET /api/v1/ideas/{id}/idea_comments": "comments",
}


def pages(count: int) -> int:
    """Pages needed for `count` rows; a list endpoint costs one request even when empty."""
    return max(1, math.ceil(count / PAGE))


# Running a command --------------------------------------------------------------------------


@dataclass
class Measured:
    """How one child process ended and what it cost (its own rusage, not its siblings')."""

    returncode: int
    wall_s: float
    cpu_user_s: float
    cpu_sys_s: float
    max_rss_mb: float
    stdout_path: Path
    stderr_path: Path
    timed_out: bool = False

    @property
    def cpu_s(self) -> float:
        return self.cpu_user_s + self.cpu_sys_s


# A small helper process starts every measured command. A child's ru_maxrss (from wait4 as much
# as from RUSAGE_CHILDREN) starts at the high-water RSS of the process that forked it: Linux
# copies the parent's memory counters at fork and keeps the larger at exec. The benchmark process
# holds the emulator's workspace (200 MB at 20,000 ideas), so its children would all report at
# least that. The helper stays small, so what a child reports is its own peak.
_SPAWNER_SOURCE = r"""
import json, os, signal, subprocess, sys, threading, time
for line in sys.stdin:
    job = json.loads(line)
    with open(job["stdout"], "wb") as out, open(job["stderr"], "wb") as err:
        start = time.perf_counter()
        try:
            child = subprocess.Popen(job["args"], stdout=out, stderr=err,
                                     stdin=subprocess.DEVNULL, env=job["env"], cwd=job["cwd"],
                                     start_new_session=True)
        except OSError as error:
            print(json.dumps({"pid": None, "error": f"{job['args'][0]}: {error}"}), flush=True)
            continue
        print(json.dumps({"pid": child.pid}), flush=True)
        timed_out = threading.Event()
        def kill():
            timed_out.set()
            try:
                os.killpg(child.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        watchdog = threading.Timer(job["timeout"], kill)
        watchdog.daemon = True
        watchdog.start()
        _, status, usage = os.wait4(child.pid, 0)
        watchdog.cancel()
        wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    print(json.dumps({"returncode": child.returncode, "wall_s": wall, "user_s": usage.ru_utime,
                      "sys_s": usage.ru_stime, "maxrss_kib": usage.ru_maxrss,
                      "timed_out": timed_out.is_set()}), flush=True)
"""


class Spawner:
    """Runs commands one at a time from a small helper process (see `_SPAWNER_SOURCE`)."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[str] | None = None
        self._child_pid: int | None = None

    def run(self, job: dict[str, Any]) -> dict[str, Any]:
        if self._process is None or self._process.poll() is not None:
            self._process = subprocess.Popen(
                [sys.executable, "-c", _SPAWNER_SOURCE],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        assert self._process.stdin is not None
        assert self._process.stdout is not None
        self._process.stdin.write(json.dumps(job) + "\n")
        self._process.stdin.flush()
        try:
            started = json.loads(self._process.stdout.readline() or "{}")
            if not started.get("pid"):
                raise RuntimeError(started.get("error") or "the spawner helper process died")
            self._child_pid = started["pid"]
            result: dict[str, Any] = json.loads(self._process.stdout.readline())
        except BaseException:
            self.kill_child()
            raise
        finally:
            self._child_pid = None
        return result

    def kill_child(self) -> None:
        if self._child_pid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self._child_pid, signal.SIGKILL)

    def close(self) -> None:
        self.kill_child()
        if self._process is not None:
            if self._process.stdin is not None:
                self._process.stdin.close()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=30)
            self._process = None


SPAWNER = Spawner()


def run_measured(
    args: Sequence[str],
    workdir: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = 900,
    cwd: Path | None = None,
) -> Measured:
    """Runs `args` to completion (SIGKILL to its process group after `timeout` seconds), with
    stdout and stderr in files, and returns its own rusage (`os.wait4` in the helper)."""
    workdir.mkdir(parents=True, exist_ok=True)
    stdout_path, stderr_path = workdir / "stdout.jsonl", workdir / "stderr.txt"
    result = SPAWNER.run(
        {
            "args": list(args),
            "env": dict(env if env is not None else os.environ),
            "cwd": str(cwd or workdir),
            "stdout": str(stdout_path),
            "stderr": str(stderr_path),
            "timeout": timeout,
        }
    )
    return Measured(
        returncode=result["returncode"],
        wall_s=result["wall_s"],
        cpu_user_s=result["user_s"],
        cpu_sys_s=result["sys_s"],
        max_rss_mb=result["maxrss_kib"] / 1024,  # KiB on Linux
        stdout_path=stdout_path,
        stderr_path=stderr_path,
        timed_out=result["timed_out"],
    )


# What the connector printed -----------------------------------------------------------------


@dataclass
class Output:
    """Record ids per stream, the last STATE per stream, and error traces."""

    ids: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    states: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    catalog: dict[str, Any] | None = None

    def counts(self) -> dict[str, int]:
        return {stream: len(ids) for stream, ids in self.ids.items()}

    @property
    def records(self) -> int:
        return sum(len(ids) for ids in self.ids.values())

    def state_file(self) -> list[dict[str, Any]]:
        return list(self.states.values())

    def state_bytes(self) -> int:
        return len(json.dumps(self.state_file(), separators=(",", ":"))) if self.states else 0


def parse_output(path: Path) -> Output:
    output = Output()
    with path.open("rb") as lines:
        for line in lines:
            if not line.startswith(b"{"):
                continue
            try:
                message = json.loads(line)
            except ValueError:
                continue
            kind = message.get("type")
            if kind == "RECORD":
                record = message["record"]
                output.ids[record["stream"]].append(str(record["data"].get("id")))
            elif kind == "STATE":
                state = message["state"]
                descriptor = state.get("stream", {}).get("stream_descriptor", {})
                output.states[descriptor.get("name", "")] = state
            elif kind == "TRACE" and message["trace"].get("type") == "ERROR":
                output.errors.append(str(message["trace"]["error"].get("message")))
            elif kind == "CATALOG":
                output.catalog = message["catalog"]
    output.ids = dict(output.ids)
    return output


# What the server saw ------------------------------------------------------------------------


@dataclass
class RequestStats:
    total: int
    by_route: dict[str, int]
    statuses: dict[int, int]
    span_s: float
    busiest_1s: int
    busiest_60s: int
    rejected_429: int
    unretried_429: int  # 429s never followed by a success for the same URL

    def short_routes(self) -> dict[str, int]:
        return {ROUTE_NAMES.get(route, route): n for route, n in sorted(self.by_route.items())}


def _busiest(times: list[float], window: float) -> int:
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def request_stats(requests: Iterable[RequestRecord]) -> RequestStats:
    rows = sorted(requests, key=lambda r: r.t)
    times = [r.t for r in rows]
    by_route: Counter[str] = Counter(r.route for r in rows)
    statuses: Counter[int] = Counter(r.status for r in rows)
    last_ok: dict[str, float] = {}
    for r in rows:
        if 200 <= r.status < 300:
            last_ok[r.path] = r.t
    unretried = sum(1 for r in rows if r.status == 429 and last_ok.get(r.path, -1.0) < r.t)
    return RequestStats(
        total=len(rows),
        by_route=dict(by_route),
        statuses=dict(statuses),
        span_s=(times[-1] - times[0]) if len(times) > 1 else 0.0,
        busiest_1s=_busiest(times, 1.0),
        busiest_60s=_busiest(times, 60.0),
        rejected_429=statuses.get(429, 0),
        unretried_429=unretried,
    )


# Ground truth and the fewest requests ---------------------------------------------------------


@dataclass
class GroundTruth:
    """The workspace as the server would serve it now: non-spam ideas in id order, their proxy
    votes and portal comments, all votes (for the 0.3.14 baseline, which reads every vote)."""

    ideas: list[dict[str, Any]]
    proxy_votes_by_idea: dict[str, list[str]]
    all_votes_by_idea: dict[str, list[str]]
    comments_by_idea: dict[str, list[str]]

    @classmethod
    def of(cls, emulator: AhaEmulator) -> GroundTruth:
        ws = emulator.workspace
        ideas = [
            {
                "id": idea["id"],
                "name": idea["name"],
                "workflow_status": idea["workflow_status"],
                "comments_count": idea["comments_count"],
                "endorsements_count": idea["endorsements_count"],
            }
            for idea in ws.ideas()
        ]
        proxy_ids = {vote["id"] for vote in ws.votes(proxy=True)}
        every: dict[str, list[str]] = defaultdict(list)
        proxy: dict[str, list[str]] = defaultdict(list)
        for vote in ws.votes():
            every[vote["idea_id"]].append(vote["id"])
            if vote["id"] in proxy_ids:
                proxy[vote["idea_id"]].append(vote["id"])
        comments: dict[str, list[str]] = defaultdict(list)
        for comment in ws.idea_comments():
            comments[str(comment["idea_id"])].append(comment["id"])
        return cls(ideas, dict(proxy), dict(every), dict(comments))

    def select(
        self,
        workflow_status: str | None = None,
        text: str | None = None,
        max_ideas: int | None = None,
    ) -> list[dict[str, Any]]:
        """The ideas a filtered `GET /ideas` returns, in order (Aha!'s semantics as emulated)."""
        rows = self.ideas
        if workflow_status:
            wanted = workflow_status.strip().lower()
            rows = [
                i
                for i in rows
                if wanted
                in (str(i["workflow_status"]["id"]), str(i["workflow_status"]["name"]).lower())
            ]
        if text:
            rows = [i for i in rows if text.lower() in i["name"].lower()]
        if max_ideas:
            rows = rows[:max_ideas]
        return rows

    def expected(self, ideas: list[dict[str, Any]], filtered: bool) -> dict[str, set[str]]:
        """Record ids per stream for a full read of `ideas` (all proxy votes when unfiltered)."""
        ids = {i["id"] for i in ideas}
        votes_of = self.proxy_votes_by_idea
        return {
            "ideas": ids,
            "idea_proxy_votes": {
                v for idea, vs in votes_of.items() if not filtered or idea in ids for v in vs
            },
            "idea_comments": {c for idea in ids for c in self.comments_by_idea.get(idea, [])},
        }

    def expected_baseline(self) -> dict[str, set[str]]:
        ids = {i["id"] for i in self.ideas}
        return {
            "ideas_stream": ids,
            "idea_endorsements_stream": {v for vs in self.all_votes_by_idea.values() for v in vs},
            "idea_comments_stream": {c for vs in self.comments_by_idea.values() for c in vs},
        }

    def floor(self, ideas: list[dict[str, Any]], filtered: bool) -> int:
        """Fewest requests for a full read of `ideas` with their proxy votes and comments.

        The custom field definitions (one page: the schema of the ideas' typed `cf_` columns).
        Unfiltered: the ideas pages, the account-wide proxy-vote pages, and one page (more past
        200) per idea with portal comments. Filtered: the account-wide list would bring votes of
        unselected ideas, so one page per selected idea whose `endorsements_count` is non-zero
        replaces it (`endorsements_count` also counts plain votes, and such an idea costs a
        request even when it has no proxy vote).
        """
        requests = 1 + pages(len(ideas))
        requests += sum(
            math.ceil(len(self.comments_by_idea.get(i["id"], [])) / PAGE) for i in ideas
        )
        if filtered:
            requests += sum(
                pages(len(self.proxy_votes_by_idea.get(i["id"], [])))
                for i in ideas
                if i["endorsements_count"]
            )
        else:
            requests += pages(sum(len(v) for v in self.proxy_votes_by_idea.values()))
        return requests


def completeness(emitted: Mapping[str, list[str]], expected: Mapping[str, set[str]]) -> dict:
    """Per stream: missing, extra and duplicate ids; `ok` when none at all."""
    report: dict[str, Any] = {}
    ok = True
    for stream, want in expected.items():
        got = emitted.get(stream, [])
        unique = set(got)
        missing, extra, dupes = len(want - unique), len(unique - want), len(got) - len(unique)
        report[stream] = {"missing": missing, "extra": extra, "duplicates": dupes}
        ok = ok and not (missing or extra or dupes)
    report["ok"] = ok
    return report


# The 0.3.14 baseline ------------------------------------------------------------------------

BASELINE_PACKAGE = "airbyte-source-aha==0.3.14"
BASELINE_STREAMS = ("ideas_stream", "idea_endorsements_stream", "idea_comments_stream")


def _is_python310(candidate: str) -> bool:
    try:
        out = subprocess.run(
            [candidate, "-c", "import sys; print(sys.version_info[:2] == (3, 10))"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return out.stdout.strip() == "True"


def find_python310() -> str | None:
    """A Python 3.10 interpreter: `uv python find 3.10`, pyenv's versions, the usual paths."""
    candidates: list[str] = []
    for uv in (shutil.which("uv"), None):
        command = [uv] if uv else [sys.executable, "-m", "uv"]
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            found = subprocess.run(
                [*command, "python", "find", "3.10"],
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            if found.returncode == 0 and found.stdout.strip():
                candidates.append(found.stdout.strip())
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates += sorted(str(p) for p in pyenv_root.glob("versions/3.10*/bin/python3.10"))
    candidates += ["/usr/bin/python3.10", "/usr/local/bin/python3.10"]
    if which := shutil.which("python3.10"):
        candidates.append(which)
    return next((c for c in candidates if Path(c).exists() and _is_python310(c)), None)


def ensure_baseline(directory: Path, log: Callable[[str], None]) -> tuple[Path | None, str]:
    """The `source-aha` executable of 0.3.14 in its own 3.10 venv, or (None, why not)."""
    venv = directory / "venv310"
    executable = venv / "bin" / "source-aha"
    marker = venv / ".installed"
    if executable.exists() and marker.exists() and marker.read_text() == BASELINE_PACKAGE:
        return executable, f"{BASELINE_PACKAGE} ({venv})"
    python = find_python310()
    if python is None:
        return None, "no Python 3.10 interpreter found (uv python find 3.10, pyenv, /usr/bin)"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / ".gitignore").write_text("*\n")
    log(f"baseline: creating {venv} with {python} and installing {BASELINE_PACKAGE}")
    steps = (
        [python, "-m", "venv", str(venv)],
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", BASELINE_PACKAGE],
    )
    for step in steps:
        try:
            done = subprocess.run(step, capture_output=True, text=True, timeout=900, check=False)
        except (OSError, subprocess.SubprocessError) as error:
            return None, f"baseline setup failed: {error}"
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            return None, f"baseline setup failed: {' / '.join(tail)}"
    if not executable.exists():
        return None, f"{BASELINE_PACKAGE} installed no source-aha executable"
    marker.write_text(BASELINE_PACKAGE)
    return executable, f"{BASELINE_PACKAGE} ({venv})"


def baseline_catalog(discovered: Mapping[str, Any]) -> dict[str, Any]:
    """The three idea streams of 0.3.14's own catalog, full refresh (all it supports)."""
    streams = [s for s in discovered["streams"] if s["name"] in BASELINE_STREAMS]
    return {
        "streams": [
            {"stream": s, "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"}
            for s in streams
        ]
    }


# Profiles -----------------------------------------------------------------------------------

_FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")
_STDLIB = set(getattr(sys, "stdlib_module_names", ())) | {"<frozen"}


def frame_category(file: str) -> str:
    """`ours`, `cdk`, `json` (stdlib json and orjson), `stdlib` or `other`, from py-spy's
    shortened file name (relative to site-packages or the standard library)."""
    if file.startswith(("source_aha/", "source-aha")) or "/source_aha/" in file:
        return "ours"
    if file.startswith("airbyte_cdk/") or "/airbyte_cdk/" in file:
        return "cdk"
    top = file.split("/", 1)[0].split(".", 1)[0].split(" ", 1)[0]
    if top in ("json", "orjson"):
        return "json"
    if top in _STDLIB:
        return "stdlib"
    return "other"


def summarise_profile(raw: Path, top: int = 15) -> dict[str, Any]:
    """Sample shares from a py-spy `--format raw` file (collapsed stacks, one count each).

    Stacks under `_find_and_load` are start-up imports and are counted apart; every other share
    is of the remaining (steady-state) samples: self time by the leaf frame's category, and
    inclusive time by function for our code and for the CDK.
    """
    imports = 0
    self_by_category: Counter[str] = Counter()
    self_by_function: Counter[tuple[str, str]] = Counter()
    inclusive_by_function: Counter[tuple[str, str]] = Counter()
    inclusive_by_category: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [
            (match["func"], match["file"])
            for match in map(_FRAME.match, stack.split(";"))
            if match is not None
        ]
        if not frames:
            continue
        total += count
        if any(func == "_find_and_load" for func, _ in frames):
            imports += count
            continue
        func, file = frames[-1]
        category = frame_category(file)
        self_by_category[category] += count
        self_by_function[(f"{func} ({file})", category)] += count
        keys = {(f"{func} ({file})", frame_category(file)) for func, file in frames}
        for key in keys:
            inclusive_by_function[key] += count
        for category_name in {c for _, c in keys}:
            inclusive_by_category[category_name] += count
    steady = total - imports

    def share(n: int) -> float:
        return round(100 * n / steady, 1) if steady else 0.0

    def top_inclusive(category: str) -> list[dict[str, Any]]:
        rows = [(f, n) for (f, c), n in inclusive_by_function.most_common() if c == category]
        return [{"function": f, "pct": share(n)} for f, n in rows[:top]]

    return {
        "samples": total,
        "import_share_pct": round(100 * imports / total, 1) if total else 0.0,
        "self_share_pct": {k: share(v) for k, v in self_by_category.most_common()},
        "inclusive_share_pct": {k: share(v) for k, v in inclusive_by_category.most_common()},
        "top_self": [
            {"function": f, "category": c, "pct": share(n)}
            for (f, c), n in self_by_function.most_common(top)
        ],
        "top_inclusive_ours": top_inclusive("ours"),
        "top_inclusive_cdk": top_inclusive("cdk"),
    }
