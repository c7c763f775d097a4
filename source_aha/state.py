"""The --state file: Airbyte's per-stream state messages, with two older layouts converted.

Airbyte sends a list of per-stream STATE messages; Airbyte before per-stream state stored one
`{stream: state}` object, which is converted (with a warning) instead of failing the sync. (A
saved `updated_at` the cursor cannot parse is refused by the manifest's `CursorCheck`, on every
launcher.)
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from airbyte_cdk.models import AirbyteStateMessage, AirbyteStateMessageSerializer

from source_aha.components import config_error
from source_aha.config import read_file, stream_names


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
    return messages, []
