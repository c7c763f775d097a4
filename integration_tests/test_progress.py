"""A long read says where it is: every 30 s of requests, one INFO line for the read and one per
active stream, with the records so far, the ideas asked of those listed and the time left for a
stream read idea by idea; an ESTIMATE trace of a list's records from its first page, and one
summary line at the end. Read on the manifest path (`source-declarative-manifest` with the
manifest and components), with the lines timed as they arrive."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from itertools import pairwise
from pathlib import Path

from aha_emulator import AhaEmulator
from integration_tests.conftest import API_KEY, emulator_config
from integration_tests.connector import MANIFEST_ONLY_FILES, SDM, _files
from testkit.catalog import configured_catalog

IDEAS = 200
BUDGET = 180  # requests a minute: about 70 s for the ideas and their internal comments
SLACK = 5.0  # a report waits for the first answer after 30 s; the machine may be busy


def test_a_long_read_reports_progress_at_least_every_30_s_with_the_ideas_left(tmp_path: Path):
    with AhaEmulator(ideas=IDEAS, seed=3, api_key=API_KEY) as emulator:
        config = emulator_config(emulator, max_requests_per_minute=BUDGET)
        catalog = configured_catalog(["idea_internal_comments", "ideas"])
        args = [SDM, "read", *_files(tmp_path, config, catalog, None), *MANIFEST_ONLY_FILES]
        env = {**os.environ, "AIRBYTE_ENABLE_UNSAFE_CODE": "true", "PYTHONUNBUFFERED": "1"}
        env.pop("DEPLOYMENT_MODE", None)
        started = time.monotonic()
        lines: list[tuple[float, dict]] = []
        with subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
        ) as read:
            assert read.stdout is not None
            for line in read.stdout:
                if line.startswith("{"):
                    lines.append((time.monotonic() - started, json.loads(line)))
            assert read.wait(timeout=600) == 0
        ended = time.monotonic() - started
        listed = len(emulator.workspace.ideas())  # the ideas Aha! lists (not the spam)
        comments = len(emulator.workspace.internal_comments())

    logs = [(at, m["log"]["message"]) for at, m in lines if m["type"] == "LOG"]
    reports = [at for at, message in logs if message.startswith("Progress after ")]
    asked = [
        int(match.group(1).replace(",", ""))
        for _, message in logs
        if (
            match := re.match(
                rf"idea_internal_comments: [\d,]+ records so far, ([\d,]+) ideas asked of "
                rf"the {listed} ",
                message,
            )
        )
    ]
    first_answer = min(at for at, m in lines if m["type"] == "TRACE") if lines else 0.0

    assert ended > 60, f"the read took {ended:.0f} s; too short to show two reports"
    assert len(reports) >= 2, logs
    assert reports[0] - first_answer <= 30 + SLACK
    assert all(later - earlier <= 30 + SLACK for earlier, later in pairwise(reports))
    assert ended - reports[-1] <= 30 + SLACK
    assert asked, logs  # a report while the budget waits has no stream line
    assert asked == sorted(asked)
    assert asked[-1] <= listed
    assert any("left at" in message for _, message in logs if "ideas asked" in message)
    records = [m["record"]["stream"] for _, m in lines if m["type"] == "RECORD"]
    assert set(records) == {"idea_internal_comments", "ideas"}
    assert records.count("idea_internal_comments") == comments
    traces = [m["trace"] for _, m in lines if m["type"] == "TRACE"]
    estimates = [trace["estimate"] for trace in traces if trace["type"] == "ESTIMATE"]
    assert estimates == [{"name": "ideas", "type": "STREAM", "row_estimate": listed}]
    assert records.count("ideas") == listed
    so_far = [
        int(match.group(1).replace(",", ""))
        for _, message in logs
        if (match := re.match(r"idea_internal_comments: ([\d,]+) records so far", message))
    ]
    assert so_far, logs
    assert so_far == sorted(so_far)
    assert so_far[-1] <= comments
    [summary] = [message for _, message in logs if message.startswith("Read summary: ")]
    assert f"budget {BUDGET} a minute" in summary
    assert logs[-1][1] == summary
