"""The account-level lists (products, organizations, idea users, users, categories, portals,
releases, features, epics, initiatives, goals): where each one's rows are and how to read them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from .accounts.render import CATEGORY_FIELDS, IDEA_USER_FIELDS, ORG_FIELDS, ORG_LIST, PORTAL_FIELDS
from .common import JSON, Renderer, field_names, render
from .roadmap.records import Rec
from .roadmap.render import (
    EPIC_FIELDS,
    EPIC_LIST,
    FEATURE_FIELDS,
    FEATURE_LIST,
    GOAL_FIELDS,
    INITIATIVE_FIELDS,
    PRODUCT_FIELDS,
    PRODUCT_LIST,
    RELEASE_FIELDS,
    RELEASE_LIST,
    USER_FIELDS,
)

if TYPE_CHECKING:
    from .state import State


class Resource(NamedTuple):
    """A listable resource: its rows (ascending id), fields, default list fields, and how to
    read a row's ``updated_at`` (ms) and product index (None: not applicable)."""

    rows: Callable[[State], Sequence[Any]]
    fields: dict[str, Renderer]
    default: tuple[str, ...]
    updated: Callable[[State, Any], int] | None = None
    product: Callable[[State, Any], int] | None = None


def _rec_updated(st: State, r: Rec) -> int:
    return r.updated


def _rec_product(st: State, r: Rec) -> int:
    return r.product


def _recs(kind: str, fields: dict[str, Renderer], default: tuple[str, ...]) -> Resource:
    return Resource(lambda st: st.recs[kind], fields, default, _rec_updated, _rec_product)


RESOURCES: dict[str, Resource] = {
    "products": Resource(
        lambda st: range(len(st.products)),
        PRODUCT_FIELDS,
        PRODUCT_LIST,
        lambda st, p: st.product_times[p][1],
    ),
    "idea_organizations": Resource(
        lambda st: range(len(st.orgs)), ORG_FIELDS, ORG_LIST, lambda st, i: st.org_times[i][1]
    ),
    "idea_users": Resource(
        lambda st: range(len(st.idea_users)), IDEA_USER_FIELDS, tuple(IDEA_USER_FIELDS)
    ),
    "users": Resource(lambda st: range(len(st.users)), USER_FIELDS, tuple(USER_FIELDS)),
    "idea_categories": Resource(
        lambda st: st.categories,
        CATEGORY_FIELDS,
        tuple(CATEGORY_FIELDS),
        product=lambda st, c: c[0],
    ),
    "idea_portals": Resource(lambda st: st.portals, PORTAL_FIELDS, tuple(PORTAL_FIELDS)),
    "releases": _recs("release", RELEASE_FIELDS, RELEASE_LIST),
    "features": _recs("feature", FEATURE_FIELDS, FEATURE_LIST),
    "epics": _recs("epic", EPIC_FIELDS, EPIC_LIST),
    "initiatives": _recs("initiative", INITIATIVE_FIELDS, tuple(INITIATIVE_FIELDS)),
    "goals": _recs("goal", GOAL_FIELDS, tuple(GOAL_FIELDS)),
}


def all_rows(st: State, name: str, names: Iterable[str] | None = None) -> list[JSON]:
    """Every row of a resource, all fields (or ``names``), ascending id."""
    spec = RESOURCES[name]
    wanted = tuple(spec.fields) if names is None else tuple(names)
    return [render(st, spec.fields, r, wanted) for r in spec.rows(st)]


def query_resource(
    st: State,
    name: str,
    offset: int,
    limit: int,
    fields: Sequence[str] | None = None,
    *,
    updated_since_us: int | None = None,
    product: str | None = None,
) -> tuple[int, list[JSON]]:
    """List one of ``RESOURCES`` (ascending id): optional product scope (id or prefix),
    ``updated_at`` after ``updated_since_us`` (strictly, unless the personality says
    otherwise), and ``fields`` as for ideas."""
    spec = RESOURCES[name]
    rows: Iterable[Any] = spec.rows(st)
    if product is not None:
        p, owner = st.find_product(product), spec.product
        assert owner is not None, f"{name} is not listed per product"
        rows = (r for r in rows if owner(st, r) == p)
    if updated_since_us is not None:
        updated = spec.updated
        assert updated is not None, f"{name} has no updated_at"
        keeps, since = st.personality.updated_since_keeps, updated_since_us
        rows = (r for r in rows if keeps(updated(st, r), since))
    matches = list(rows)
    names = field_names(fields, spec.default, tuple(spec.fields))
    return len(matches), [
        render(st, spec.fields, r, names) for r in matches[offset : offset + limit]
    ]
