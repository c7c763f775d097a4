"""The stored vote."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..common import JSON

if TYPE_CHECKING:
    from ..ideas.records import Idea
    from ..state import State


@dataclass(slots=True, eq=False)
class Vote:
    id: int
    idea: Idea
    created: int
    updated: int
    proxy: bool
    weight: int
    value: str | None
    link: str | None
    desc_id: int | None
    user: int | None  # endorsed_by_user (Aha! user pool index)
    person: int | None  # endorsed_by_portal_user + endorsed_by_idea_user (person pool index)
    org: int | None
    priority: str | None
    overrides: JSON | None = None


def attach_vote(st: State, vote: Vote, move_idea: bool = True) -> None:
    """Keep a vote with an id; its idea counts as updated no earlier than the vote (unless
    not ``move_idea``)."""
    vote.idea.votes.append(vote)
    if move_idea:
        vote.idea.updated = max(vote.idea.updated, vote.updated)
    st.votes.append(vote)
    st.votes_by_id[vote.id] = vote
