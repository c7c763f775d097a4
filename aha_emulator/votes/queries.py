"""Reading votes: the ground truth, ``/ideas/:id/endorsements`` and ``/ideas/endorsements``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ..common import JSON, field_names, render
from .records import Vote
from .render import VOTE_ACCOUNT, VOTE_FIELDS, VOTE_FULL

if TYPE_CHECKING:
    from ..state import State


def all_votes(st: State, proxy: bool | None = None) -> list[JSON]:
    """Full votes (per-idea shape), ascending id; filtered by proxy if given."""
    return [
        render(st, VOTE_FIELDS, v, VOTE_FULL) for v in st.votes if proxy is None or v.proxy == proxy
    ]


def query_votes(
    st: State,
    offset: int,
    limit: int,
    idea_id: str | None = None,
    proxy: bool = False,
    fields: Sequence[str] | None = None,
    *,
    updated_since_us: int | None = None,
    created_since_us: int | None = None,
    created_before_us: int | None = None,
) -> tuple[int, list[JSON]]:
    """Per-idea (``idea_id`` given) or account-wide endorsements, ascending id.

    Account-wide rows omit description and custom_fields and ignore ``fields``; ``proxy`` is
    ignored when the personality says so.
    """
    rows: Iterable[Vote]
    if idea_id is not None:
        rows = st.find_idea(idea_id).votes
        names = field_names(fields, VOTE_FULL, VOTE_FULL)
    else:
        rows = st.votes
        names = list(VOTE_ACCOUNT)
    if proxy and st.personality.proxy_filter:
        rows = (v for v in rows if v.proxy)
    if updated_since_us is not None:
        keeps, since = st.personality.updated_since_keeps, updated_since_us
        rows = (v for v in rows if keeps(v.updated, since))
    if created_since_us is not None:
        rows = (v for v in rows if v.created * 1000 > created_since_us)
    if created_before_us is not None:
        rows = (v for v in rows if v.created * 1000 < created_before_us)
    matches = list(rows)
    return len(matches), [
        render(st, VOTE_FIELDS, v, names) for v in matches[offset : offset + limit]
    ]
