"""Definitions and options as Aha! lists them, and the values each record carries.

Values are drawn from the record's id (no random generator), so adding them changed no other
answer than the ``custom_fields`` lists themselves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..common import JSON, RecordNotFoundError, format_ms, format_seconds
from .records import BY_ID, DEFINITIONS, PREFIX, Definition

if TYPE_CHECKING:
    from ..state import State

DAY_MS = 86_400_000
# Aha! record types by the emulator's record kinds
RECORD_TYPES = {
    "idea": "Ideas::Idea",
    "feature": "Feature",
    "epic": "Epic",
    "initiative": "Initiative",
}


def definition_row(d: Definition) -> JSON:
    return {
        "id": str(d.id),
        "key": d.key,
        "name": d.name,
        "type": PREFIX + d.type,
        "custom_fieldable_type": d.record_type,
        "internal_name": None,
    }


def definitions() -> list[JSON]:
    """``GET /custom_field_definitions``: every definition, no paging."""
    return [definition_row(d) for d in DEFINITIONS]


def options(definition_id: str) -> list[JSON]:
    """``GET /custom_field_definitions/:id/options``: ``text`` the label, ``value`` its id."""
    found = BY_ID.get(int(definition_id)) if definition_id.isdigit() else None
    if found is None:
        raise RecordNotFoundError(definition_id)
    return [
        {"text": text, "value": str(found.id * 100 + n), "meta": {"color": "#666666"}}
        for n, text in enumerate(found.options, start=1)
    ]


def every_option() -> list[JSON]:
    """Every select field's options, each with its definition's id (the connector's rows)."""
    return [
        {**option, "custom_field_definition_id": str(d.id)}
        for d in DEFINITIONS
        for option in options(str(d.id))
    ]


def value_of(st: State, d: Definition, seed: int, created: int) -> Any:
    """The value of ``d`` on the record with this ``seed`` (its id); None for about one in five."""
    n = seed // 7 + d.id
    if n % 5 == 0:
        return None
    users = st.users
    if d.type == "DateField":
        return format_ms(created + (n % 180) * DAY_MS)[:10]
    if d.type == "NumberField":
        return n % 1000 if n % 3 else (n % 1000) + 0.5
    if d.type == "CheckboxField":
        return n % 2 == 0
    if d.type == "Records::UsersField":
        return [users[(n + k) % len(users)]["email"] for k in range(1 + n % 2)]
    if d.type.startswith("SelectMultiple"):
        return [d.options[k] for k in range(len(d.options)) if (n >> k) & 1]
    if d.type.startswith("Select"):
        return d.options[n % len(d.options)]
    if d.type == "UrlField":
        return f"https://docs.example.com/{d.key}/{n % 997}"
    if d.type == "ScorecardField":
        return n % 100
    return f"{d.name} {n % 97}"


def custom_fields(st: State, kind: str, seed: int, created: int, keys: Any = None) -> list[JSON]:
    """The ``custom_fields`` list of a record of ``kind``: one element per definition of its
    type (or of ``keys`` only), in definition order, ``id`` a string as in most answers."""
    record_type = RECORD_TYPES[kind]
    at = format_seconds(created)
    return [
        {
            "id": str(seed % 10**9 * 100 + position),
            "key": d.key,
            "name": d.name,
            "updatedAt": at,
            "value": value_of(st, d, seed, created),
            "type": d.api_type,
        }
        for position, d in enumerate(DEFINITIONS)
        if d.record_type == record_type and (keys is None or d.key in keys)
    ]
