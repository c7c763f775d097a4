"""Reading the --config and --catalog files (the --state file: `state`), and the manifest facts
the launcher needs to check them: each unusable file is one config error naming the file and why,
never quoting its content (a config holds the API key).

A config is checked by the manifest on every launcher (its spec's schema, then `ConfigChecks`).
`config_errors` applies the same rules before the source is built, in words that name each
setting, until the manifest path says them as well.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from airbyte_cdk.models import ConfiguredAirbyteCatalog, ConfiguredAirbyteCatalogSerializer
from airbyte_cdk.utils.traced_exception import AirbyteTracedException
from airbyte_cdk.utils.yaml_loader import safe_load_yaml

from source_aha.components import config_error, config_problems

_PACKAGED = Path(__file__).parent / "manifest.yaml"
# A wheel carries the manifest inside the package; an editable install reads the repository's.
MANIFEST_PATH = _PACKAGED if _PACKAGED.exists() else Path(__file__).parent.parent / "manifest.yaml"


def _reason(error: Exception) -> str:
    """Why a file could not be used, without quoting its content."""
    if isinstance(error, json.JSONDecodeError):
        return f"it is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
    reasons = {
        FileNotFoundError: "it does not exist",
        IsADirectoryError: "it is a directory",
        PermissionError: "permission denied",
        UnicodeDecodeError: "it is not UTF-8 text",
    }
    return next((r for kind, r in reasons.items() if isinstance(error, kind)), type(error).__name__)


def read_file(kind: str, path: str) -> object:
    """The JSON content of the --`kind` file."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except Exception as error:
        raise config_error(f"Could not read the {kind} file {path} ({_reason(error)}).") from None


def read_catalog(path: str) -> ConfiguredAirbyteCatalog:
    try:
        return ConfiguredAirbyteCatalogSerializer.load(read_file("catalog", path))
    except AirbyteTracedException:
        raise
    except Exception:
        raise config_error(
            f"Could not read the catalog file {path} (it is not a configured Airbyte catalog: "
            'an object with a "streams" list).'
        ) from None


@cache
def _manifest() -> Mapping[str, Any]:
    # The CDK's loader (libyaml when available, as the source itself parses it): 0.02 s, not 0.11.
    manifest: Mapping[str, Any] = safe_load_yaml(MANIFEST_PATH.read_text(encoding="utf-8"))
    return manifest


def connection_specification() -> Mapping[str, Any]:
    """The spec's JSON schema, read from the manifest without building the source."""
    spec: Mapping[str, Any] = _manifest()["spec"]["connection_specification"]
    return spec


def stream_names() -> set[str]:
    """The names of the streams the manifest defines (each in its `$parameters.name`)."""
    definitions: Mapping[str, Any] = _manifest()["definitions"]
    parameters = (d.get("$parameters", {}) for d in definitions.values() if isinstance(d, Mapping))
    return {p["name"] for p in parameters if "name" in p}


def hint(key: str) -> str:
    """What a good value of `key` looks like, in the spec's own words (title, description,
    examples and range), so the manifest's spec is the one place a setting is described."""
    field = connection_specification()["properties"][key]
    text = f"{field.get('title', key)}: {' '.join(field.get('description', '').split())}"
    if field.get("examples"):
        text += " For example: " + ", ".join(f"`{example}`" for example in field["examples"]) + "."
    if "maximum" in field:
        text += f" A whole number from {field.get('minimum', 0)} to {field['maximum']}."
    elif "minimum" in field:
        text += f" A whole number of at least {field['minimum']}."
    return text


def _invalid(key: str, value: object) -> str:
    if isinstance(value, str) and value.strip() and value != value.strip():
        return f"`{key}` starts or ends with a space or line break; remove it. {hint(key)}"
    return f"`{key}` is invalid. {hint(key)}"


def config_errors(config: object) -> list[str]:
    """Every problem with `config`, one sentence each naming the key; empty when it is valid.

    The same rules as every launcher's (the spec's JSON schema, then the manifest's
    `ConfigChecks`), said before the source is built: the CDK's schema check quotes the pattern
    instead of naming the setting."""
    if not isinstance(config, Mapping):
        return ["The config must be a JSON object."]
    spec = connection_specification()
    settings: Mapping[str, Any] = spec["properties"]
    known = set(settings)
    errors = [
        f"`{missing}` is required. {hint(missing)}"
        for missing in sorted(spec["required"])
        if missing not in config
    ]
    validator = jsonschema.Draft7Validator(spec)
    bad_keys = {
        str(error.path[0])
        for error in validator.iter_errors(dict(config))
        if error.path and str(error.path[0]) in known
    }
    errors.extend(_invalid(key, config[key]) for key in sorted(bad_keys))
    checked = {key: value for key, value in config.items() if key not in bad_keys}
    return errors + config_problems(checked, settings)
