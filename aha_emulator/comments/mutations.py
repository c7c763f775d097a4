"""Adding and editing portal comments (each bumps its idea's ``updated_at``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..common import JSON, RecordNotFoundError, int_id, merge_overrides, render
from .generate import new_comment
from .records import attach_comment
from .render import COMMENT_ALL, COMMENT_FIELDS

if TYPE_CHECKING:
    from ..state import State


def add_comment(st: State, idea_id: str | int, parent_id: str | int | None = None) -> JSON:
    """A portal idea comment created now, optionally replying to ``parent_id``."""
    idea = st.find_idea(idea_id)
    parent = None
    if parent_id is not None:
        parent = st.comments_by_id.get(int_id(parent_id))
        if parent is None or parent.idea is not idea:
            raise RecordNotFoundError(str(parent_id))
    comment = new_comment(st, st.rng, idea, st.now(), parent)
    comment.id = st.comment_ids.next(st.rng)
    attach_comment(st, comment)
    return render(st, COMMENT_FIELDS, comment, COMMENT_ALL)


def edit_comment(st: State, comment_id: str | int, **changes: Any) -> JSON:
    """Bump a comment (and its idea); default edits the body. ``spam``/``body`` supported."""
    comment = st.comments_by_id.get(int_id(comment_id))
    if comment is None:
        raise RecordNotFoundError(str(comment_id))
    comment.body = changes.pop("body", comment.body + "<p><em>(edited)</em></p>")
    comment.spam = bool(changes.pop("spam", comment.spam))
    comment.overrides = merge_overrides(comment.overrides, COMMENT_FIELDS, changes)
    comment.updated = comment.idea.updated = st.now()
    return render(st, COMMENT_FIELDS, comment, COMMENT_ALL)
