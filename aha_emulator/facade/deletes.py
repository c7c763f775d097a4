"""Deleting records: each removes the record from every list and index and writes a destroy
audit (children first, same moment); lists return no tombstones, as in Aha!."""

from __future__ import annotations

from ..comments.mutations import delete_comment, delete_internal
from ..ideas.mutations import delete_idea
from ..roadmap.deletes import delete_rec
from ..votes.mutations import delete_vote
from .base import Facade


class Deletes(Facade):
    """Unknown ids raise ``RecordNotFoundError``; nothing is returned."""

    def delete_idea(self, idea_id: str | int) -> None:
        """Hard-delete an idea with its votes, portal comments and internal comments: one
        destroy audit each (associated with the idea; none with the personality's
        ``child_audits`` off), then the idea's."""
        return self._locked(delete_idea, idea_id)

    def delete_vote(self, vote_id: str | int, idea_id: str | int | None = None) -> None:
        """Delete a vote (of ``idea_id``, if given: else not found); its idea's ``votes``,
        ``endorsements_count`` and ``updated_at`` follow."""
        return self._locked(delete_vote, vote_id, idea_id)

    def delete_comment(self, comment_id: str | int, idea_id: str | int | None = None) -> None:
        """Delete a portal comment (of ``idea_id``, if given) and its replies (replies first);
        the idea's ``comments_count`` and ``updated_at`` follow."""
        return self._locked(delete_comment, comment_id, idea_id)

    def delete_internal_comment(self, comment_id: str | int) -> None:
        """Delete an internal comment; its idea's ``updated_at`` moves to now."""
        return self._locked(delete_internal, comment_id)

    def delete_feature(self, feature_id: str | int) -> None:
        """Delete a feature (id or reference) with its requirements; ideas promoted to it
        lose their ``feature`` (see ``roadmap.deletes`` for every dependant)."""
        return self._locked(delete_rec, "feature", feature_id)

    def delete_release(self, release_id: str | int) -> None:
        """Delete a release; its features and epics move to the parking lot (which itself
        cannot be deleted: ``ValueError``)."""
        return self._locked(delete_rec, "release", release_id)

    def delete_epic(self, epic_id: str | int) -> None:
        """Delete an epic; features in it lose the link."""
        return self._locked(delete_rec, "epic", epic_id)

    def delete_initiative(self, initiative_id: str | int) -> None:
        """Delete an initiative; features and epics in it lose the link."""
        return self._locked(delete_rec, "initiative", initiative_id)

    def delete_goal(self, goal_id: str | int) -> None:
        """Delete a goal; features and initiatives drop it from ``goals``."""
        return self._locked(delete_rec, "goal", goal_id)
