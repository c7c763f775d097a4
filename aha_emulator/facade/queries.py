"""The queries behind the HTTP routes: filters and paging already parsed by ``routes``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..audits.queries import query_audits, query_deletions
from ..comments.queries import query_idea_comments, query_internal_comments
from ..common import JSON
from ..extras.queries import query_table
from ..ideas.queries import one_idea, query_ideas
from ..lists import query_resource
from ..votes.queries import query_votes
from .base import Facade


class Queries(Facade):
    """Each returns ``(total matches, rendered page)`` or one record."""

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

    def query_audits(self, offset: int, limit: int, **filters: Any) -> tuple[int, list[JSON]]:
        """``GET /audits`` (see ``audits.queries.query_audits`` for the filters)."""
        return self._locked(query_audits, offset, limit, **filters)

    def query_deletions(self, offset: int, limit: int) -> tuple[int, list[JSON]]:
        """``GET /deletions``: the 7-day recycle bin."""
        return self._locked(query_deletions, offset, limit)
