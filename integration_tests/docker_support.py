"""Builds the connector image and runs it as Airbyte does, for the tests marked `docker`.

No registry may be reachable: builds use `--network host` and never `--pull`, and use the local
base `local/python:3.11-bookworm` when that image exists (`../shared/tools/docker-up.sh` makes
it). Every container gets `--rm`, a unique name and a per-session label, so `remove_containers`
can clean up whatever a failed or timed-out run left behind.
"""

from __future__ import annotations

import fcntl
import json
import re
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from integration_tests.connector import Run, _parse

ROOT = Path(__file__).resolve().parent.parent
IMAGE = "airbyte/source-aha:dev"
LOCAL_BASE_IMAGE = "local/python:3.11-bookworm"
BUILD_TIMEOUT_SECONDS = 1200
RUN_TIMEOUT_SECONDS = 600
SESSION_LABEL = "io.airbyte.source-aha.test-session"
SESSION_ID = uuid.uuid4().hex[:12]
# Serializes `docker build` of IMAGE across processes (pytest-xdist workers, concurrent runs).
BUILD_LOCK = ROOT / ".tmp" / "docker-build.lock"


def docker_executable() -> str | None:
    return shutil.which("docker")


def engine_unavailable_reason() -> str | None:
    """None when a Docker engine answers `docker info`, else why the docker tests cannot run."""
    docker = docker_executable()
    if docker is None:
        return "no `docker` client on PATH"
    try:
        info = subprocess.run(
            [docker, "info", "--format", "{{.ServerVersion}}"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return "`docker info` did not answer within 30 s"
    if info.returncode != 0:
        return f"no Docker engine answers `docker info`: {info.stderr.strip()[-300:]}"
    return None


def docker(*args: str, timeout: float = RUN_TIMEOUT_SECONDS) -> subprocess.CompletedProcess[str]:
    docker = docker_executable()
    assert docker is not None, "no docker client"
    return subprocess.run(
        [docker, *args], capture_output=True, text=True, timeout=timeout, check=False
    )


def image_exists(image: str) -> bool:
    return docker("image", "inspect", image, timeout=60).returncode == 0


def dockerfile_default_base_image(dockerfile: Path = ROOT / "Dockerfile") -> str:
    match = re.search(r"^ARG BASE_IMAGE=(\S+)", dockerfile.read_text("utf-8"), re.MULTILINE)
    assert match is not None, "the Dockerfile has no `ARG BASE_IMAGE=...` default"
    return match.group(1).strip("\"'")


@dataclass
class Build:
    image: str
    seconds: float
    base_image: str  # what FROM used: the local base, or the Dockerfile's default
    output: str


@contextmanager
def build_lock(path: Path = BUILD_LOCK) -> Iterator[None]:
    """Holds an exclusive lock on `path` (released when the process ends, however it ends)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_image(image: str = IMAGE, context: Path = ROOT) -> Build:
    """`docker build` of the repository's Dockerfile; raises with the build log when it fails.

    Builds take turns (`build_lock`): each pytest-xdist worker that runs a docker test builds the
    image in its own session, and a build after the first is then a layer-cache hit rather than a
    second full build of the same tag at the same time."""
    base = LOCAL_BASE_IMAGE if image_exists(LOCAL_BASE_IMAGE) else None
    # --force-rm: no intermediate container is left behind when a step fails.
    args = ["build", "--network", "host", "--force-rm", "--tag", image]
    if base is not None:
        args += ["--build-arg", f"BASE_IMAGE={base}"]
    with build_lock():
        started = time.monotonic()
        done = docker(*args, str(context), timeout=BUILD_TIMEOUT_SECONDS)
        seconds = time.monotonic() - started
    output = done.stdout + done.stderr
    if done.returncode != 0:
        raise RuntimeError(f"docker build {' '.join(args)} failed:\n{output[-6000:]}")
    default = dockerfile_default_base_image(context / "Dockerfile")
    return Build(image=image, seconds=seconds, base_image=base or default, output=output)


def inspect_image(image: str = IMAGE) -> dict[str, Any]:
    done = docker("image", "inspect", image, timeout=60)
    assert done.returncode == 0, done.stderr
    (details,) = json.loads(done.stdout)
    result: dict[str, Any] = details
    return result


def remove_containers(label_value: str = SESSION_ID) -> list[str]:
    """Force-removes every container this session started that is still around."""
    listed = docker("ps", "-aq", "--filter", f"label={SESSION_LABEL}={label_value}", timeout=60)
    ids = listed.stdout.split()
    if ids:
        docker("rm", "-f", *ids, timeout=120)
    return ids


class Mounts:
    """A directory mounted read-only into containers, readable by the image's non-root user."""

    def __init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="source-aha-docker-"))
        self.path.chmod(0o755)

    def write(self, name: str, content: Any) -> Path:
        path = self.path / name
        path.write_text(json.dumps(content), encoding="utf-8")
        path.chmod(0o644)
        return path

    def cleanup(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def run_container(
    command: str,
    *,
    image: str = IMAGE,
    files: Mapping[str, Any] | None = None,
    extra_args: Sequence[str] = (),
    entrypoint: str | None = None,
    user: str | None = None,
    timeout: float = RUN_TIMEOUT_SECONDS,
) -> Run:
    """`docker run --rm --network host IMAGE COMMAND --config ... --catalog ... --state ...`.

    `files` maps config/catalog/state to their content; they are written to a temporary
    directory mounted read-only at /data. With `entrypoint`, COMMAND is its first argument;
    `user` overrides the image's user.
    """
    mounts = Mounts()
    name = f"source-aha-test-{SESSION_ID}-{uuid.uuid4().hex[:8]}"
    args = [
        "run",
        "--rm",
        "--name",
        name,
        "--label",
        f"{SESSION_LABEL}={SESSION_ID}",
        "--network",
        "host",
        "--volume",
        f"{mounts.path}:/data:ro",
    ]
    if entrypoint is not None:
        args += ["--entrypoint", entrypoint]
    if user is not None:
        args += ["--user", user]
    command_args = [command]
    for flag, content in (files or {}).items():
        mounts.write(f"{flag}.json", content)
        command_args += [f"--{flag}", f"/data/{flag}.json"]
    try:
        done = docker(*args, image, *command_args, *extra_args, timeout=timeout)
    finally:
        # `--rm` removes the container when it exits; a timeout (or any error) leaves it running.
        docker("rm", "-f", name, timeout=120)
        mounts.cleanup()
    return Run(done.returncode, _parse(done.stdout), done.stdout, done.stderr)


def environment_of(details: Mapping[str, Any]) -> dict[str, str]:
    pairs = (entry.partition("=") for entry in details["Config"]["Env"] or [])
    return {key: value for key, _, value in pairs}
