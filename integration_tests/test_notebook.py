"""`examples/aha_ideas.ipynb` executed top to bottom, as a reader would run it, against the local
Aha! emulator: a Jupyter kernel on this virtualenv's Python, PyAirbyte, the installed
`source-aha`, DuckDB and matplotlib. Its outputs are checked against the emulator's ground truth.
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from aha_emulator import AhaEmulator
from integration_tests.conftest import ROOT, emulator_config

NOTEBOOK = ROOT / "examples" / "aha_ideas.ipynb"
KERNEL_NAME = "source-aha-venv"
CELL_TIMEOUT_SECONDS = 600
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Appended to the in-memory copy only: what ran, and the tables the notebook built.
PROBE_CELL = """
import json as _json, sys as _sys
print("PROBE" + _json.dumps({
    "executable": _sys.executable,
    "prefix": _sys.prefix,
    "top_ideas": _json.loads(top_ideas.reset_index().to_json(orient="records")),
}))
"""


# The committed file ------------------------------------------------------------------------------


def test_committed_notebook_has_no_outputs_and_uses_the_python3_kernel():
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert notebook["nbformat"] == 4
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert code
    assert all(cell["outputs"] == [] and cell["execution_count"] is None for cell in code)
    sources = ["".join(cell["source"]) for cell in code]
    offline = next(i for i, s in enumerate(sources) if '"AIRBYTE_OFFLINE_MODE"] = "1"' in s)
    imported = next(i for i, s in enumerate(sources) if "import airbyte" in s)
    # PyAirbyte reads offline mode when it is imported.
    assert offline < imported


# Executing it ------------------------------------------------------------------------------------


class _TrapHandler(BaseHTTPRequestHandler):
    """Records any request sent through the proxy variables, and refuses it."""

    def _trap(self) -> None:
        self.server.hits.append(f"{self.command} {self.path}")  # type: ignore[attr-defined]
        self.send_error(403, "no network in this test")

    def log_message(self, *args: Any) -> None:
        pass


for _method in ("GET", "POST", "PUT", "HEAD", "CONNECT"):
    setattr(_TrapHandler, f"do_{_method}", _TrapHandler._trap)


@pytest.fixture
def network_trap() -> Iterator[tuple[str, list[str]]]:
    """A proxy every non-local HTTP(S) request of the kernel and its connector goes to."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _TrapHandler)
    server.hits = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", server.hits  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()
    thread.join()


def venv_kernel(tmp_path: Path) -> Any:
    """A kernel manager for a kernelspec written in tmp_path that runs this very interpreter,
    so the notebook sees this virtualenv whatever kernels the machine has installed."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager

    kernels = tmp_path / "kernels"
    (kernels / KERNEL_NAME).mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (source-aha virtualenv)",
        "language": "python",
    }
    (kernels / KERNEL_NAME / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    specs = KernelSpecManager(kernel_dirs=[str(kernels)])
    return AsyncKernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=specs)


def kernel_environment(tmp_path: Path, config_path: Path, trap_url: str) -> dict[str, str]:
    drop = {"AHA_API_KEY", "AHA_SUBDOMAIN", "AHA_BASE_URL", "DEPLOYMENT_MODE", "MPLBACKEND"}
    env = {k: v for k, v in os.environ.items() if k not in drop and "proxy" not in k.lower()}
    env.update(
        AHA_CONFIG=str(config_path),
        AHA_PLOT_PATH=str(tmp_path / "ideas_by_status.png"),
        AIRBYTE_PROJECT_DIR=str(tmp_path / "project"),
        AIRBYTE_CACHE_ROOT=str(tmp_path / "cache"),
        AIRBYTE_LOGGING_ROOT=str(tmp_path / "logs"),
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
    )
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        env[name] = env[name.lower()] = trap_url
    return env


def outputs_of(notebook: Any, tag: str) -> list[Any]:
    (cell,) = (c for c in notebook.cells if tag in c.get("metadata", {}).get("tags", []))
    outputs: list[Any] = cell.outputs
    return outputs


def text_of(outputs: list[Any]) -> str:
    parts = []
    for output in outputs:
        if output.output_type == "stream":
            parts.append(output.text)
        elif output.output_type in ("execute_result", "display_data"):
            parts.append(output.data.get("text/plain", ""))
    return "\n".join(parts)


def expected_top_ideas(emulator: AhaEmulator) -> dict[str, dict[str, Any]]:
    """Per idea (by reference number): what the notebook's table should say."""
    proxy_votes: Counter[str] = Counter()
    proxy_value: defaultdict[str, float] = defaultdict(float)
    for vote in emulator.workspace.votes(proxy=True):
        proxy_votes[vote["idea_id"]] += 1
        proxy_value[vote["idea_id"]] += float(vote.get("value") or 0)
    comments = Counter(comment["idea_id"] for comment in emulator.workspace.idea_comments())
    return {
        idea["reference_num"]: {
            "name": idea["name"],
            "workflow_status": idea["workflow_status"]["name"],
            "votes": idea["votes"],
            "proxy_votes": proxy_votes[idea["id"]],
            "proxy_value": proxy_value[idea["id"]],
            "comments": comments[idea["id"]],
        }
        for idea in emulator.workspace.ideas()
    }


