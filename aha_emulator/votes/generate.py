"""New votes: a proxy vote names an organization, a value, maybe a CRM link and a priority."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from .records import Vote

if TYPE_CHECKING:
    from ..ideas.records import Idea
    from ..state import State


def new_vote(st: State, rng: random.Random, idea: Idea, at: int, proxy: bool) -> Vote:
    """A vote on ``idea`` at ``at`` (its id is given when it is stored)."""
    by_user = rng.random() < (0.7 if proxy else 0.15)
    org = rng.randrange(len(st.orgs)) if proxy else None
    return Vote(
        id=0,
        idea=idea,
        created=at,
        updated=at,
        proxy=proxy,
        weight=rng.choice((1, 1, 2, 3, 5)) if proxy else 1,
        value=f"{rng.choice((1, 2, 5, 10, 250, 1200))}.0" if proxy and rng.random() < 0.8 else None,
        link="https://crm.example.com/opportunities/" + str(rng.randint(1000, 99999))
        if proxy and rng.random() < 0.4
        else None,
        desc_id=st.misc_ids.next(rng) if proxy else None,
        user=rng.randrange(len(st.users)) if by_user else None,
        person=None if by_user else rng.randrange(len(st.portal_users)),
        org=org,
        priority=rng.choice(("P1", "P2", "P3", None)) if proxy else None,
    )
