"""The stored portal and internal comments; comment ids have 19 digits (above 2**53)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..common import JSON

if TYPE_CHECKING:
    from ..ideas.records import Idea
    from ..state import State

COMMENTS = (  # portal comment bodies, also used for admin responses
    "<p>+1, we need this too.</p>",
    "<p>Any update on this? 🙏</p>",
    "<p>We'd pay extra for this &mdash; it blocks our rollout.</p>",
    "<p>Workaround: export to CSV and edit in Excel.</p>",
    "<p>Thanks for the feedback! We're reviewing it.</p>",
    "<p>Merci, c'est très important pour nous.</p>",
    '<p>See <a href="https://example.com/docs">the docs</a> for the current limits.</p>',
    "<ul><li>Needed for SOX</li><li>Needed for GDPR</li></ul>",
    "<p>これは重要です。</p>",
    "<p>Same here <strong>&lt;3</strong></p>",
)


@dataclass(slots=True, eq=False)
class Comment:
    id: int
    idea: Idea
    created: int
    updated: int
    body: str
    visibility: str
    parent: Comment | None
    author: tuple[str, int]  # ("user" | "portal" | "idea_user", pool index)
    spam: bool = False
    overrides: JSON | None = None


@dataclass(slots=True, eq=False)
class Internal:
    id: int
    idea: Idea
    created: int
    updated: int
    body: str
    user: int


def attach_comment(st: State, comment: Comment, move_idea: bool = True) -> None:
    """Keep a comment with an id; its idea counts as updated no earlier than the comment
    (unless not ``move_idea``)."""
    comment.idea.comments.append(comment)
    if move_idea:
        comment.idea.updated = max(comment.idea.updated, comment.updated)
    st.comments.append(comment)
    st.comments_by_id[comment.id] = comment


def attach_internal(st: State, internal: Internal, move_idea: bool = True) -> None:
    """Keep an internal comment with an id; its idea moves as for a portal comment."""
    internal.idea.internal.append(internal)
    if move_idea:
        internal.idea.updated = max(internal.idea.updated, internal.updated)
    st.internals.append(internal)
    st.internals_by_id[internal.id] = internal
