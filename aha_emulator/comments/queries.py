"""Reading comments: the ground truth, ``/ideas/:id/idea_comments`` and ``/ideas/:id/comments``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..common import JSON, field_names, render
from .render import COMMENT_ALL, COMMENT_DEFAULT, COMMENT_FIELDS, INTERNAL_FIELDS

if TYPE_CHECKING:
    from ..state import State


def all_idea_comments(st: State, include_spam: bool = False) -> list[JSON]:
    """Portal idea comments with every field (incl. updated_at and spam), ascending id."""
    return [
        render(st, COMMENT_FIELDS, c, COMMENT_ALL)
        for c in st.comments
        if include_spam or not c.spam
    ]


def all_internal_comments(st: State) -> list[JSON]:
    return [render(st, INTERNAL_FIELDS, c, INTERNAL_FIELDS) for c in st.internals]


def query_idea_comments(
    st: State,
    idea_id: str,
    offset: int,
    limit: int,
    spam: bool = False,
    fields: Sequence[str] | None = None,
) -> tuple[int, list[JSON]]:
    """``GET /ideas/:id/idea_comments``; ``spam=True`` shows spam comments too; no
    ``updated_at`` when the personality says so."""
    matches = [c for c in st.find_idea(idea_id).comments if spam or not c.spam]
    names = field_names(fields, COMMENT_DEFAULT, COMMENT_DEFAULT)
    if not st.personality.comment_updated_at:
        names = [n for n in names if n != "updated_at"]
    page = [render(st, COMMENT_FIELDS, c, names) for c in matches[offset : offset + limit]]
    return len(matches), page


def query_internal_comments(
    st: State, idea_id: str, offset: int, limit: int
) -> tuple[int, list[JSON]]:
    """``GET /ideas/:id/comments`` (internal comments)."""
    matches = st.find_idea(idea_id).internal
    page = [
        render(st, INTERNAL_FIELDS, c, INTERNAL_FIELDS) for c in matches[offset : offset + limit]
    ]
    return len(matches), page
