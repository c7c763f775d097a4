"""The Docker image: built from the repository's Dockerfile, run as Airbyte runs it.

Skipped (with the reason) only when no Docker engine answers `docker info`; with an engine up, a
failed build fails the tests. The image is built once per session (the layer cache makes rebuilds
quick); under pytest-xdist each worker that runs these tests builds it, one build at a time.
Containers run with `--network host`, so they reach the in-process Aha! emulator on the host's
127.0.0.1 at whatever free port it picked. Every container is `--rm`, and any left over after a
failure or timeout is force-removed at the end of the session.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from aha_emulator import AhaEmulator
from integration_tests.conftest import API_KEY, emulator_config
from integration_tests.connector import EVERY_STREAM, Run, run_source
from integration_tests.docker_support import (
    IMAGE,
    ROOT,
    Build,
    build_image,
    engine_unavailable_reason,
    environment_of,
    inspect_image,
    remove_containers,
    run_container,
)
from testkit.streams import PROMISES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

pytestmark = pytest.mark.docker

# Measured on the local Debian base: 482 MB in all, of which 191 MB is the base and 291 MB the
# virtualenv (90 MB of it compiled bytecode). The Airbyte base is bigger (it ships tesseract,
# poppler and poetry), so the bound is on what this Dockerfile adds to its base.
MAX_ADDED_MB = 400
CATALOG = ROOT / "integration_tests" / "configured_catalog.json"
# Must not be in the image: build tools, uv, and the dev/notebook extras.
ABSENT_COMMANDS = ("gcc", "cc", "g++", "make", "uv")
ABSENT_MODULES = (
    "pip",
    "pytest",
    "_pytest",
    "ruff",
    "mypy",
    "requests_mock",
    "freezegun",
    "airbyte",
    "matplotlib",
    "nbclient",
    "ipykernel",
    "hatchling",
    "uv",
)
CACHE_DIRS = ("/root/.cache", "/home/airbyte/.cache", "/build", "/opt/uv")


@pytest.fixture(scope="session")
def image() -> Iterator[Build]:
    reason = engine_unavailable_reason()
    if reason is not None:
        pytest.skip(f"Docker image tests need a Docker engine: {reason}")
    try:
        build = build_image()
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)
    try:
        yield build
    finally:
        remove_containers()


@pytest.fixture(scope="module")
def aha() -> Iterator[AhaEmulator]:
    with AhaEmulator(ideas=300, seed=7, api_key=API_KEY) as server:
        yield server


@pytest.fixture(scope="module")
def metadata() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "metadata.yaml").read_text("utf-8"))["data"]
    return data


@pytest.fixture(scope="module")
def project_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as file:
        version: str = tomllib.load(file)["project"]["version"]
    return version


def records_by_key(run: Run) -> dict[tuple[str, ...], dict[str, Any]]:
    """Each record under its stream and primary key (workflows: product and id)."""
    keyed: dict[tuple[str, ...], dict[str, Any]] = {}
    for message in run.of_type("RECORD"):
        record = message["record"]
        fields = PROMISES[record["stream"]].primary_key
        key = (record["stream"], *(record["data"][field] for field in fields))
        assert key not in keyed, f"{key} was emitted twice"
        keyed[key] = record["data"]
    return keyed


def assert_ok(run: Run) -> None:
    assert run.returncode == 0, run.stderr[-3000:] + json.dumps(run.errors)[:3000]
    assert not run.errors


# The protocol commands ---------------------------------------------------------------------------


def test_spec_is_the_installed_clis_spec(image, tmp_path):
    in_image = run_container("spec")
    assert_ok(in_image)
    installed = run_source("spec", tmp_path)
    assert_ok(installed)
    (spec,) = in_image.of_type("SPEC")
    assert spec == installed.of_type("SPEC")[0]


def test_check_against_the_emulator_succeeds(image, aha):
    run = run_container("check", files={"config": emulator_config(aha)})
    assert_ok(run)
    assert run.connection_status["status"] == "SUCCEEDED"


def test_check_with_a_wrong_key_fails(image, aha):
    run = run_container("check", files={"config": emulator_config(aha, api_key="wrong-key")})
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.connection_status["status"] == "FAILED"
    assert "api_key" in run.connection_status["message"]
    assert "wrong-key" not in run.stdout + run.stderr


def test_discover_lists_every_stream_as_the_installed_cli_does(image, aha, tmp_path):
    config = emulator_config(aha)
    run = run_container("discover", files={"config": config})
    assert_ok(run)
    assert sorted(stream["name"] for stream in run.catalog["streams"]) == sorted(EVERY_STREAM)
    assert run.catalog == run_source("discover", tmp_path, config=config).catalog


def test_read_emits_the_installed_clis_records(image, aha, tmp_path):
    config = emulator_config(aha)
    catalog = json.loads(CATALOG.read_text("utf-8"))
    in_image = run_container("read", files={"config": config, "catalog": catalog})
    assert_ok(in_image)
    installed = run_source("read", tmp_path, config=config, catalog=catalog)
    assert_ok(installed)

    assert set(in_image.record_counts()) == set(EVERY_STREAM)
    assert all(count > 0 for count in in_image.record_counts().values())
    got, want = records_by_key(in_image), records_by_key(installed)
    assert sorted(set(want) - set(got)) == [], "missing in the image's read"
    assert sorted(set(got) - set(want)) == [], "extra in the image's read"
    assert [key for key in want if got[key] != want[key]][:5] == []
    assert {state["stream"]["stream_descriptor"]["name"] for state in in_image.final_state()} == {
        state["stream"]["stream_descriptor"]["name"] for state in installed.final_state()
    }


# The image itself --------------------------------------------------------------------------------


def test_image_runs_as_a_non_root_user(image):
    run = run_container("-u", entrypoint="id")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().isdigit()
    assert int(run.stdout) != 0


def test_airbyte_entrypoint_is_the_entrypoint_and_runs(image):
    details = inspect_image()
    entrypoint = " ".join(details["Config"]["Entrypoint"])
    assert environment_of(details)["AIRBYTE_ENTRYPOINT"] == entrypoint == "source-aha"
    # The platform runs `$AIRBYTE_ENTRYPOINT <command>` in a shell.
    run = run_container(
        "-c", entrypoint="sh", extra_args=['exec $AIRBYTE_ENTRYPOINT "$@"', "sh", "spec"]
    )
    assert_ok(run)
    assert len(run.of_type("SPEC")) == 1


def test_labels_and_installed_version_match_metadata_and_pyproject(
    image, metadata, project_version
):
    labels = inspect_image()["Config"]["Labels"]
    assert labels["io.airbyte.name"] == metadata["dockerRepository"]
    assert labels["io.airbyte.version"] == metadata["dockerImageTag"] == project_version
    run = run_container(
        "-c",
        entrypoint="python",
        extra_args=["import importlib.metadata as m; print(m.version('airbyte-source-aha'))"],
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == project_version


def test_image_holds_no_build_tools_test_dependencies_or_caches(image):
    script = f"""
