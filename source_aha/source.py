"""`SourceAha`: the declarative manifest, with its custom components importable by their
Builder-style name `source_declarative_manifest.components`."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from airbyte_cdk.models import AirbyteStateMessage, ConfiguredAirbyteCatalog
from airbyte_cdk.sources.declarative.yaml_declarative_source import YamlDeclarativeSource

from source_aha import components
from source_aha.interpreter import serialize_literal_eval
from source_aha.partition_memory import bound_partition_memory

# The CDK's worker threads evaluate templates with `ast.literal_eval`, which races on Python
# before 3.11.8 (see `interpreter`).
serialize_literal_eval()
# What the CDK keeps per partition stays bounded (see `partition_memory`).
bound_partition_memory()
# The manifest names components as the Connector Builder and source-declarative-manifest load
# them; this alias makes the same names resolve to this package.
sys.modules.setdefault("source_declarative_manifest.components", components)

_PACKAGED = Path(__file__).parent / "manifest.yaml"
# A wheel carries the manifest inside the package; an editable install reads the repository's.
MANIFEST_PATH = _PACKAGED if _PACKAGED.exists() else Path(__file__).parent.parent / "manifest.yaml"


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
