"""Reading the issue-14 tables: the ground truth (every field) and the list routes' pages."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..audits import subjects
from ..audits.log import write
from ..common import JSON, RecordNotFoundError, field_names, format_ms
from ..roadmap.records import find_rec
from .generate import subscription
from .records import BASE, Row

if TYPE_CHECKING:
    from ..state import State

# table -> the `State` attribute holding its rows
TABLES = {
    "idea_themes": "idea_themes",
    "tasks": "tasks",
    "requirements": "requirements",
    "integrations": "integrations",
    "workflows": "workflows",
    "teams": "teams",
    "portal_users": "portal_memberships",
    "idea_subscriptions": "idea_subscriptions",
}


def _rows(st: State, table: str) -> list[Row]:
    rows: list[Row] = getattr(st, TABLES[table])
    return rows


def _with_base(st: State, value: Any) -> Any:
    """``value`` with ``BASE`` in its strings replaced by the emulator's address."""
    if isinstance(value, str):
        return value.replace(BASE, st.base_url)
    if isinstance(value, dict):
        return {k: _with_base(st, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_base(st, v) for v in value]
    return copy.copy(value)


def _full(st: State, row: Row) -> JSON:
    full: JSON = _with_base(st, {**row.data, **row.extra})
    return full


def all_of(st: State, table: str) -> list[JSON]:
    """Every row of ``table`` with every field, ascending id (children: with ``parent``)."""
    out = []
    for row in _rows(st, table):
        if table == "idea_subscriptions" and int(row.parent or 0) not in st.by_id:
            continue  # the idea was deleted, and its subscriptions with it
        record = _full(st, row)
        if row.parent is not None:
            record["parent"] = row.parent
        out.append(record)
    return out


def _parent_id(st: State, table: str, parent: str) -> str:
    """The parent's id, from its id (or, for features and products, its reference)."""
    if table == "requirements":
        return str(find_rec(st, "feature", parent).id)
    if table == "workflows":
        return str(st.products[st.find_product(parent)]["id"])
    if table == "idea_subscriptions":
        return str(st.find_idea(parent).id)
    if table == "portal_users" and any(p["id"] == parent for p in st.portals):
        return parent
    raise RecordNotFoundError(parent)


def query_table(
    st: State,
    table: str,
    offset: int,
    limit: int,
    fields: Sequence[str] | None = None,
    *,
    updated_since_us: int | None = None,
    parent: str | None = None,
) -> tuple[int, list[JSON]]:
    """A page of ``table`` (ascending id): the parent's rows only when ``parent`` is given (a
    workflow belongs to every product), ``updated_at`` after ``updated_since_us`` (as the
    personality says), and
    ``fields=`` as elsewhere (list rows are ``Row.data``; ``*`` adds every field)."""
    rows = _rows(st, table)
    if parent is not None:
        parent_id = _parent_id(st, table, parent)
        if table != "workflows":
            rows = [r for r in rows if r.parent == parent_id]
    if updated_since_us is not None:
        keeps, since = st.personality.updated_since_keeps, updated_since_us
        rows = [r for r in rows if keeps(r.updated, since)]
    out = []
    for row in rows[offset : offset + limit]:
        full = _full(st, row)
        names = field_names(fields, tuple(row.data), tuple(full))
        out.append({k: v for k, v in full.items() if k in names})
    return len(rows), out


def requirement_links(st: State, feature_id: int) -> list[JSON]:
    """A feature's `requirements`: the fields of its requirements that never change."""
    keys = ("id", "reference_num", "created_at", "url", "resource")
    return [
        {k: _with_base(st, r.data[k]) for k in keys}
        for r in st.requirements
        if r.parent == str(feature_id)
    ]


def edit_row(st: State, table: str, row_id: str | int, name: str | None = None) -> JSON:
    """Rename a to-do or requirement (default: append " (edited)") and bump its ``updated_at``."""
    row = next((r for r in _rows(st, table) if str(r.id) == str(row_id)), None)
    if row is None:
        raise RecordNotFoundError(str(row_id))
    row.data["name"] = name or row.data["name"] + " (edited)"
    row.updated = st.now()
    stamp = row.extra if "updated_at" in row.extra else row.data
    stamp["updated_at"] = format_ms(row.updated)
    kind = "task" if table == "tasks" else "requirement"
    write(st, "update", subjects.of_row(st, kind, row), row.updated, {"name": row.data["name"]})
    return _full(st, row)


def add_subscription(st: State, idea_id: str | int) -> JSON:
    """A portal user subscribes to an idea now; the idea's ``updated_at`` moves with it, as for
    its other children (an assumption: Aha! does not say)."""
    idea = st.find_idea(idea_id)
    now = st.now()
    person = st.portal_users[st.rng.randrange(len(st.portal_users))]
    row = subscription(st.rec_ids.next(st.rng), now, str(idea.id), person)
    st.idea_subscriptions.append(row)
    idea.updated = now
    write(st, "create", subjects.of_row(st, "idea_subscription", row), now)
    return _full(st, row)
