"""Adding, editing and deleting portal and internal comments (each bumps its idea's
``updated_at``, unless the personality's ``comment_moves_idea`` is off), with audits."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..audits import subjects
from ..audits.log import write
from ..common import (
    JSON,
    VISIBILITIES,
    RecordNotFoundError,
    by_int_id,
    int_id,
    merge_overrides,
    render,
)
from .generate import new_comment, new_internal
from .records import Comment, Internal, attach_comment, attach_internal
from .render import COMMENT_ALL, COMMENT_FIELDS, INTERNAL_FIELDS

if TYPE_CHECKING:
    from ..ideas.records import Idea
    from ..state import State

# the write endpoint's visibility words -> the rendered sentence
VISIBILITY_WORDS = {
    "public": VISIBILITIES[0],
    "employee_or_creator": VISIBILITIES[1],
    "employee_or_idea_creator": VISIBILITIES[1],
}


def add_comment(
    st: State,
    idea_id: str | int,
    parent_id: str | int | None = None,
    *,
    body: str | None = None,
    visibility: str | None = None,
    portal_user: str | None = None,
    user: str | None = None,
) -> JSON:
    """A portal idea comment created now, optionally replying to ``parent_id``; ``body``,
    ``visibility`` (a rendered sentence or a write-endpoint word) and the author (a
    ``portal_user`` or Aha! ``user`` id; unknown ids raise ``RecordNotFoundError``) replace
    the drawn ones."""
    idea = st.find_idea(idea_id)
    parent = None
    if parent_id is not None:
        parent = st.comments_by_id.get(int_id(parent_id))
        if parent is None or parent.idea is not idea:
            raise RecordNotFoundError(str(parent_id))
    author = _author(st, portal_user, user)
    comment = new_comment(st, st.rng, idea, st.now(), parent)
    comment.id = st.comment_ids.next(st.rng)
    if body is not None:
        comment.body = body
    if visibility is not None:
        comment.visibility = VISIBILITY_WORDS.get(visibility, visibility)
    if author is not None:
        comment.author = author
    attach_comment(st, comment, st.personality.comment_moves_idea)
    changes = {"body": comment.body, "visibility": comment.visibility}
    write(st, "create", subjects.of_comment(comment), comment.created, changes)
    return render(st, COMMENT_FIELDS, comment, COMMENT_ALL)


def _author(st: State, portal_user: str | None, user: str | None) -> tuple[str, int] | None:
    for kind, wanted, pool in (("portal", portal_user, st.portal_users), ("user", user, st.users)):
        if wanted is not None:
            found = next((n for n, row in enumerate(pool) if row["id"] == str(wanted)), None)
            if found is None:
                raise RecordNotFoundError(str(wanted))
            return kind, found
    return None


def edit_comment(st: State, comment_id: str | int, **changes: Any) -> JSON:
    """Bump a comment (and its idea); default edits the body. ``spam``/``body`` supported."""
    comment = find_comment(st, comment_id)
    audited = dict(changes) or {"body": None}
    comment.body = changes.pop("body", comment.body + "<p><em>(edited)</em></p>")
    comment.spam = bool(changes.pop("spam", comment.spam))
    comment.overrides = merge_overrides(comment.overrides, COMMENT_FIELDS, changes)
    comment.updated = st.now()
    _move_idea(st, comment.idea, comment.updated)
    audited.update({k: getattr(comment, k) for k in ("body", "spam") if k in audited})
    write(st, "update", subjects.of_comment(comment), comment.updated, audited)
    return render(st, COMMENT_FIELDS, comment, COMMENT_ALL)


def delete_comment(st: State, comment_id: str | int, idea_id: str | int | None = None) -> None:
    """Remove a portal comment (of ``idea_id``, if given) and its replies (each with a destroy
    audit; replies first); the idea's ``comments_count`` drops, ``updated_at`` moves to now."""
    comment = find_comment(st, comment_id)
    if idea_id is not None and st.find_idea(idea_id) is not comment.idea:
        raise RecordNotFoundError(str(comment_id))
    at = st.now()
    for reply in _thread(comment)[::-1]:
        drop_comment(st, reply, at, cascaded=reply is not comment)
    _move_idea(st, comment.idea, at)


def add_internal(st: State, idea_id: str | int, body: str | None = None) -> JSON:
    """An internal (team) comment created now by one of the Aha! users."""
    idea = st.find_idea(idea_id)
    internal = new_internal(st, st.rng, idea, st.now())
    internal.id = st.internal_ids.next(st.rng)
    if body is not None:
        internal.body = body
    attach_internal(st, internal, st.personality.comment_moves_idea)
    write(st, "create", subjects.of_internal(internal), internal.created, {"body": internal.body})
    return render(st, INTERNAL_FIELDS, internal, INTERNAL_FIELDS)


def edit_internal(st: State, internal_id: str | int, body: str | None = None) -> JSON:
    """Change an internal comment's body (default: mark it edited); bumps it and its idea."""
    internal = find_internal(st, internal_id)
    internal.body = body if body is not None else internal.body + "<p><em>(edited)</em></p>"
    internal.updated = st.now()
    _move_idea(st, internal.idea, internal.updated)
    write(st, "update", subjects.of_internal(internal), internal.updated, {"body": internal.body})
    return render(st, INTERNAL_FIELDS, internal, INTERNAL_FIELDS)


def delete_internal(st: State, internal_id: str | int) -> None:
    """Remove an internal comment; its idea's ``updated_at`` moves to now."""
    internal = find_internal(st, internal_id)
    at = st.now()
    drop_internal(st, internal, at)
    _move_idea(st, internal.idea, at)


def _move_idea(st: State, idea: Idea, at: int) -> None:
    """A comment written at ``at`` moves its idea's ``updated_at``, if the personality says so."""
    if st.personality.comment_moves_idea:
        idea.updated = at


def find_comment(st: State, comment_id: str | int) -> Comment:
    return by_int_id(st.comments_by_id, comment_id)


def find_internal(st: State, internal_id: str | int) -> Internal:
    return by_int_id(st.internals_by_id, internal_id)


def drop_comment(
    st: State, comment: Comment, at: int, cascaded: bool = False, audit: bool = True
) -> None:
    """Forget a portal comment everywhere and write its destroy audit (if ``audit``)."""
    comment.idea.comments.remove(comment)
    st.comments.remove(comment)
    del st.comments_by_id[comment.id]
    if audit:
        write(st, "destroy", subjects.of_comment(comment), at, cascaded=cascaded)


def drop_internal(
    st: State, internal: Internal, at: int, cascaded: bool = False, audit: bool = True
) -> None:
    """Forget an internal comment everywhere and write its destroy audit (if ``audit``)."""
    internal.idea.internal.remove(internal)
    st.internals.remove(internal)
    del st.internals_by_id[internal.id]
    if audit:
        write(st, "destroy", subjects.of_internal(internal), at, cascaded=cascaded)


def _thread(comment: Comment) -> list[Comment]:
    """The comment and every reply below it, in id order."""
    below = {comment.id}
    out = [comment]
    for other in comment.idea.comments:  # ascending id: a reply comes after its parent
        if other.parent is not None and other.parent.id in below:
            below.add(other.id)
            out.append(other)
    return out
