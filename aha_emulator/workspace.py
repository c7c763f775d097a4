"""Seeded Aha! workspace: the ground truth, queries and mutations behind the emulator.

The same ``(ideas, seed)`` always yields the same workspace. Each resource family (ideas; votes;
comments; accounts; roadmap; extras; audits) generates, queries, changes and renders its own
records in its own package; ``Workspace`` (its API split by kind of call in ``facade``) only
puts them together behind one lock. Deliberate details of the data:

* ids are JSON strings; idea ids cross from 9 to 10 digits in the middle of the workspace (to
  catch string sorting); comment ids have 19 digits, and ``parent_idea_comment_id`` is the
  parent's id as a JSON number, above 2**53.
* ``votes`` = ``initial_votes`` + the sum of vote weights; ``endorsements_count`` = number of
  votes; ``comments_count`` = number of non-spam portal idea comments.
* every child record is created after its idea, and the idea's ``updated_at`` is at least the
  ``updated_at`` of each child; mutations keep this true (unless the personality says a comment
  or vote does not move its idea). Spam ideas have no children.
* account-level records come from their own RNG, so adding them changed no idea, vote or
  comment. Ideas' ``feature`` links, votes' organizations and every embedded person or
  category resolve to a listed record; deletes keep it so (see ``roadmap.deletes``).
* every create, update and destroy writes an audit (``audits`` family, ids and gaps from its
  own RNG, so no other answer depends on them); deleting a child of an idea keeps the counts
  above right and moves the idea's ``updated_at``. ``generate`` ends with a few past destroy
  audits (ideas deleted before the emulator started) from that RNG.
"""

from __future__ import annotations

import random

from .accounts import generate as accounts
from .audits.generate import build_history
from .common import START_MS, Ids
from .extras.generate import build_extras
from .facade.deletes import Deletes
from .facade.mutations import Mutations
from .facade.queries import Queries
from .facade.truth import Truth
from .ideas import generate as ideas_gen
from .personality import Personality, resolve
from .roadmap import generate as roadmap
from .state import State


def generate(ideas: int, seed: int, base_url: str, personality: Personality) -> State:
    """Draw the whole account; the order of the draws is what makes a seed reproducible. The
    personality shapes only what the past audits record, not what is drawn."""
    rng = random.Random(seed)
    st = State(ideas, seed, base_url, random.Random(seed + 1_000_003))
    st.personality = personality
    pid = Ids(130_000_000, 900_000)
    roadmap.build_products(st, rng, pid)
    ideas_gen.build_statuses(st, rng, pid)
    accounts.build_categories(st, rng, pid)
    ideas_gen.build_tags(st, rng, pid)
    roadmap.build_users(st, rng, pid)
    accounts.build_people(st, rng, pid)
    accounts.build_orgs(st, rng, pid)
    ideas_gen.generate_ideas(st, ideas, rng)
    account_rng = random.Random(seed * 7_919 + 104_729)
    roadmap.age_products(st, account_rng)
    accounts.age_orgs(st, account_rng)
    accounts.build_revenue_and_portals(st, account_rng)
    roadmap.build_roadmap(st, account_rng, ideas)
    st.clock = max(
        [START_MS]
        + [i.updated for i in st.ideas]
        + [r.updated for recs in st.recs.values() for r in recs]
        + [t[1] for t in st.product_times + st.org_times]
    )
    build_extras(st)  # its own RNG, no timestamp after the clock: earlier answers unchanged
    build_history(st)  # past destroy audits, from their own RNG: nothing else changes
    return st


class Workspace(Truth, Queries, Mutations, Deletes):
    """Ground truth of one Aha! account: products, statuses, ideas and their children.

    Every public method holds ``lock`` (one re-entrant lock), so the HTTP threads and a test
    thread can read and mutate concurrently. Readers return fresh dicts in ascending id order.
    ``base_url`` (the emulator's own address) is used for ``url``/``resource`` fields;
    ``personality`` (a ``Personality`` or a preset name of ``PERSONALITIES``; default: Aha! as
    documented) picks how it behaves where the docs leave room, see ``aha_emulator.personality``;
    ``audit_types`` ("snake", "class", "plural", "unknown") sets the personality's spelling of
    audit types (given with ``personality``, the two must agree). The data drawn for a seed does
    not depend on the personality.
    """

    def __init__(
        self,
        ideas: int = 300,
        seed: int = 1,
        base_url: str = "http://127.0.0.1",
        audit_types: str | None = None,
        personality: Personality | str | None = None,
    ) -> None:
        chosen = resolve(personality, audit_types)
        self.seed = seed
        self._st = generate(ideas, seed, base_url, chosen)
        self.lock = self._st.lock

    @property
    def personality(self) -> Personality:
        """How this Aha! behaves where the docs leave room (``aha_emulator.personality``)."""
        return self._st.personality

    def set_personality(self, personality: Personality | str) -> None:
        """Switch personality from now on (a ``Personality`` or a preset name); records
        already written stay as they are."""
        chosen = resolve(personality)
        with self.lock:
            self._st.personality = chosen

    @property
    def base_url(self) -> str:
        return self._st.base_url

    @base_url.setter
    def base_url(self, value: str) -> None:
        self._st.base_url = value
