"""The manifest and `components.py` in the launcher's local (image) mode, as Airbyte runs a
manifest-only connector: `source-declarative-manifest`'s image layout with the two files added
under `/airbyte/integration_code/source_declarative_manifest/` (the Dockerfile's `manifest-only`
target). In that mode the CDK imports the components only when the manifest first names one,
after the source has begun to build; the fixes in `components.py` must hold there too.

Skipped (with the reason) only when no Docker engine answers; containers reach the emulator on the
host's 127.0.0.1 (`--network host`) and are removed at the end.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aha_emulator import AhaEmulator
from integration_tests.conftest import API_KEY, emulator_config
from integration_tests.connector import Run, _parse, run_source
from integration_tests.destination_model import random_step
from integration_tests.docker_support import (
    BUILD_TIMEOUT_SECONDS,
    LOCAL_BASE_IMAGE,
    ROOT,
    SESSION_ID,
    SESSION_LABEL,
    Mounts,
    build_lock,
    docker,
    engine_unavailable_reason,
    image_exists,
    remove_containers,
)
from integration_tests.test_two_launchers import records, state_differences
from testkit.catalog import configured_catalog

pytestmark = pytest.mark.docker

IMAGE = "airbyte/source-aha:manifest-only"
STREAMS = ["products", "ideas", "idea_comments", "idea_proxy_votes", "features"]
# What the source looks like once the CDK's local mode has built it, before any request.
PROBE = """
import json, sys
from source_declarative_manifest.run import _get_local_yaml_source
before = "source_declarative_manifest.components" in sys.modules
source = _get_local_yaml_source(sys.argv[1:])
components = sys.modules["source_declarative_manifest.components"]
from airbyte_cdk.sources.declarative.incremental.concurrent_partition_cursor import (
    ConcurrentPerPartitionCursor,
)
from airbyte_cdk.sources.streams.http.http_client import HttpClient
from pyrate_limiter.limiter import SingleBucketFactory
hooked = [
    getattr(owner.__dict__[name], components._FIXED, False)
    for owner, name in (
        (HttpClient, "_request_session"),
        (ConcurrentPerPartitionCursor, "_cleanup_if_done"),
        (SingleBucketFactory, "wrap_item"),
    )
]
print(json.dumps({
    "loaded_before_the_source": before,
    "components_file": components.__file__,
    "pending_tasks": source._concurrent_source._threadpool._max_concurrent_tasks,
    "bound": components.MAX_PENDING_TASKS,
    "hooked": hooked,
}))
"""


@pytest.fixture(scope="module")
def image() -> Iterator[str]:
    reason = engine_unavailable_reason()
    if reason is not None:
        pytest.skip(f"the manifest-only image test needs a Docker engine: {reason}")
    args = ["build", "--network", "host", "--force-rm", "--target", "manifest-only", "-t", IMAGE]
    if image_exists(LOCAL_BASE_IMAGE):
        args += ["--build-arg", f"BASE_IMAGE={LOCAL_BASE_IMAGE}"]
    with build_lock():  # one build at a time across pytest-xdist workers
        done = docker(*args, str(ROOT), timeout=BUILD_TIMEOUT_SECONDS)
    if done.returncode != 0:
        pytest.fail(f"docker build failed:\n{(done.stdout + done.stderr)[-6000:]}", pytrace=False)
    try:
        yield IMAGE
    finally:
        remove_containers()


def run_image(image: str, args: list[str], files: dict[str, Any], entrypoint: str = "") -> Run:
    """`docker run` of the image with `files` (name -> JSON content) mounted at /data."""
    mounts = Mounts()
    for name, content in files.items():
        mounts.write(f"{name}.json", content)
    command = ["run", "--rm", "--network", "host", "--label", f"{SESSION_LABEL}={SESSION_ID}"]
    command += ["--volume", f"{mounts.path}:/data:ro"]
    command += ["--entrypoint", entrypoint] if entrypoint else []
    try:
        done = docker(*command, image, *args)
    finally:
        mounts.cleanup()
    return Run(done.returncode, _parse(done.stdout), done.stdout, done.stderr)


def _inputs(files: dict[str, Any]) -> list[str]:
    return [arg for name in files for arg in (f"--{name}", f"/data/{name}.json")]


def test_local_mode_loads_the_components_as_the_source_builds_and_every_fix_applies(image):
    with AhaEmulator(ideas=5, seed=3, api_key=API_KEY) as emulator:
        files = {"config": emulator_config(emulator), "catalog": configured_catalog(STREAMS)}
        result = run_image(image, ["-c", PROBE, "read", *_inputs(files)], files, "python")

    assert result.returncode == 0, result.stderr[-3000:]
    facts = json.loads(result.stdout.strip().splitlines()[-1])
    assert facts["loaded_before_the_source"] is False  # local mode: nothing registered them
    assert facts["components_file"] == (
        "/airbyte/integration_code/source_declarative_manifest/components.py"
    )
    assert facts["pending_tasks"] == facts["bound"]
    assert facts["hooked"] == [True, True, True]


def test_the_image_gives_the_package_records_tombstones_and_state_full_then_incremental(
    image, tmp_path: Path
):
    with AhaEmulator(ideas=40, seed=7, api_key=API_KEY) as emulator:
        config, catalog = emulator_config(emulator), configured_catalog(STREAMS)
        package_state: list[dict[str, Any]] | None = None
        image_state: list[dict[str, Any]] | None = None
        for sync in ("full", "incremental"):
            gone: dict[str, str] = {}
            if sync == "incremental":
                ws = emulator.workspace
                random_step(ws, random.Random(7))
                gone = {"ideas": ws.ideas()[0]["id"], "features": ws.features()[0]["id"]}
                ws.delete_idea(gone["ideas"])
                ws.delete_feature(gone["features"])
            package = run_source("read", tmp_path / sync, config, catalog, package_state)
            files: dict[str, Any] = {"config": config, "catalog": catalog}
            if image_state is not None:
                files["state"] = image_state
            local = run_image(image, ["read", *_inputs(files)], files)
            for run in (package, local):
                assert run.returncode == 0, run.stderr[-3000:]
                assert run.errors == []

            assert records(local, tombstones=False) == records(package, tombstones=False), sync
            assert records(local, tombstones=True) == records(package, tombstones=True), sync
            assert state_differences(local, package) == {}, sync
            for stream, record_id in gone.items():
                deleted = {json.loads(row)["id"] for row in records(local, True)[stream]}
                assert record_id in deleted, (sync, stream)
            package_state, image_state = package.final_state(), local.final_state()
