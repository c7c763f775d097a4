"""The CDK's standard connector tests (`DeclarativeSourceTestSuite`), against the local emulator.

They load `manifest.yaml` with `components.py` injected, the way the Connector Builder
and `source-declarative-manifest` do, and run the scenarios of `acceptance-test-config.yml`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from airbyte_cdk.test import standard_tests
from airbyte_cdk.test.models import ConnectorTestScenario
from boltons.typeutils import classproperty

from aha_emulator import AhaEmulator
from integration_tests.conftest import ROOT, emulator_config

pytest_plugins = ["airbyte_cdk.test.standard_tests.pytest_hooks"]

# The path `acceptance-test-config.yml` names for the emulator's config. Each process writes its own
# file instead (`get_scenarios` points the scenarios at it): the emulator listens on a port of its
# own, and pytest-xdist workers, or two pytest runs, would otherwise overwrite and unlink one file
# while another process reads it.
ACCEPTANCE_CONFIG_PATH = Path(".tmp/standard_tests/emulator_config.json")
GENERATED_CONFIG = (
    ROOT / ACCEPTANCE_CONFIG_PATH.parent / f"pid-{os.getpid()}" / ACCEPTANCE_CONFIG_PATH.name
)


@pytest.fixture(scope="module", autouse=True)
def emulator_behind_the_acceptance_config() -> Iterator[None]:
    with AhaEmulator(ideas=120, seed=11) as emulator:
        GENERATED_CONFIG.parent.mkdir(parents=True, exist_ok=True)
        GENERATED_CONFIG.write_text(json.dumps(emulator_config(emulator)), encoding="utf-8")
        try:
            yield
        finally:
            GENERATED_CONFIG.unlink(missing_ok=True)
            GENERATED_CONFIG.parent.rmdir()


@pytest.mark.usefixtures("emulator_behind_the_acceptance_config")
class TestAhaStandardSuite(standard_tests.DeclarativeSourceTestSuite):
    """Spec, check, discover and basic read as Airbyte's own suite runs them."""

    @classproperty
    def components_py_path(cls) -> Path | None:  # noqa: N805 - a classproperty
        return ROOT / "components.py"

    @classmethod
    def get_scenarios(cls) -> list[ConnectorTestScenario]:
        """The scenarios of `acceptance-test-config.yml`, the emulator's read from this process's
        own file. The test ids stay as they were (they are the config file's stem)."""
        scenarios = super().get_scenarios()
        if not any(scenario.config_path == ACCEPTANCE_CONFIG_PATH for scenario in scenarios):
            raise ValueError(
                f"no scenario of acceptance-test-config.yml reads {ACCEPTANCE_CONFIG_PATH}"
            )
        return [
            scenario.model_copy(update={"config_path": GENERATED_CONFIG})
            if scenario.config_path == ACCEPTANCE_CONFIG_PATH
            else scenario
            for scenario in scenarios
        ]
