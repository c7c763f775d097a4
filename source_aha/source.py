"""`SourceAha`: the declarative manifest, with its custom components importable by their
Builder-style name `source_declarative_manifest.components`."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator, Mapping, MutableMapping
from copy import deepcopy
from typing import Any

from airbyte_cdk.models import AirbyteMessage, AirbyteStateMessage, ConfiguredAirbyteCatalog
from airbyte_cdk.sources.declarative.models.declarative_component_schema import (
    DeclarativeStream as DeclarativeStreamModel,
)
from airbyte_cdk.sources.declarative.yaml_declarative_source import YamlDeclarativeSource

from source_aha import components, config
from source_aha.deletes import DeletesLedger
from source_aha.state import read_state as read_state_file

# The manifest names components as the Connector Builder and source-declarative-manifest load
# them; this alias makes the same names resolve to this package. Importing them installs their
# fixes for CDK defects, and `read()` below adds the tombstones they would otherwise go without.
sys.modules.setdefault("source_declarative_manifest.components", components)
components.TOMBSTONES_SENT_BY_PACKAGE = True

MANIFEST_PATH = config.MANIFEST_PATH


class SourceAha(YamlDeclarativeSource):
    """Aha! Ideas source. Config, catalog and state go to the constructor: on CDK 7 the
    concurrent engine builds its streams and cursors there, not in `read()`."""

    def __init__(
        self,
        catalog: ConfiguredAirbyteCatalog | None = None,
        config: Mapping[str, Any] | None = None,
        state: list[AirbyteStateMessage] | None = None,
        config_path: str | None = None,
    ) -> None:
        super().__init__(
            path_to_yaml=str(MANIFEST_PATH),
            catalog=catalog,
            config=config,
            state=state,
            config_path=config_path,
        )

    # The CDK's entry point reads the input files through these; each failure says what is wrong
    # with the file as a config error, and a legacy state is converted.
    @staticmethod
    def read_config(config_path: str) -> MutableMapping[str, Any]:
        content = config.read_file("config", config_path)
        if not isinstance(content, MutableMapping):
            raise config.config_error("Invalid configuration: the config must be a JSON object.")
        return content

    @classmethod
    def read_catalog(cls, catalog_path: str) -> ConfiguredAirbyteCatalog:
        return config.read_catalog(catalog_path)

    @classmethod
    def read_state(cls, state_path: str) -> list[AirbyteStateMessage]:
        return read_state_file(state_path)[0] if state_path else []

    def read(
        self,
        logger: logging.Logger,
        config: Mapping[str, Any],
        catalog: ConfiguredAirbyteCatalog,
        state: list[AirbyteStateMessage] | None = None,
    ) -> Iterator[AirbyteMessage]:
        """The engine's read, with the tombstones of records deleted since the last sync."""
        ledger = DeletesLedger.for_sync(config, catalog, state)
        if ledger is None:
            yield from super().read(logger, config, catalog, state)
            return
        ledger.read(self._destroy_audits)
        yield from ledger.weave(super().read(logger, config, catalog, state))

    def _destroy_audits(self, params: Mapping[str, str]) -> Iterator[Mapping[str, Any]]:
        """Walks `GET /audits` with `params` through the manifest's `destroy_audits` definition,
        built by the source's own factory: its requester, retries, error messages, message
        repository and rate budget are the streams'."""
        definition = deepcopy(self.resolved_manifest["definitions"]["destroy_audits"])
        definition["retriever"]["requester"]["request_parameters"] = dict(params)
        stream = self._constructor.create_component(
            DeclarativeStreamModel, definition, self._config
        )
        for partition in stream.generate_partitions():
            for record in partition.read():
                yield record.data
