"""Seeded Aha! workspace: the ground truth, queries and mutations behind the emulator.

The same ``(ideas, seed)`` always yields the same workspace. Each resource family (ideas; votes;
comments; accounts; roadmap) generates, queries, changes and renders its own records in its own
package; ``Workspace`` only puts them together behind one lock. Deliberate details of the data:

* ids are JSON strings; idea ids cross from 9 to 10 digits in the middle of the workspace (to
  catch string sorting); comment ids have 19 digits, and ``parent_idea_comment_id`` is the
  parent's id as a JSON number, above 2**53.
* ``votes`` = ``initial_votes`` + the sum of vote weights; ``endorsements_count`` = number of
  votes; ``comments_count`` = number of non-spam portal idea comments.
* every child record is created after its idea, and the idea's ``updated_at`` is at least the
  ``updated_at`` of each child; mutations keep this true. Spam ideas have no children.
* account-level records come from their own RNG, so adding them changed no idea, vote or
  comment. Ideas' ``feature`` links, votes' organizations and every embedded person or
  category resolve to a listed record.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from .accounts import generate as accounts
from .accounts.mutations import add_idea_organization, edit_idea_organization
from .comments.mutations import add_comment, edit_comment
from .comments.queries import (
    all_idea_comments,
    all_internal_comments,
    query_idea_comments,
    query_internal_comments,
)
from .common import JSON, START_MS, Ids
from .custom_fields import render as custom_fields
from .extras.generate import build_extras
from .extras.queries import add_subscription, all_of, edit_row, query_table
from .ideas import generate as ideas_gen
from .ideas.mutations import add_idea, delete_idea, edit_idea, mutate_random
from .ideas.queries import all_ideas, one_idea, query_ideas
from .lists import all_rows, query_resource
from .roadmap import generate as roadmap
from .roadmap.mutations import add_feature, edit_product, edit_rec
from .roadmap.render import PRODUCT_LIST
from .state import State
from .votes.mutations import add_vote, edit_vote
from .votes.queries import all_votes, query_votes

T = TypeVar("T")


def generate(ideas: int, seed: int, base_url: str) -> State:
    """Draw the whole account; the order of the draws is what makes a seed reproducible."""
    rng = random.Random(seed)
    st = State(ideas, seed, base_url, random.Random(seed + 1_000_003))
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
    return st


class Workspace:
    """Ground truth of one Aha! account: products, statuses, ideas and their children.

    Every public method holds ``lock`` (one re-entrant lock), so the HTTP threads and a test
    thread can read and mutate concurrently. Readers return fresh dicts in ascending id order.
    ``base_url`` (the emulator's own address) is used for ``url``/``resource`` fields.
    """

    def __init__(self, ideas: int = 300, seed: int = 1, base_url: str = "http://127.0.0.1") -> None:
        self.seed = seed
        self._st = generate(ideas, seed, base_url)
        self.lock = self._st.lock

    @property
    def base_url(self) -> str:
        return self._st.base_url

    @base_url.setter
    def base_url(self, value: str) -> None:
        self._st.base_url = value

    def _locked(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with self.lock:
            return fn(self._st, *args, **kwargs)

    # ------------------------------------------------------------------------- ground truth

    def ideas(self, include_spam: bool = False) -> list[JSON]:
        """Full ideas (``GET /ideas/:id`` shape), ascending id; spam only if asked for."""
        return self._locked(all_ideas, include_spam)

    def idea(self, idea_id: str | int) -> JSON:
        """One full idea by id or reference number; raises ``RecordNotFoundError``."""
        return self._locked(one_idea, idea_id)

    def products(self, full: bool = False) -> list[JSON]:
        """Products (workspaces) as listed by ``GET /products``; ``full`` adds ``updated_at`` &c."""
        return self._locked(all_rows, "products", None if full else PRODUCT_LIST)

    def workflow_statuses(self) -> list[JSON]:
        """The six idea workflow statuses, by position."""
        return self._locked(lambda st: [dict(s) for s in st.statuses])

    def votes(self, proxy: bool | None = None) -> list[JSON]:
        """Full votes (per-idea endorsements shape), ascending id; filter by proxy if given."""
        return self._locked(all_votes, proxy)

    def idea_comments(self, include_spam: bool = False) -> list[JSON]:
        """Portal idea comments with every field (incl. updated_at and spam), ascending id."""
        return self._locked(all_idea_comments, include_spam)

    def internal_comments(self) -> list[JSON]:
        """Internal (team) comments on ideas, ``GET /ideas/:id/comments`` shape."""
        return self._locked(all_internal_comments)

    def idea_organizations(self) -> list[JSON]:
        """Every organization, full shape (``updated_at``, ``email_domains``, ...)."""
        return self._locked(all_rows, "idea_organizations")

    def idea_users(self) -> list[JSON]:
        """Every idea user (portal contact), as listed by ``GET /idea_users``."""
        return self._locked(all_rows, "idea_users")

    def idea_categories(self) -> list[JSON]:
        """Idea categories of every product; each row names its product in ``project_id``."""
        return self._locked(all_rows, "idea_categories")

    def idea_portals(self) -> list[JSON]:
        """Ideas portals, as listed by ``GET /idea_portals``."""
        return self._locked(all_rows, "idea_portals")

    def features(self) -> list[JSON]:
        """Every feature, full shape (``fields=*``)."""
        return self._locked(all_rows, "features")

    def releases(self) -> list[JSON]:
        """Releases of every product, full shape; each has ``product_id``."""
        return self._locked(all_rows, "releases")

    def epics(self) -> list[JSON]:
        """Every epic, full shape."""
        return self._locked(all_rows, "epics")

    def initiatives(self) -> list[JSON]:
        """Every initiative, as listed by ``GET /initiatives``."""
        return self._locked(all_rows, "initiatives")

    def goals(self) -> list[JSON]:
        """Every goal, as listed by ``GET /goals``."""
        return self._locked(all_rows, "goals")

    def users(self) -> list[JSON]:
        """Every Aha! user, as listed by ``GET /users``."""
        return self._locked(all_rows, "users")

    def custom_field_definitions(self) -> list[JSON]:
        """Every custom field definition, as listed by ``GET /custom_field_definitions``."""
        return custom_fields.definitions()

    def custom_field_options(self) -> list[JSON]:
        """Every option of every select field (``GET /custom_field_definitions/:id/options``),
        each with ``custom_field_definition_id``."""
        return custom_fields.every_option()

    def idea_themes(self) -> list[JSON]:
        """Every idea theme."""
        return self._locked(all_of, "idea_themes")

    def tasks(self) -> list[JSON]:
        """Every to-do, full shape (``updated_at``, assignees, ...)."""
        return self._locked(all_of, "tasks")

    def requirements(self) -> list[JSON]:
        """Every requirement, full shape; ``parent`` is its feature's id."""
        return self._locked(all_of, "requirements")

    def integrations(self) -> list[JSON]:
        """Every integration, full shape, ``callback_token`` included."""
        return self._locked(all_of, "integrations")

    def workflows(self) -> list[JSON]:
        """The account's workflows (each product lists all of them); ``id`` is a number."""
        return self._locked(all_of, "workflows")

    def teams(self) -> list[JSON]:
        """Every team."""
        return self._locked(all_of, "teams")

    def idea_portal_users(self) -> list[JSON]:
        """Every portal user; ``parent`` is its portal's id."""
        return self._locked(all_of, "portal_users")

    def idea_subscriptions(self) -> list[JSON]:
        """Every subscription to an idea that exists, ascending id; ``parent`` is the idea."""
        return self._locked(all_of, "idea_subscriptions")

    # ------------------------------------------------------------------ queries for the server

    def query_ideas(
        self, offset: int, limit: int, fields: Sequence[str] | None = None, **filters: Any
    ) -> tuple[int, list[JSON]]:
        """``GET /ideas`` (see ``ideas.queries.query_ideas`` for the filters)."""
        return self._locked(query_ideas, offset, limit, fields, **filters)

    def query_idea(self, idea_id: str, fields: Sequence[str] | None = None) -> JSON:
        """``GET /ideas/:id``: full idea or the requested fields; raises ``RecordNotFoundError``."""
        return self._locked(one_idea, idea_id, fields)

    def query_votes(
        self,
        offset: int,
        limit: int,
        idea_id: str | None = None,
        proxy: bool = False,
        fields: Sequence[str] | None = None,
        **stamps: int | None,
    ) -> tuple[int, list[JSON]]:
        """Per-idea (``idea_id`` given) or account-wide endorsements, ascending id."""
        return self._locked(query_votes, offset, limit, idea_id, proxy, fields, **stamps)

    def query_idea_comments(
        self,
        idea_id: str,
        offset: int,
        limit: int,
        spam: bool = False,
        fields: Sequence[str] | None = None,
    ) -> tuple[int, list[JSON]]:
        """``GET /ideas/:id/idea_comments``; ``spam=True`` shows spam comments too."""
        return self._locked(query_idea_comments, idea_id, offset, limit, spam, fields)

    def query_internal_comments(
        self, idea_id: str, offset: int, limit: int
    ) -> tuple[int, list[JSON]]:
        """``GET /ideas/:id/comments`` (internal comments)."""
        return self._locked(query_internal_comments, idea_id, offset, limit)

    def query_resource(
        self, name: str, offset: int, limit: int, fields: Sequence[str] | None = None, **scope: Any
    ) -> tuple[int, list[JSON]]:
        """List an account-level resource (``updated_since_us``, ``product`` scope it)."""
        return self._locked(query_resource, name, offset, limit, fields, **scope)

    def query_table(
        self, table: str, offset: int, limit: int, fields: Sequence[str] | None = None, **scope: Any
    ) -> tuple[int, list[JSON]]:
        """List an issue-14 table (``updated_since_us``, ``parent`` scope it)."""
        return self._locked(query_table, table, offset, limit, fields, **scope)

    # ---------------------------------------------------------------------------- mutations

    def add_idea(self, **overrides: Any) -> JSON:
        """Create an idea now (``product_id`` picks the product); other keys as in edit_idea."""
        return self._locked(add_idea, **overrides)

    def edit_idea(self, idea_id: str | int, **changes: Any) -> JSON:
        """Change an idea and bump its ``updated_at``; without changes, rename it."""
        return self._locked(edit_idea, idea_id, **changes)

    def delete_idea(self, idea_id: str | int) -> None:
        """Hard-delete an idea with its votes and comments (lists return no tombstones)."""
        return self._locked(delete_idea, idea_id)

    def add_vote(self, idea_id: str | int, proxy: bool = True) -> JSON:
        """Add a vote (proxy by default) created now; bumps the idea."""
        return self._locked(add_vote, idea_id, proxy)

    def edit_vote(self, vote_id: str | int, **changes: Any) -> JSON:
        """Bump a vote's ``updated_at`` (and its idea's); a proxy vote's value goes up by 1."""
        return self._locked(edit_vote, vote_id, **changes)

    def add_comment(self, idea_id: str | int, parent_id: str | int | None = None) -> JSON:
        """Add a portal idea comment created now, optionally replying to ``parent_id``."""
        return self._locked(add_comment, idea_id, parent_id)

    def edit_comment(self, comment_id: str | int, **changes: Any) -> JSON:
        """Bump a comment (and its idea); default edits the body. ``spam``/``body`` supported."""
        return self._locked(edit_comment, comment_id, **changes)

    def add_feature(
        self, product_id: str | None = None, release_id: str | None = None, name: str | None = None
    ) -> JSON:
        """Create a feature now in a product (default: the first) and release (default: its
        parking lot); returns the full feature."""
        return self._locked(add_feature, product_id, release_id, name)

    def edit_feature(self, feature_id: str | int, **changes: Any) -> JSON:
        """Bump a feature's ``updated_at``; without changes, rename it. ``name`` and
        ``workflow_status`` (name or id) change the record, other fields are overridden."""
        return self._locked(edit_rec, "feature", feature_id, changes)

    def edit_release(self, release_id: str | int, **changes: Any) -> JSON:
        """Like ``edit_feature``, for a release."""
        return self._locked(edit_rec, "release", release_id, changes)

    def edit_epic(self, epic_id: str | int, **changes: Any) -> JSON:
        """Like ``edit_feature``, for an epic."""
        return self._locked(edit_rec, "epic", epic_id, changes)

    def edit_initiative(self, initiative_id: str | int, **changes: Any) -> JSON:
        """Like ``edit_feature``, for an initiative."""
        return self._locked(edit_rec, "initiative", initiative_id, changes)

    def edit_goal(self, goal_id: str | int, **changes: Any) -> JSON:
        """Like ``edit_feature``, for a goal (``GET /goals`` ignores ``updated_since``)."""
        return self._locked(edit_rec, "goal", goal_id, changes)

    def edit_product(self, product_id: str, name: str | None = None) -> JSON:
        """Rename a product (default: append " (edited)") and bump its ``updated_at``."""
        return self._locked(edit_product, product_id, name)

    def add_idea_organization(self, name: str | None = None) -> JSON:
        """Create an organization now (full shape); later proxy votes may use it."""
        return self._locked(add_idea_organization, name)

    def edit_idea_organization(
        self, org_id: str | int, name: str | None = None, revenue: str | None = None
    ) -> JSON:
        """Rename an organization (default: append " (edited)"), optionally set its revenue
        (a decimal string), and bump its ``updated_at``. Votes embed the new name."""
        return self._locked(edit_idea_organization, org_id, name, revenue)

    def edit_task(self, task_id: str | int, name: str | None = None) -> JSON:
        """Rename a to-do (default: append " (edited)") and bump its ``updated_at``."""
        return self._locked(edit_row, "tasks", task_id, name)

    def edit_requirement(self, requirement_id: str | int, name: str | None = None) -> JSON:
        """Like ``edit_task``, for a requirement (its feature is not bumped)."""
        return self._locked(edit_row, "requirements", requirement_id, name)

    def add_idea_subscription(self, idea_id: str | int) -> JSON:
        """A portal user subscribes to the idea now (the idea is bumped)."""
        return self._locked(add_subscription, idea_id)

    def mutate_random(self, changed_ideas: int, seed: int) -> JSON:
        """Change ``changed_ideas`` distinct ideas: edits, new proxy votes, new comments;
        ``min(2, changed_ideas // 5)`` of them are brand-new ideas (depends only on ``seed``
        and the current workspace)."""
        return self._locked(mutate_random, changed_ideas, seed)
