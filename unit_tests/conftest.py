"""Shared helpers: build the source the CDK-7 way and read it, and make waits instant.

`get_source()` hands config, catalog and state to the constructor (on CDK 7 the declarative
engine builds its streams and cursors there). The autouse `no_sleep` fixture replaces
`time.sleep`, so 429 and 5xx retries, and the API budget, cost no wall time while `max_retries`
stays as in the manifest. When a test runs under freezegun, a "sleep" advances the frozen clock
instead, so time-based logic (the budget's moving window) still sees the time pass.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import freezegun.api
import pytest
from airbyte_cdk.models import AirbyteStateMessage, ConfiguredAirbyteCatalog, SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput, read
from airbyte_cdk.test.models import ExpectedOutcome

from source_aha import SourceAha

_REAL_SLEEP = time.sleep


def get_source(
    config: Mapping[str, Any],
    catalog: ConfiguredAirbyteCatalog | None = None,
    state: list[AirbyteStateMessage] | None = None,
) -> SourceAha:
    return SourceAha(config=config, catalog=catalog, state=state)


def catalog_for(stream_name: str, sync_mode: SyncMode) -> ConfiguredAirbyteCatalog:
    return CatalogBuilder().with_stream(stream_name, sync_mode).build()


def read_stream(
    stream_name: str,
    sync_mode: SyncMode,
    config: Mapping[str, Any],
    state: list[AirbyteStateMessage] | None = None,
    expecting_exception: bool = False,
) -> EntrypointOutput:
    """Reads one stream through the real entry point (`read --config --catalog [--state]`)."""
    catalog = catalog_for(stream_name, sync_mode)
    return read(
        get_source(config, catalog, state),
        config,
        catalog,
        state,
        expected_outcome=ExpectedOutcome.EXPECT_EXCEPTION
        if expecting_exception
        else ExpectedOutcome.EXPECT_SUCCESS,
    )


def _fake_sleep(seconds: float) -> None:
    if freezegun.api.freeze_factories and seconds > 0:
        freezegun.api.freeze_factories[-1].tick(seconds)
    # Yield the GIL briefly so polling loops in worker threads do not spin.
    _REAL_SLEEP(0.0005)


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "sleep", _fake_sleep)
