"""New portal and internal comments (ids are given when they are stored, in creation order)."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from ..common import VISIBILITIES, pick_author
from .records import COMMENTS, Comment, Internal

if TYPE_CHECKING:
    from ..ideas.records import Idea
    from ..state import State

_SPAM = (
    "<p>Buy cheap watches at http://spam.example.com</p>",
    "<p>CRYPTO GIVEAWAY!!! visit http://scam.example.net</p>",
)
_INTERNAL = (
    "<p>Discussed in triage, needs sizing.</p>",
    "<p>Linked to the Q3 platform work.</p>",
    "<p>@Grace can you check with the customer?</p>",
    "<p>Duplicate-ish of APP-I-12?</p>",
)


def new_comment(
    st: State,
    rng: random.Random,
    idea: Idea,
    at: int,
    parent: Comment | None,
    spam: bool = False,
) -> Comment:
    """A portal comment on ``idea`` at ``at``; a reply keeps its parent's visibility."""
    return Comment(
        id=0,
        idea=idea,
        created=at,
        updated=at,
        body=rng.choice(_SPAM) if spam else rng.choice(COMMENTS),
        visibility=parent.visibility if parent else rng.choice(VISIBILITIES[:2]),
        parent=parent,
        author=pick_author(rng, len(st.users), len(st.portal_users)),
        spam=spam,
    )


def new_internal(st: State, rng: random.Random, idea: Idea, at: int) -> Internal:
    """A team comment on ``idea`` at ``at`` by one of the Aha! users."""
    return Internal(0, idea, at, at, rng.choice(_INTERNAL), rng.randrange(len(st.users)))
