"""Reading ideas: the ground truth and ``GET /ideas``, ``/products/:id/ideas``, ``/ideas/:id``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ..common import JSON, field_names, render
from .records import Idea
from .render import IDEA_ABBREVIATED, IDEA_FIELDS, IDEA_FULL

if TYPE_CHECKING:
    from ..state import State


def all_ideas(st: State, include_spam: bool = False) -> list[JSON]:
    """Full ideas, ascending id; spam only if asked for."""
    return [render(st, IDEA_FIELDS, i, IDEA_FULL) for i in st.ideas if include_spam or not i.spam]


def one_idea(st: State, idea_id: str | int, fields: Sequence[str] | None = None) -> JSON:
    """One idea by id or reference: full, or the requested fields."""
    idea = st.find_idea(idea_id)
    return render(st, IDEA_FIELDS, idea, field_names(fields, IDEA_FULL, IDEA_FULL))


def query_ideas(
    st: State,
    offset: int,
    limit: int,
    fields: Sequence[str] | None = None,
    *,
    updated_since_us: int | None = None,
    created_since_us: int | None = None,
    created_before_us: int | None = None,
    workflow_status: str | None = None,
    text: str | None = None,
    spam: bool = False,
    product: str | None = None,
) -> tuple[int, list[JSON]]:
    """Filter ideas like ``GET /ideas``; return (total matches, rendered slice).

    Timestamps are epoch microseconds; ``updated_since`` (unless the personality makes it
    inclusive) and ``created_since`` are exclusive. ``fields=None`` gives the abbreviated list
    shape, as does any ``fields`` when the personality ignores them.
    """
    if not st.personality.ideas_fields:
        fields = None
    rows: Iterable[Idea] = (i for i in st.ideas if i.spam == spam)
    if product is not None:
        p = st.find_product(product)
        rows = (i for i in rows if i.product == p)
    if updated_since_us is not None:
        keeps, since = st.personality.updated_since_keeps, updated_since_us
        rows = (i for i in rows if keeps(i.updated, since))
    if created_since_us is not None:
        rows = (i for i in rows if i.created * 1000 > created_since_us)
    if created_before_us is not None:
        rows = (i for i in rows if i.created * 1000 < created_before_us)
    if workflow_status is not None:
        wanted = workflow_status.strip().lower()
        rows = (
            i
            for i in rows
            if wanted in (st.statuses[i.status]["id"], st.statuses[i.status]["name"].lower())
        )
    if text:
        needle = text.lower()
        rows = (i for i in rows if needle in i.name.lower())
    matches = list(rows)
    names = field_names(fields, IDEA_ABBREVIATED, IDEA_FULL)
    return len(matches), [
        render(st, IDEA_FIELDS, i, names) for i in matches[offset : offset + limit]
    ]
