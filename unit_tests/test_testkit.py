"""The shared test support agrees with what it describes: the shipped configured catalog is the
one `testkit.catalog` writes, and every endpoint the manifest names can be filled in."""

from __future__ import annotations

from string import Formatter

import pytest

from testkit.catalog import SHIPPED_CATALOG, shipped_catalog_text
from testkit.resources import resources
from testkit.streams import PROMISES


def test_shipped_configured_catalog_is_generated_from_the_promise_table() -> None:
    # After adding a stream: `python -m testkit.catalog` rewrites the file.
    assert SHIPPED_CATALOG.read_text(encoding="utf-8") == shipped_catalog_text()


def test_every_promised_stream_has_a_manifest_definition_and_no_other() -> None:
    assert {resource.stream for resource in resources().values()} == set(PROMISES)


@pytest.mark.parametrize("definition", sorted(resources()))
def test_endpoint_placeholders_are_the_partition_field(definition: str) -> None:
    resource = resources()[definition]
    placeholders = {name for _, name, _, _ in Formatter().parse(resource.endpoint) if name}
    assert placeholders == ({resource.partition_field} if resource.partition_field else set())
