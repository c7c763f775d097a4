"""Configured catalogs built from the promise table, in the shape Airbyte sends them.

`python -m testkit.catalog` writes `integration_tests/configured_catalog.json` (the catalog the
acceptance tests and the Docker test read): every stream, incremental where it is offered.
A unit test checks that the committed file is what this module writes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from testkit.streams import EVERY_STREAM, IDEA_STREAMS, PROMISES

SHIPPED_CATALOG = (
    Path(__file__).resolve().parent.parent / "integration_tests" / "configured_catalog.json"
)


def configured_stream(name: str, sync_mode: str = "incremental") -> dict[str, Any]:
    """One stream, read in `sync_mode` when it offers it and in full refresh otherwise."""
    promise = PROMISES[name]
    incremental = sync_mode == "incremental" and promise.incremental
    stream: dict[str, Any] = {
        "name": name,
        "json_schema": {},
        "supported_sync_modes": list(promise.sync_modes),
        "source_defined_cursor": promise.cursor is not None,
        "source_defined_primary_key": [[key] for key in promise.primary_key],
    }
    entry: dict[str, Any] = {
        "stream": stream,
        "sync_mode": "incremental" if incremental else "full_refresh",
        "destination_sync_mode": "append_dedup" if incremental else "overwrite",
        "primary_key": [[key] for key in promise.primary_key],
    }
    if promise.cursor is not None:
        stream["default_cursor_field"] = [promise.cursor]
        entry["cursor_field"] = [promise.cursor]
    return entry


def configured_catalog(
    streams: Sequence[str] = IDEA_STREAMS, sync_mode: str = "incremental"
) -> dict[str, Any]:
    """A configured catalog of `streams`, each incremental where offered unless `sync_mode` is
    `full_refresh`."""
    return {"streams": [configured_stream(name, sync_mode) for name in streams]}


def shipped_catalog_text() -> str:
    """What `integration_tests/configured_catalog.json` holds: every stream."""
    return json.dumps(configured_catalog(EVERY_STREAM), indent=2) + "\n"


if __name__ == "__main__":
    SHIPPED_CATALOG.write_text(shipped_catalog_text(), encoding="utf-8")
