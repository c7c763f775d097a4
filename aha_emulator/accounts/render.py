"""JSON shapes of organizations, idea users, idea categories and ideas portals.

Rows are indices into the ``State`` pools (organizations, idea users), the stored portal dicts,
or ``(product index, category)`` pairs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..common import Renderer, format_ms
from .records import CUSTOMER_DOMAINS, ORGS

if TYPE_CHECKING:
    from ..state import State


def _pool(pool: str) -> Callable[[str], Renderer]:
    """Renderers for rows that are indices into a stored pool (``st.<pool>[row][key]``)."""
    return lambda key: lambda st, i: getattr(st, pool)[i][key]


_org_key, _idea_user_key = _pool("orgs"), _pool("idea_users")


def _org_of_person(st: State, i: int) -> list[Any]:
    # person i's e-mail domain is customer<i % 37>; organization k owns customer<k>
    return [st.org(i % CUSTOMER_DOMAINS)] if i % CUSTOMER_DOMAINS < len(ORGS) else []


ORG_FIELDS: dict[str, Renderer] = {
    **{k: _org_key(k) for k in ("id", "name", "created_at")},
    "updated_at": lambda st, i: format_ms(st.org_times[i][1]),
    "url": lambda st, i: st.org(i)["url"],
    "resource": lambda st, i: st.org(i)["resource"],
    "endorsements_count": lambda st, i: sum(v.org == i for v in st.votes),
    "email_domains": lambda st, i: f"customer{i}.example.org" if i < CUSTOMER_DOMAINS else "",
    "revenue": lambda st, i: st.org_revenue[i],
    "custom_fields": lambda st, i: [],
    "integration_fields": lambda st, i: [],
}
ORG_LIST = ("id", "name", "created_at", "url", "resource")  # = a vote's idea_organization

IDEA_USER_FIELDS: dict[str, Renderer] = {
    **{k: _idea_user_key(k) for k in ("id", "name", "email")},
    "discovery_interview_count": lambda st, i: 0,
    "discovery_last_invite": lambda st, i: None,
    "discovery_last_interview": lambda st, i: None,
    "discovery_next_interview": lambda st, i: None,
    "created_at": _idea_user_key("created_at"),
    "idea_organizations": _org_of_person,
    "custom_fields": lambda st, i: [],
    "integration_fields": lambda st, i: [],
}


def _category_key(key: str) -> Renderer:  # rows are (product index, category) pairs
    return lambda st, row: row[1][key]


def _portal_key(key: str) -> Renderer:  # rows are the stored portal dicts
    return lambda st, row: row[key]


CATEGORY_FIELDS: dict[str, Renderer] = {
    k: _category_key(k) for k in ("id", "name", "parent_id", "project_id", "created_at")
}
PORTAL_FIELDS: dict[str, Renderer] = {
    k: _portal_key(k)
    for k in ("id", "title", "portal_enabled", "access_type", "external_url", "created_at")
}
