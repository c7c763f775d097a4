"""The JSON shape of a vote: per idea (full) and account-wide (no description, custom fields)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..common import ABSENT, JSON, Renderer, format_ms, format_seconds
from .records import Vote

if TYPE_CHECKING:
    from ..state import State


def _description(st: State, v: Vote) -> JSON | None:
    if v.desc_id is None:
        return None
    org = st.orgs[v.org]["name"] if v.org is not None else "a customer"
    at = format_ms(v.created)
    return {
        "id": str(v.desc_id),
        "body": f"<p>Requested by <strong>{org}</strong> in a QBR.</p>",
        "editor_version": 2,
        "created_at": at,
        "updated_at": at,
        "attachments": [],
    }


def _org(st: State, v: Vote) -> Any:
    if v.org is not None:
        return st.org(v.org)
    # plain votes: key absent on odd ids, null on even ids (both occur in the wild)
    return ABSENT if v.id % 2 else None


def _custom_fields(st: State, v: Vote) -> list[JSON]:
    if v.priority is None:
        return []
    return [
        {
            "id": 7_300_001,
            "key": "vote_priority",
            "name": "Priority",
            "updatedAt": format_seconds(v.created),
            "value": v.priority,
            "type": "string",
        }
    ]


VOTE_FIELDS: dict[str, Renderer] = {
    "id": lambda st, v: str(v.id),
    "idea_id": lambda st, v: str(v.idea.id),
    "created_at": lambda st, v: format_ms(v.created),
    "updated_at": lambda st, v: format_ms(v.updated),
    "value": lambda st, v: v.value,
    "link": lambda st, v: v.link,
    "weight": lambda st, v: v.weight,
    "description": _description,
    "custom_fields": _custom_fields,
    "endorsed_by_user": lambda st, v: ABSENT if v.user is None else st.person("user", v.user),
    "endorsed_by_portal_user": lambda st, v: (
        ABSENT if v.person is None else st.person("portal", v.person)
    ),
    "endorsed_by_idea_user": lambda st, v: (
        ABSENT if v.person is None else st.person("idea_user", v.person)
    ),
    "idea_organization": _org,
    "associated_idea_organizations": lambda st, v: [] if v.org is None else [st.org(v.org)],
}
VOTE_FULL = tuple(k for k in VOTE_FIELDS if k != "associated_idea_organizations")
VOTE_ACCOUNT = tuple(k for k in VOTE_FULL if k not in ("description", "custom_fields"))
