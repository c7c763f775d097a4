"""Adding and editing votes (each bumps its idea's ``updated_at``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..common import JSON, RecordNotFoundError, int_id, merge_overrides, render
from .generate import new_vote
from .records import attach_vote
from .render import VOTE_FIELDS, VOTE_FULL

if TYPE_CHECKING:
    from ..state import State


def add_vote(st: State, idea_id: str | int, proxy: bool = True) -> JSON:
    """A vote (proxy by default) created now."""
    idea = st.find_idea(idea_id)
    vote = new_vote(st, st.rng, idea, st.now(), proxy)
    vote.id = st.vote_ids.next(st.rng)
    attach_vote(st, vote)
    return render(st, VOTE_FIELDS, vote, VOTE_FULL)


def edit_vote(st: State, vote_id: str | int, **changes: Any) -> JSON:
    """Bump a vote's ``updated_at`` (and its idea's); a proxy vote's value goes up by 1.

    ``weight``, ``value`` and ``link`` change the stored vote; other keys override the
    rendered field.
    """
    vote = st.votes_by_id.get(int_id(vote_id))
    if vote is None:
        raise RecordNotFoundError(str(vote_id))
    if not changes and vote.proxy:
        changes = {"value": f"{float(vote.value or 0) + 1.0:.1f}"}
    for key in ("weight", "value", "link"):
        if key in changes:
            setattr(vote, key, changes.pop(key))
    vote.overrides = merge_overrides(vote.overrides, VOTE_FIELDS, changes)
    vote.updated = vote.idea.updated = st.now()
    return render(st, VOTE_FIELDS, vote, VOTE_FULL)
