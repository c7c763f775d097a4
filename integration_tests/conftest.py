"""Fixtures for the end-to-end tests: a local Aha! emulator per test, and live-account mode.

Live mode: when `secrets/config.json` exists, the tests marked `live` also run against that real
Aha! account; otherwise they are skipped and say why.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aha_emulator import AhaEmulator
from testkit.resources import of_stream

ROOT = Path(__file__).resolve().parent.parent
LIVE_CONFIG = ROOT / "secrets" / "config.json"
API_KEY = "test-api-key"


def emulator_config(emulator: AhaEmulator, **overrides: Any) -> dict[str, Any]:
    """A valid config pointing at `emulator`, with a budget that does not slow tests down."""
    config: dict[str, Any] = {
        "api_key": emulator.api_key,
        "subdomain": "company",
        "base_url": emulator.url,
        "max_requests_per_minute": 100_000,
        "num_workers": 4,
    }
    config.update(overrides)
    return {k: v for k, v in config.items() if v is not None}


def manifest_request_fields(stream: str) -> list[str]:
    """The `fields=` list the manifest asks Aha! for, so ground truth is projected the same way."""
    return of_stream(stream).fields


@pytest.fixture
def emulator() -> Iterator[AhaEmulator]:
    with AhaEmulator(ideas=300, seed=7, api_key=API_KEY) as server:
        yield server


@pytest.fixture(scope="module")
def live_config() -> dict[str, Any]:
    if not LIVE_CONFIG.exists():
        pytest.skip("live Aha! tests need secrets/config.json (not present): skipped")
    config: dict[str, Any] = json.loads(LIVE_CONFIG.read_text(encoding="utf-8"))
    return config


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The standard suite's own image tests build with `docker buildx` from Airbyte's registry
    templates and compare the spec with the public registry: neither is reachable here, and no
    request may leave this machine. `test_docker.py` builds and runs our image instead.

    On pytest-xdist workers the `slow` tests come first (every worker sorts the same way), so the
    longest test starts at once instead of being the last one still running."""
    skip = pytest.mark.skip(
        reason="standard-suite image tests need docker buildx and connectors.airbyte.com; "
        "integration_tests/test_docker.py tests the image"
    )
    for item in items:
        if "image_tests" in item.keywords:
            item.add_marker(skip)
    if hasattr(config, "workerinput"):
        items.sort(key=lambda item: item.get_closest_marker("slow") is None)
