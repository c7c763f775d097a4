"""Creating and editing records: each call writes its audit and moves ``updated_at`` (the
record's, and its idea's for idea children, unless the personality says a comment or vote
does not move its idea)."""

from __future__ import annotations

from typing import Any

from ..accounts.mutations import add_idea_organization, edit_idea_organization
from ..comments.mutations import add_comment, add_internal, edit_comment, edit_internal
from ..common import JSON
from ..extras.queries import add_subscription, edit_row
from ..ideas.mutations import add_idea, edit_idea, mutate_random
from ..roadmap.mutations import add_feature, edit_product, edit_rec
from ..votes.mutations import add_vote, edit_vote
from .base import Facade


class Mutations(Facade):
    """Return the record as the API would render it after the change."""

    def add_idea(self, **overrides: Any) -> JSON:
        """Create an idea now (``product_id`` picks the product; ``created_by`` an e-mail,
        ``initial_votes``); other keys as in edit_idea."""
        return self._locked(add_idea, **overrides)

    def edit_idea(self, idea_id: str | int, **changes: Any) -> JSON:
        """Change an idea and bump its ``updated_at``; without changes, rename it."""
        return self._locked(edit_idea, idea_id, **changes)

    def add_vote(self, idea_id: str | int, proxy: bool = True, **given: Any) -> JSON:
        """Add a vote (proxy by default) created now; bumps the idea. ``given`` (the write
        endpoint's ``idea_endorsement`` fields) replaces drawn details: see
        ``votes.mutations.add_vote``."""
        return self._locked(add_vote, idea_id, proxy, **given)

    def edit_vote(self, vote_id: str | int, **changes: Any) -> JSON:
        """Bump a vote's ``updated_at`` (and its idea's); a proxy vote's value goes up by 1."""
        return self._locked(edit_vote, vote_id, **changes)

    def add_comment(
        self, idea_id: str | int, parent_id: str | int | None = None, **given: Any
    ) -> JSON:
        """Add a portal idea comment created now, optionally replying to ``parent_id``;
        ``body``, ``visibility`` and ``author`` may be given (``comments.mutations``)."""
        return self._locked(add_comment, idea_id, parent_id, **given)

    def add_internal_comment(self, idea_id: str | int, body: str | None = None) -> JSON:
        """Add an internal (team) comment created now (``GET /ideas/:id/comments`` shape);
        bumps the idea."""
        return self._locked(add_internal, idea_id, body)

    def edit_internal_comment(self, comment_id: str | int, body: str | None = None) -> JSON:
        """Change an internal comment's body (default: mark it edited); bumps it and its idea."""
        return self._locked(edit_internal, comment_id, body)

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
