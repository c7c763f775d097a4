"""`SourceAha`: the declarative manifest, with its custom components importable by their
Builder-style name `source_declarative_manifest.components`."""

from __future__ import annotations

import sys
from collections.abc import Mapping, MutableMapping
from typing import Any

from airbyte_cdk.models import AirbyteStateMessage, ConfiguredAirbyteCatalog
from airbyte_cdk.sources.declarative.yaml_declarative_source import YamlDeclarativeSource

from source_aha import components, config
from source_aha.state import read_state as read_state_file

# The manifest names components as the Connector Builder and source-declarative-manifest load
# them; this alias makes the same names resolve to this package. Importing them installs their
# fixes for CDK defects.
sys.modules.setdefault("source_declarative_manifest.components", components)

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
            message = "Invalid configuration: the config must be a JSON object."
            raise components.config_error(message)
        return content

    @classmethod
    def read_catalog(cls, catalog_path: str) -> ConfiguredAirbyteCatalog:
        return config.read_catalog(catalog_path)

    @classmethod
    def read_state(cls, state_path: str) -> list[AirbyteStateMessage]:
        return read_state_file(state_path)[0] if state_path else []
