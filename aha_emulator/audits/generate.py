"""Seeded history: ideas deleted before the emulator started, some longer ago than the 12
months ``/audits`` keeps, some within them, a couple within the recycle bin's 7 days.

Drawn from ``State.audit_rng`` after everything else, relative to the wall clock at generation
(so "12 months ago" means what it says); their ids belong to no listed record. No other answer
changes.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from ..common import DAY_MS
from ..ideas.generate import idea_title
from .log import write
from .records import Subject

if TYPE_CHECKING:
    from ..state import State

# (fewest, most) days ago, one deleted idea each: two beyond the 12 months, three within them,
# two within the recycle bin's 7 days
_AGES: tuple[tuple[float, float], ...] = (
    (420.0, 700.0),
    (380.0, 410.0),
    (200.0, 330.0),
    (30.0, 150.0),
    (8.0, 20.0),
    (1.0, 6.0),
    (0.1, 0.5),  # older than the hour a first sync looks back for deletes
)


def build_history(st: State) -> None:
    rng, now = st.audit_rng, int(time.time() * 1000)
    moments = sorted(now - int(rng.uniform(*span) * DAY_MS) for span in _AGES)
    for at in moments:
        p = rng.randrange(len(st.products))
        idea_id = rng.randint(10_000_000, 99_999_999)  # below every idea id (9-10 digits)
        ref = f"{st.products[p]['reference_prefix']}-I-{rng.randint(90_000, 99_999)}"
        page = f"/ideas/ideas/{ref}"
        user = rng.randrange(len(st.users))
        parent = ("idea", idea_id)
        if rng.random() < 0.6:
            vote_id = rng.randint(2_000_000_000, 2_999_999_999)  # below every vote id
            vote = Subject(
                "idea_endorsement", vote_id, "Vote", None, f"{page}/endorsements/{vote_id}", parent
            )
            _cascade(st, vote, at, user)
        if rng.random() < 0.5:
            comment_id = 6_000_000_000_000_000_000 + rng.randint(0, 10**15)  # below comment ids
            comment = Subject(
                "idea_comment",
                comment_id,
                "Comment",
                None,
                f"{page}/idea_comments/{comment_id}",
                parent,
            )
            _cascade(st, comment, at, user)
        write(st, "destroy", Subject("idea", idea_id, idea_title(rng), ref, page), at, user=user)
    st.clock = max(st.clock, *moments)  # later mutations' audits come after these


def _cascade(st: State, child: Subject, at: int, user: int) -> None:
    """A deleted idea's child's destroy audit, unless the personality writes none; its id is
    drawn either way, so the rest of the history stays the same."""
    if st.personality.child_audits:
        write(st, "destroy", child, at, cascaded=True, user=user)
    else:
        st.audit_ids.next(st.audit_rng)
