"""The checks of the --config, --catalog and --state files, before any request is sent.

The CDK validates a config against the spec too, but only after the source is constructed (a
bad `max_requests_per_minute` can fail first), and its messages quote the pattern instead of
naming the setting. These checks name the key, say what a good value looks like (in the spec's
words), and never echo the file's content (a config holds the API key). Each failure is an
`AirbyteTracedException` config error, which the entry point reports as Airbyte expects.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
from airbyte_cdk.models import (
    AirbyteStateMessage,
    AirbyteStateMessageSerializer,
    ConfiguredAirbyteCatalog,
    ConfiguredAirbyteCatalogSerializer,
    FailureType,
)
from airbyte_cdk.utils.traced_exception import AirbyteTracedException
from airbyte_cdk.utils.yaml_loader import safe_load_yaml

_PACKAGED = Path(__file__).parent / "manifest.yaml"
# A wheel carries the manifest inside the package; an editable install reads the repository's.
MANIFEST_PATH = _PACKAGED if _PACKAGED.exists() else Path(__file__).parent.parent / "manifest.yaml"


def config_error(message: str) -> AirbyteTracedException:
    return AirbyteTracedException(
        message=message, internal_message=message, failure_type=FailureType.config_error
    )


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


def read_state(path: str) -> tuple[list[AirbyteStateMessage], str | None]:
    """The state file's messages (legacy layouts converted), and a note when it was converted."""
    raw = read_file("state", path)
    messages, problems = normalize_state(raw, stream_names())
    if problems:
        raise config_error(f"Could not use the state file {path}: " + " ".join(problems))
    try:
        state = [AirbyteStateMessageSerializer.load(message) for message in messages]
    except Exception:
        raise config_error(
            f"Could not use the state file {path}: a message is not an Airbyte state message."
        ) from None
    legacy = not isinstance(raw, list) or any(
        isinstance(m, Mapping) and m.get("type") == "LEGACY" for m in raw
    )
    if not (legacy and messages):
        return state, None
    names = ", ".join(m["stream"]["stream_descriptor"]["name"] for m in messages)
    return state, (
        "The state file has the legacy {stream: state} layout; read it as per-stream state for "
        f"{names}."
    )


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
    """The names of the streams the manifest defines (each stream definition has a `name`)."""
    definitions: Mapping[str, Any] = _manifest()["definitions"]
    return {d["name"] for d in definitions.values() if isinstance(d, Mapping) and "name" in d}


def cursor_formats() -> list[str]:
    """The formats the manifest's cursor accepts for `updated_at` (in state and in records)."""
    cursor = _manifest()["definitions"]["cursor"]
    return [cursor["datetime_format"], *cursor.get("cursor_datetime_formats", [])]


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