def execute(tmp_path: Path, config_path: Path, trap_url: str) -> Any:
    """Runs the notebook with the probe cell appended, in a fresh kernel; returns it run."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(PROBE_CELL.strip()))
    client = NotebookClient(
        notebook,
        km=venv_kernel(tmp_path),
        timeout=CELL_TIMEOUT_SECONDS,
        startup_timeout=120,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    # Starts the kernel, runs every cell, and shuts the kernel down (`cleanup_kc`: nbclient
    # leaves a kernel it did not create running), also on failure.
    client.execute(env=kernel_environment(tmp_path, config_path, trap_url), cleanup_kc=True)
    return notebook


def row_counts(notebook: Any) -> dict[str, int]:
    counts = re.findall(
        r"^(ideas|idea_proxy_votes|idea_comments)\s+(\d+)\s*$",
        text_of(outputs_of(notebook, "row-counts")),
        re.M,
    )
    return {stream: int(n) for stream, n in counts}


def truth_counts(emulator: AhaEmulator) -> dict[str, int]:
    workspace = emulator.workspace
    return {
        "ideas": len(workspace.ideas()),
        "idea_proxy_votes": len(workspace.votes(proxy=True)),
        "idea_comments": len(workspace.idea_comments()),
    }


def test_notebook_runs_top_to_bottom_and_reports_the_workspace(tmp_path, emulator, network_trap):
    pytest.importorskip("airbyte", reason="PyAirbyte is in the `notebook` extra")
    pytest.importorskip("nbclient", reason="nbclient is in the `notebook` extra")
    trap_url, trap_hits = network_trap
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(emulator_config(emulator)), encoding="utf-8")
    notebook = execute(tmp_path, config_path, trap_url)
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []

    # It ran on this virtualenv's interpreter.
    probe_text = text_of(notebook.cells[-1].outputs)
    probe = json.loads(probe_text[probe_text.index("PROBE") + len("PROBE") :])
    assert probe["executable"] == sys.executable
    assert Path(probe["prefix"]).resolve() == Path(sys.prefix).resolve()

    # The row counts it shows are the workspace's.
    workspace = emulator.workspace
    assert row_counts(notebook) == truth_counts(emulator)
    assert "ideas: 0 deleted in Aha! since the last sync" in text_of(
        outputs_of(notebook, "apply-deletes")
    )

    # The top-15 table is rendered, and each row is right.
    (table,) = (o for o in outputs_of(notebook, "top-ideas") if o.output_type == "execute_result")
    assert "<table" in table.data["text/html"]
    truth = expected_top_ideas(emulator)
    top = probe["top_ideas"]
    assert len(top) == 15
    assert [row["votes"] for row in top] == sorted(
        (idea["votes"] for idea in truth.values()), reverse=True
    )[:15]
    for row in top:
        expected = truth[row["idea"]]
        assert row["proxy_value"] == pytest.approx(expected.pop("proxy_value"))
        assert {key: row[key] for key in expected} == expected

    # The chart is shown and saved as a real PNG.
    assert any("image/png" in o.get("data", {}) for o in outputs_of(notebook, "plot"))
    png = tmp_path / "ideas_by_status.png"
    assert png.read_bytes().startswith(PNG_SIGNATURE)
    assert png.stat().st_size > 10_000

    # get_records() streamed every idea: the five it lists are the latest updated.
    listed = re.findall(
        r"^\d{4}-\d{2}-\d{2}  (\S+)", text_of(outputs_of(notebook, "get-records")), re.M
    )
    updated_at = {idea["reference_num"]: idea["updated_at"] for idea in workspace.ideas()}
    assert len(set(listed)) == 5
    assert [updated_at[reference] for reference in listed] == sorted(
        updated_at.values(), reverse=True
    )[:5]

    # The DuckDB file is under the test's directory, and nothing but the emulator was called.
    assert list((tmp_path / "cache").rglob("*.duckdb"))
    assert trap_hits == []


def test_notebook_run_again_after_deletes_in_aha_removes_them_from_its_tables(
    tmp_path, emulator, network_trap
):
    pytest.importorskip("airbyte", reason="PyAirbyte is in the `notebook` extra")
    pytest.importorskip("nbclient", reason="nbclient is in the `notebook` extra")
    trap_url, trap_hits = network_trap
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(emulator_config(emulator)), encoding="utf-8")
    execute(tmp_path, config_path, trap_url)
    workspace = emulator.workspace
    # The ideas cursor of the first run is its newest idea: the emulator's own deletes after it
    # (within Aha!'s 12 months of audits) come in the second run too.
    newest = max(i["updated_at"] for i in workspace.ideas())
    floor = (datetime.now(timezone.utc) - timedelta(days=364)).strftime("%Y-%m-%dT%H:%M:%S")
    seeded = {
        a["auditable_id"]
        for a in workspace.audits()
        if a["audit_action"] == "destroy"
        and a["auditable_type"] == "idea"
        and a["created_at"] > max(newest, floor)
    }
    ideas = [i for i in workspace.ideas() if i["endorsements_count"] and i["comments_count"]]
    for idea in ideas[:2]:
        workspace.delete_idea(idea["id"])
    third = ideas[2]["id"]
    workspace.delete_comment(
        next(c for c in workspace.idea_comments() if c["idea_id"] == third)["id"]
    )
    workspace.delete_vote(
        next(v for v in workspace.votes(proxy=True) if v["idea_id"] == third)["id"]
    )

    notebook = execute(tmp_path, config_path, trap_url)  # incremental, from the cache's state

    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []
    assert f"ideas: {2 + len(seeded)} deleted in Aha! since the last sync" in text_of(
        outputs_of(notebook, "apply-deletes")
    )
    assert row_counts(notebook) == truth_counts(emulator)
    shown = {
        row["idea"]
        for row in json.loads(text_of(notebook.cells[-1].outputs).split("PROBE", 1)[1])["top_ideas"]
    }
    assert not shown & {idea["reference_num"] for idea in ideas[:2]}
    assert trap_hits == []