for tool in {" ".join(ABSENT_COMMANDS)}; do
    command -v "$tool" >/dev/null && echo "command: $tool"
done
for dir in {" ".join(CACHE_DIRS)}; do [ -e "$dir" ] && echo "path: $dir"; done
find / -xdev -type d \\( -path '*/.cache/pip' -o -path '*/.cache/uv' \\) -print
true
"""
    run = run_container("-c", entrypoint="sh", user="root", extra_args=[script])
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == ""
    modules = run_container(
        "-c",
        entrypoint="python",
        extra_args=[
            "import importlib.util as u; "
            f"print(sorted(m for m in {list(ABSENT_MODULES)!r} if u.find_spec(m)))"
        ],
    )
    assert modules.returncode == 0, modules.stderr
    assert modules.stdout.strip() == "[]"


def test_image_size_is_reported_and_bounded(image, record_property, capsys):
    size_mb = inspect_image()["Size"] / 1_000_000
    base_mb = inspect_image(image.base_image)["Size"] / 1_000_000
    record_property("image_size_mb", round(size_mb, 1))
    record_property("base_image_size_mb", round(base_mb, 1))
    record_property("build_seconds", round(image.seconds, 1))
    with capsys.disabled():
        print(
            f"\n[docker] {IMAGE}: {size_mb:.0f} MB ({size_mb - base_mb:.0f} MB on top of "
            f"{image.base_image}, {base_mb:.0f} MB); build took {image.seconds:.1f} s"
        )
    assert size_mb - base_mb < MAX_ADDED_MB
