"""`metadata.yaml` is what the Airbyte registry and `airbyte-cdk image build` read: its required
fields are present, it has the manifest-only form of Airbyte's own low-code connectors (base image
`source-declarative-manifest` pinned by digest, tag `language:manifest-only`, a
`maxSecondsBetweenMessages`), and its version agrees with `pyproject.toml` and the `Dockerfile`.

The `Dockerfile` builds a different image on purpose: the pip package on `python-connector-base`,
for self-managed installs. Airbyte builds a manifest-only connector from the metadata's base image
plus `manifest.yaml` and `components.py`, so the two base images are not expected to agree."""

from __future__ import annotations

import re
import shlex
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

_ROOT = Path(__file__).resolve().parent.parent
_OFFICIAL_DEFINITION_ID = "81ca39dc-4534-4dd2-b848-b0cfd2c11fce"
_SEMVER = re.compile(r"^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$")
_PINNED_IMAGE = re.compile(r"^[\w.-]+(?::\d+)?/[\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}$")
_SDM_IMAGE = re.compile(
    r"^docker\.io/airbyte/source-declarative-manifest:(\d+)\.(\d+)\.(\d+)@sha256:[0-9a-f]{64}$"
)
_PYTHON_BASE_IMAGE = re.compile(
    r"^docker\.io/airbyte/python-connector-base:\d+\.\d+\.\d+@sha256:[0-9a-f]{64}$"
)
# ConcurrentPerPartitionCursor emits a per-idea stream's state at most every 600 s; a fan-out
# over ideas without child rows sends nothing else, so a shorter limit would fail such syncs.
_CDK_STATE_THROTTLE_SECONDS = 600


@pytest.fixture(scope="module")
def metadata() -> dict[str, Any]:
    document = yaml.safe_load((_ROOT / "metadata.yaml").read_text(encoding="utf-8"))
    assert document["metadataSpecVersion"] == "1.0"
    data: dict[str, Any] = document["data"]
    return data


@pytest.fixture(scope="module")
def project() -> dict[str, Any]:
    with (_ROOT / "pyproject.toml").open("rb") as file:
        project: dict[str, Any] = tomllib.load(file)["project"]
    return project


@pytest.fixture(scope="module")
def locked_cdk_version() -> tuple[int, ...]:
    with (_ROOT / "uv.lock").open("rb") as file:
        packages = tomllib.load(file)["package"]
    (version,) = [package["version"] for package in packages if package["name"] == "airbyte-cdk"]
    return tuple(int(part) for part in version.split("."))


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    path = _ROOT / "Dockerfile"
    assert path.exists(), "the Dockerfile is missing: the image version and base come from it"
    return dockerfile_instructions(path.read_text(encoding="utf-8"))


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with comments dropped and `\\` continuations joined."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        keyword, _, arguments = line.partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def dockerfile_labels(instructions: list[tuple[str, str]]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for keyword, arguments in instructions:
        if keyword == "LABEL":
            for pair in shlex.split(arguments):
                key, _, value = pair.partition("=")
                labels[key] = value
    return labels


def dockerfile_arg_defaults(instructions: list[tuple[str, str]]) -> dict[str, str]:
    defaults: dict[str, str] = {}
    for keyword, arguments in instructions:
        if keyword == "ARG":
            (declaration,) = shlex.split(arguments)
            name, _, value = declaration.partition("=")
            defaults.setdefault(name, value)
    return defaults


# metadata.yaml on its own -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "name",
        "definitionId",
        "connectorType",
        "connectorSubtype",
        "dockerRepository",
        "dockerImageTag",
        "documentationUrl",
        "githubIssueLabel",
        "license",
        "releaseStage",
        "supportLevel",
        "tags",
        "allowedHosts",
        "connectorBuildOptions",
        "maxSecondsBetweenMessages",
        "registryOverrides",
    ],
)
def test_given_metadata_then_required_field_is_set(metadata, key):
    assert metadata.get(key) not in (None, "", [], {})


def test_given_metadata_then_definition_id_is_our_own_uuid(metadata):
    definition_id = metadata["definitionId"]
    assert str(uuid.UUID(definition_id)) == definition_id
    assert definition_id != _OFFICIAL_DEFINITION_ID


def test_given_metadata_then_it_describes_an_api_source_image(metadata):
    assert metadata["connectorType"] == "source"
    assert metadata["connectorSubtype"] == "api"
    assert metadata["dockerRepository"].endswith("/source-aha")
    assert _SEMVER.match(metadata["dockerImageTag"])
    assert metadata["documentationUrl"].startswith("https://")
    assert metadata["releaseStage"] in {"alpha", "beta", "generally_available", "custom"}
    assert metadata["supportLevel"] in {"community", "certified", "archived"}


