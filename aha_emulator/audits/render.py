"""JSON shapes of an audit (Aha!'s documented fields) and of a recycle-bin row."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..common import JSON, format_ms
from .records import Audit, type_name

if TYPE_CHECKING:
    from ..state import State

_VERBS = {"create": "created", "update": "updated", "destroy": "deleted"}


def _user(st: State, a: Audit) -> JSON:
    return {k: st.users[a.user][k] for k in ("id", "name", "email", "created_at", "updated_at")}


def _interesting(a: Audit) -> bool:
    """Creates and destroys are; updates only when they change what a person reads."""
    return a.action != "update" or any(
        k in ("name", "workflow_status", "description", "body") for k, _ in a.changes
    )


def audit_json(st: State, a: Audit) -> JSON:
    s, style = a.subject, st.personality.audit_types
    user = _user(st, a)
    label = s.kind.replace("_", " ")
    return {
        "id": str(a.id),
        "audit_action": a.action,
        "created_at": format_ms(a.created),
        "interesting": _interesting(a),
        "user": user,
        "contributors": [{"user": dict(user)}],
        "auditable_type": type_name(style, s.kind),
        "auditable_id": str(s.id),
        "associated_type": None if s.associated is None else type_name(style, s.associated[0]),
        "associated_id": None if s.associated is None else str(s.associated[1]),
        "description": f"{user['name']} {_VERBS[a.action]} {label} {s.ref or s.id}: {s.name}",
        "auditable_url": st.base_url + s.path,
        "changes": [{"field_name": k, "value": v} for k, v in a.changes],
    }


def deletion_json(st: State, a: Audit) -> JSON:
    """The recycle-bin row of a direct destroy (no numeric id of the record, as in the docs)."""
    s = a.subject
    return {
        "id": str(a.bin_id),
        "status": "deleted",
        "record": {
            "name": s.name,
            "type": type_name(st.personality.audit_types, s.kind),
            "reference_num": s.ref,
        },
        "deleted_by": {k: st.users[a.user][k] for k in ("id", "name", "email")},
        "deleted_at": format_ms(a.created),
    }
