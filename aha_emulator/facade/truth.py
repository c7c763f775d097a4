"""Ground truth: every record as the account holds it now, for tests to compare answers with.

The personality (``aha_emulator.personality``) changes what the API serves and what mutations
do, never what these readers say the records are: e.g. a comment's ``updated_at`` is here even
when portal comments are served without it, and an idea's ``updated_at`` is the one served
(moved or not by its children, as the personality had it)."""

from __future__ import annotations

from ..audits.queries import all_audits, deletions
from ..comments.queries import all_idea_comments, all_internal_comments
from ..common import JSON
from ..custom_fields import render as custom_fields
from ..extras.queries import all_of
from ..ideas.queries import all_ideas, one_idea
from ..lists import all_rows
from ..roadmap.render import PRODUCT_LIST
from ..votes.queries import all_votes
from .base import Facade


class Truth(Facade):
    """Readers return fresh dicts in ascending id order."""

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

    def audits(self) -> list[JSON]:
        """Every stored audit (``GET /audits`` shape), ascending id, including those older
        than the 12 months ``/audits`` lists."""
        return self._locked(all_audits)

    def deletions(self) -> list[JSON]:
        """Recycle-bin rows (``GET /deletions`` shape) of the records deleted directly in the
        last 7 days, ascending id; children deleted with their idea are not listed."""
        return self._locked(deletions)