def config_errors(config: object, now: datetime | None = None) -> list[str]:
    """Every problem with `config`, one sentence each naming the key; empty when it is valid."""
    if not isinstance(config, Mapping):
        return ["The config must be a JSON object."]
    spec = connection_specification()
    known = set(spec["properties"])
    errors: list[str] = []
    for key in sorted(k for k in config if k not in known and not str(k).startswith("__")):
        errors.append(f"Unknown config key `{key}`; known keys: {', '.join(sorted(known))}.")
    for missing in sorted(k for k in spec["required"] if k not in config):
        errors.append(f"`{missing}` is required. {hint(missing)}")
    validator = jsonschema.Draft7Validator(spec)
    bad_keys = {
        str(error.path[0])
        for error in validator.iter_errors(dict(config))
        if error.path and str(error.path[0]) in known
    }
    errors.extend(f"`{key}` is invalid. {hint(key)}" for key in sorted(bad_keys))
    base_url = config.get("base_url")
    if "base_url" not in bad_keys and isinstance(base_url, str):
        try:
            port = urlsplit(base_url).port
        except ValueError:
            port = -1
        if port is not None and not 1 <= port <= 65535:
            errors.append("`base_url` has a port outside 1-65535.")
    start = config.get("start_date")
    if "start_date" not in bad_keys and isinstance(start, str):
        try:
            moment = datetime.strptime(start, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        except ValueError:
            errors.append(f"`start_date` {start} is not a real date and time.")
        else:
            if moment > (now or datetime.now(timezone.utc)):
                errors.append(f"`start_date` {start} is in the future; nothing would be read.")
    query, alias = config.get("ideas_q"), config.get("q")
    if query and alias and query != alias:
        errors.append("`ideas_q` and its alias `q` are both set, to different texts; keep one.")
    return errors


# State ------------------------------------------------------------------------------------------

STATE_EXAMPLE = (
    '[{"type": "STREAM", "stream": {"stream_descriptor": {"name": "ideas"}, '
    '"stream_state": {"updated_at": "2024-01-01T00:00:00.000000Z"}}}]'
)


def _stream_message(name: str, stream_state: object) -> dict[str, Any]:
    return {
        "type": "STREAM",
        "stream": {"stream_descriptor": {"name": name}, "stream_state": stream_state},
    }


def normalize_state(
    raw: object, streams: Collection[str]
) -> tuple[list[dict[str, Any]], list[str]]:
    """Returns the state file's content as a list of state messages, and what is wrong with it.

    Airbyte sends a list of per-stream STATE messages. Two older layouts are converted: the legacy
    object `{"<stream>": {...}, ...}` (what Airbyte stored before per-stream state) and a LEGACY
    message carrying that object in `data`. Anything else that is not a list is rejected.
    """
    if raw is None or raw == {} or raw == []:
        return [], []
    if isinstance(raw, Mapping) and not {"type", "stream", "global", "data"} & set(raw):
        raw = [{"type": "LEGACY", "data": raw}]
    elif isinstance(raw, Mapping):
        raw = [raw]
    if not isinstance(raw, list):
        return [], [f"The state must be a JSON list of state messages such as {STATE_EXAMPLE}."]
    messages: list[dict[str, Any]] = []
    for index, message in enumerate(raw):
        if not isinstance(message, Mapping):
            return [], [
                f"State message {index + 1} is not a JSON object; the state must be a list of "
                f"state messages such as {STATE_EXAMPLE}."
            ]
        legacy = message.get("data")
        if message.get("type", "LEGACY") == "LEGACY" and isinstance(legacy, Mapping):
            unknown = sorted(str(k) for k in legacy if k not in streams)
            if unknown or not all(isinstance(v, Mapping) for v in legacy.values()):
                return [], [
                    "The state is an object, not a list of state messages, and is not the legacy "
                    "`{stream: state}` layout either"
                    + (f" (unknown streams: {', '.join(unknown)})" if unknown else "")
                    + f". Expected a list such as {STATE_EXAMPLE}."
                ]
            messages.extend(_stream_message(name, dict(blob)) for name, blob in legacy.items())
        else:
            messages.append(dict(message))
    return messages, [problem for message in messages for problem in _cursor_problems(message)]


def _cursor_problems(message: Mapping[str, Any]) -> Iterator[str]:
    """Every `updated_at` in a stream's state that the cursor could not parse."""
    per_stream = []
    stream = message.get("stream")
    if isinstance(stream, Mapping):
        per_stream.append(stream)
    global_ = message.get("global")
    if isinstance(global_, Mapping):
        per_stream.extend(s for s in global_.get("stream_states") or [] if isinstance(s, Mapping))
    for entry in per_stream:
        descriptor = entry.get("stream_descriptor")
        name = descriptor.get("name") if isinstance(descriptor, Mapping) else None
        for path, value in _cursor_values(entry.get("stream_state"), "stream_state"):
            if not _is_timestamp(value):
                shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
                yield (
                    f"The state of stream `{name}` has {path} = {shown}, which is not a UTC "
                    "timestamp such as 2024-01-01T00:00:00.000000Z. Correct it, or reset the "
                    "stream to read it again from `start_date`."
                )


def _cursor_values(blob: object, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(blob, Mapping):
        for key, value in blob.items():
            if key == "updated_at":
                yield f"{path}.{key}", value
            else:
                yield from _cursor_values(value, f"{path}.{key}")
    elif isinstance(blob, list):
        for index, value in enumerate(blob):
            yield from _cursor_values(value, f"{path}[{index}]")


def _is_timestamp(value: object) -> bool:
    if not isinstance(value, str):
        return False
    for fmt in cursor_formats():
        try:
            datetime.strptime(value, fmt).replace(tzinfo=timezone.utc)
        except ValueError:
            continue
        return True
    return False
