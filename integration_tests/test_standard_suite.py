"""The CDK's standard connector tests (`DeclarativeSourceTestSuite`), against the local emulator.

They load `manifest.yaml` with `source_aha/components.py` injected, the way the Connector Builder
and `source-declarative-manifest` do, and run the scenarios of `acceptance-test-config.yml`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from airbyte_cdk.test import standard_tests
from boltons.typeutils import classproperty

from aha_emulator import AhaEmulator
from integration_tests.conftest import ROOT, emulator_config

pytest_plugins = ["airbyte_cdk.test.standard_tests.pytest_hooks"]

GENERATED_CONFIG = ROOT / ".tmp" / "standard_tests" / "emulator_config.json"


@pytest.fixture(scope="module", autouse=True)
def emulator_behind_the_acceptance_config() -> Iterator[None]:
    with AhaEmulator(ideas=120, seed=11) as emulator:
        GENERATED_CONFIG.parent.mkdir(parents=True, exist_ok=True)
        GENERATED_CONFIG.write_text(json.dumps(emulator_config(emulator)), encoding="utf-8")
        yield
    GENERATED_CONFIG.unlink()


@pytest.mark.usefixtures("emulator_behind_the_acceptance_config")
class TestAhaStandardSuite(standard_tests.DeclarativeSourceTestSuite):
    """Spec, check, discover and basic read as Airbyte's own suite runs them."""

    @classproperty
    def components_py_path(cls) -> Path | None:  # noqa: N805 - a classproperty
        return ROOT / "source_aha" / "components.py"