def test_given_metadata_then_tags_say_manifest_only_built_on_low_code(metadata):
    # `language:` picks how Airbyte builds and tests the connector: from the manifest and the
    # components on source-declarative-manifest, as for its own source-gitlab.
    assert {"language:manifest-only", "cdk:low-code"} <= set(metadata["tags"])
    assert "language:python" not in metadata["tags"]


def test_given_metadata_then_only_the_account_host_is_allowed(metadata):
    assert "${subdomain}.aha.io" in metadata["allowedHosts"]["hosts"]
    manifest = yaml.safe_load((_ROOT / "manifest.yaml").read_text(encoding="utf-8"))
    # The placeholder is filled from the config, so the spec must have that key.
    assert "subdomain" in manifest["spec"]["connection_specification"]["properties"]


def test_given_metadata_then_base_image_is_pinned_by_digest(metadata):
    assert _PINNED_IMAGE.match(metadata["connectorBuildOptions"]["baseImage"])


def test_given_metadata_then_base_image_is_source_declarative_manifest_of_the_locked_cdk_major(
    metadata, locked_cdk_version
):
    match = _SDM_IMAGE.match(metadata["connectorBuildOptions"]["baseImage"])
    assert match is not None, metadata["connectorBuildOptions"]["baseImage"]
    version = tuple(int(part) for part in match.groups())
    # Same major as the CDK the package is locked to, and no newer than it.
    assert version[0] == locked_cdk_version[0]
    assert version <= locked_cdk_version


def test_given_metadata_then_max_seconds_between_messages_outlasts_the_cdk_state_throttle(
    metadata,
):
    seconds = metadata["maxSecondsBetweenMessages"]
    assert isinstance(seconds, int)
    assert not isinstance(seconds, bool)
    assert seconds > 0
    assert seconds > _CDK_STATE_THROTTLE_SECONDS


def test_given_metadata_then_registry_overrides_enable_cloud_and_oss(metadata):
    overrides = metadata["registryOverrides"]
    assert overrides["cloud"]["enabled"] is True
    assert overrides["oss"]["enabled"] is True


# Agreement with pyproject.toml and the Dockerfile ----------------------------------------------


def test_given_pyproject_then_image_tag_is_the_package_version(metadata, project):
    assert metadata["dockerImageTag"] == project["version"]


def test_given_pyproject_then_license_agrees(metadata, project):
    assert metadata["license"] == project["license"]


def test_given_dockerfile_then_version_label_is_the_image_tag(metadata, dockerfile):
    labels = dockerfile_labels(dockerfile)
    assert labels.get("io.airbyte.version") == metadata["dockerImageTag"]
    if "io.airbyte.name" in labels:
        assert labels["io.airbyte.name"] == metadata["dockerRepository"]


def test_given_dockerfile_then_base_image_default_is_a_pinned_python_connector_base(
    metadata, dockerfile
):
    # The Dockerfile installs the pip package, so it needs a Python base, not the metadata's
    # source-declarative-manifest (which Airbyte's manifest-only build uses): the two differ by
    # design, and each is pinned by digest.
    defaults = dockerfile_arg_defaults(dockerfile)
    assert _PYTHON_BASE_IMAGE.match(defaults.get("BASE_IMAGE", "")), defaults.get("BASE_IMAGE")
    assert defaults["BASE_IMAGE"] != metadata["connectorBuildOptions"]["baseImage"]
    first_from = next(arguments for keyword, arguments in dockerfile if keyword == "FROM")
    assert first_from.split()[0] in {"${BASE_IMAGE}", "$BASE_IMAGE"}


@pytest.mark.parametrize(
    ("text", "labels", "defaults"),
    [
        pytest.param(
            "ARG BASE_IMAGE=img:1@sha256:ab\nFROM ${BASE_IMAGE}\n"
            'LABEL io.airbyte.version="0.1.0"\n',
            {"io.airbyte.version": "0.1.0"},
            {"BASE_IMAGE": "img:1@sha256:ab"},
            id="one_per_line_quoted",
        ),
        pytest.param(
            '# base\nARG BASE_IMAGE="img:1"\nFROM $BASE_IMAGE AS build\n'
            "LABEL io.airbyte.name=airbyte/source-aha \\\n      io.airbyte.version=0.2.0\n",
            {"io.airbyte.name": "airbyte/source-aha", "io.airbyte.version": "0.2.0"},
            {"BASE_IMAGE": "img:1"},
            id="continued_label_line",
        ),
    ],
)
def test_given_dockerfile_text_then_labels_and_arg_defaults_are_parsed(text, labels, defaults):
    instructions = dockerfile_instructions(text)
    assert dockerfile_labels(instructions) == labels
    assert dockerfile_arg_defaults(instructions) == defaults
