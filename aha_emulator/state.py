"""What one seeded Aha! account holds, and the lookups every resource family shares.

``State`` is plain storage: the families' generators fill it, their queries and renderers read
it, their mutations change it. ``Workspace`` wraps it in the public, locked API.
"""

from __future__ import annotations

import random
import threading
import time
from typing import TYPE_CHECKING

from .common import JSON, START_MS, Ids, RecordNotFoundError
from .personality import DOCUMENTED, Personality

if TYPE_CHECKING:
    from .audits.records import Audit
    from .comments.records import Comment, Internal
    from .extras.records import Row
    from .ideas.records import Idea
    from .roadmap.records import Rec
    from .votes.records import Vote


class State:
    """Every record of the account (ascending id within each list) and the id allocators."""

    def __init__(self, ideas: int, seed: int, base_url: str, rng: random.Random) -> None:
        self.seed = seed
        self.base_url = base_url
        self.lock = threading.RLock()
        self.rng = rng  # for mutations without an explicit seed
        self.misc_ids = Ids(5_000_000_000, 50_000)
        self.idea_ids = Ids(max(100_000_000, 1_000_000_000 - ideas * 2_500), 10_000)
        self.vote_ids = Ids(3_000_000_000, 20_000)
        self.comment_ids = Ids(6_776_881_149_487_056_351, 10_000_000)
        self.internal_ids = Ids(6_777_881_149_487_056_351, 10_000_000)
        self.rec_ids = Ids(6_776_900_000_000_000_000, 9_000_000_000)  # 19 digits > 2**53
        # products and Aha! users (roadmap family)
        self.products: list[JSON] = []
        self.product_times: list[list[int]] = []  # [created, updated] per product
        self.next_ref: list[int] = []  # last idea reference number per product
        self.next_feature: list[int] = []  # last feature number per product
        self.users: list[JSON] = []
        # idea workflow statuses and tags (ideas family)
        self.statuses: list[JSON] = []
        self.status_weights: list[int] = []
        self.tags: list[JSON] = []
        # categories, people, organizations and portals (accounts family)
        self.categories: list[tuple[int, JSON]] = []  # (product index, category)
        self.portal_users: list[JSON] = []  # a "person" is one portal user + one idea user
        self.idea_users: list[JSON] = []
        self.orgs: list[JSON] = []
        self.org_times: list[list[int]] = []  # [created, updated] per organization
        self.org_revenue: list[str | None] = []
        self.portals: list[JSON] = []
        # ideas and their children
        self.ideas: list[Idea] = []
        self.by_id: dict[int, Idea] = {}
        self.by_ref: dict[str, Idea] = {}
        self.votes: list[Vote] = []
        self.votes_by_id: dict[int, Vote] = {}
        self.comments: list[Comment] = []
        self.comments_by_id: dict[int, Comment] = {}
        self.internals: list[Internal] = []
        self.internals_by_id: dict[int, Internal] = {}
        # releases, epics, features, initiatives and goals (roadmap family)
        self.rec_statuses: dict[str, list[JSON]] = {}
        self.workflow_kinds: list[JSON] = []
        self.recs: dict[str, list[Rec]] = {}
        self.rec_index: dict[int, Rec] = {}
        # idea themes, to-dos, requirements, integrations, workflows, teams, portal users, follows
        self.idea_themes: list[Row] = []
        self.tasks: list[Row] = []
        self.requirements: list[Row] = []
        self.integrations: list[Row] = []
        self.workflows: list[Row] = []
        self.teams: list[Row] = []
        self.portal_memberships: list[Row] = []
        self.idea_subscriptions: list[Row] = []
        # audits (every create, update and destroy) and the recycle bin's row ids: their own
        # RNG, so writing them changes no other record
        self.audits: list[Audit] = []
        self.audit_rng = random.Random(f"{seed}:audits")
        self.audit_ids = Ids(7_123_456_789_012_345_678, 1_000_000)
        self.bin_ids = Ids(880_000_000, 5_000)
        self.clock = START_MS
        # how this Aha! behaves where the docs leave room (serving and mutations only)
        self.personality: Personality = DOCUMENTED

    def now(self) -> int:
        """Mutation time: real UTC now, but strictly after every timestamp so far."""
        self.clock = max(int(time.time() * 1000), self.clock + 1)
        return self.clock

    def find_idea(self, idea_id: str | int) -> Idea:
        """An idea by id or reference number (any case); raises ``RecordNotFoundError``."""
        text = str(idea_id).strip()
        idea = self.by_id.get(int(text)) if text.isdigit() else self.by_ref.get(text.upper())
        if idea is None:
            raise RecordNotFoundError(text)
        return idea

    def find_product(self, product: str) -> int:
        """A product's index from its id or reference prefix."""
        for p, row in enumerate(self.products):
            if product in (row["id"], row["reference_prefix"]):
                return p
        raise RecordNotFoundError(product)

    def product(self, p: int) -> JSON:
        """The product as embedded in ideas (``product``) and roadmap records (``project``)."""
        out = dict(self.products[p])
        out["url"] = f"{self.base_url}/projects/{out['reference_prefix']}"
        return out

    def person(self, kind: str, index: int) -> JSON:
        """An embedded Aha! user ("user"), portal user ("portal") or idea user ("idea_user")."""
        pool = {"user": self.users, "portal": self.portal_users, "idea_user": self.idea_users}
        return dict(pool[kind][index])

    def org(self, index: int) -> JSON:
        """An organization as embedded in votes and idea users."""
        out = dict(self.orgs[index])
        out["url"] = f"{self.base_url}/ideas/idea_organizations/{out['id']}"
        out["resource"] = f"{self.base_url}/api/v1/idea_organizations/{out['id']}"
        return out
