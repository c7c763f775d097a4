"""Every endpoint the emulator serves, each described once: path, envelope key, handler, the
query filters it honours (others are ignored, as by Aha!), and the plan feature without which it
answers 403. Which list endpoints honour ``updated_since`` and ``fields`` follows the Aha! docs
(see docs/aha-endpoints.md); the plans' exact sets are unverified live.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from .common import JSON
from .custom_fields import render as custom_fields
from .responses import BadRequestError, Query, Response, envelope, json_response
from .workspace import Workspace

Params = Mapping[str, Any]
# (workspace, path argument, honoured filters, offset, limit) -> (total, rows) for lists;
# (workspace, path argument, honoured filters) -> record for single records
ListHandler = Callable[[Workspace, str, Params, int, int], tuple[int, list[JSON]]]
RecordHandler = Callable[[Workspace, str, Params], JSON]

# How each filter is read from the query string; timestamps first: a malformed one is a 400.
FILTERS: dict[str, Callable[[Query, str], Any]] = {
    "updated_since": Query.timestamp,
    "created_since": Query.timestamp,
    "created_before": Query.timestamp,
    "workflow_status": Query.get,
    "q": Query.get,
    "spam": Query.flag,
    "proxy": Query.flag,
    "fields": Query.fields,
    "audit_action": Query.get,
    "auditable_type": Query.get,
    "auditable_id": Query.get,
    "associated_type": Query.get,
    "associated_id": Query.get,
    "after_id": Query.get,
    "user_id": Query.get,
}
ROADMAPS, IDEAS_ADVANCED = "roadmaps", "ideas_advanced"  # plan features
PLAN_FEATURES: dict[str, frozenset[str]] = {
    "roadmaps_ideas_advanced": frozenset({ROADMAPS, IDEAS_ADVANCED}),  # the default: everything
    "roadmaps": frozenset({ROADMAPS}),  # Aha! Roadmaps without the Ideas Advanced add-on
    "ideas_advanced": frozenset({IDEAS_ADVANCED}),
    "ideas_essentials": frozenset(),
}
PLAN_ERROR = "Your Aha! plan does not include this feature."  # TBD: the live wording


@dataclass(frozen=True)
class Endpoint:
    """One GET endpoint; ``{id}`` in the template is the path argument."""

    template: str
    key: str  # envelope key
    handler: ListHandler | RecordHandler
    filters: tuple[str, ...] = ()
    feature: str | None = None  # plan feature required (None: every plan)
    paged: bool = True  # False: one record, ``{key: record}``
    pattern: re.Pattern[str] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pattern", re.compile(self.template.replace("{id}", "([^/]+)")))

    @property
    def name(self) -> str:
        """The route as counted in ``Stats`` and named in plans, e.g. ``GET /api/v1/users``."""
        return f"GET {self.template}"

    def params(self, query: Query) -> dict[str, Any]:
        """The honoured filters, parsed (raises ``BadRequestError``)."""
        return {name: FILTERS[name](query, name) for name in self.filters}

    def answer(self, ws: Workspace, arg: str, query: Query) -> Response:
        """The 200 answer (raises ``BadRequestError`` or ``RecordNotFoundError``)."""
        params = self.params(query)
        if not self.paged:
            record = cast(RecordHandler, self.handler)(ws, arg, params)
            return json_response(200, {self.key: record})
        fetch = cast(ListHandler, self.handler)
        ceiling = ws.personality.max_per_page
        return envelope(self.key, query, lambda o, n: fetch(ws, arg, params, o, n), ceiling)


def _ideas(ws: Workspace, arg: str, p: Params, offset: int, limit: int) -> tuple[int, list[JSON]]:
    return ws.query_ideas(
        offset,
        limit,
        p["fields"],
        updated_since_us=p["updated_since"],
        created_since_us=p["created_since"],
        created_before_us=p["created_before"],
        workflow_status=p["workflow_status"],
        text=p["q"],
        spam=p["spam"],
        product=arg or None,
    )


def _votes(ws: Workspace, arg: str, p: Params, offset: int, limit: int) -> tuple[int, list[JSON]]:
    return ws.query_votes(
        offset,
        limit,
        arg or None,
        p["proxy"],
        p["fields"],
        updated_since_us=p["updated_since"],
        created_since_us=p["created_since"],
        created_before_us=p["created_before"],
    )


_AUDIT_FILTERS = (
    "created_since",
    "created_before",
    "audit_action",
    "auditable_type",
    "auditable_id",
    "associated_type",
    "associated_id",
    "after_id",
    "user_id",
)


def _audits(ws: Workspace, arg: str, p: Params, offset: int, limit: int) -> tuple[int, list[JSON]]:
    after_id = p["after_id"]
    if after_id is not None and not after_id.isdigit():
        raise BadRequestError(f"Invalid value for after_id: {after_id!r}")
    return ws.query_audits(
        offset,
        limit,
        audit_action=p["audit_action"],
        auditable_type=p["auditable_type"],
        auditable_id=p["auditable_id"],
        associated_type=p["associated_type"],
        associated_id=p["associated_id"],
        created_since_us=p["created_since"],
        created_before_us=p["created_before"],
        after_id=None if after_id is None else int(after_id),
        user_id=p["user_id"],
    )


def _resource(name: str) -> ListHandler:
    def handler(ws: Workspace, arg: str, p: Params, offset: int, limit: int) -> Any:
        fields, since = p.get("fields"), p.get("updated_since")
        return ws.query_resource(
            name, offset, limit, fields, updated_since_us=since, product=arg or None
        )

    return handler


def _table(name: str) -> ListHandler:
    """An issue-14 table's list; the path argument, if any, is the parent's id."""

    def handler(ws: Workspace, arg: str, p: Params, offset: int, limit: int) -> Any:
        fields, since = p.get("fields"), p.get("updated_since")
        return ws.query_table(
            name, offset, limit, fields, updated_since_us=since, parent=arg or None
        )

    return handler


def _workflows(ws: Workspace, arg: str, p: Params) -> Any:
    """A product's workflows: the whole list, without a ``pagination`` block (as documented)."""
    return ws.query_table("workflows", 0, 1_000_000, parent=arg)[1]


def _list(template: str, key: str, *filters: str, feature: str | None = None) -> Endpoint:
    """An account-level list whose envelope key is also its ``Workspace`` resource name."""
    return Endpoint(f"/api/v1/{template}", key, _resource(key), filters, feature)


_IDEA_FILTERS = (
    "updated_since",
    "created_since",
    "created_before",
    "workflow_status",
    "q",
    "spam",
    "fields",
)
_VOTE_FILTERS = ("updated_since", "created_since", "created_before", "proxy", "fields")
_SINCE, _FIELDS = "updated_since", "fields"

ENDPOINTS: tuple[Endpoint, ...] = (  # matched in order
    Endpoint("/api/v1/ideas", "ideas", _ideas, _IDEA_FILTERS),
    # before /ideas/{id}: "endorsements" is not an idea id
    Endpoint("/api/v1/ideas/endorsements", "idea_endorsements", _votes, _VOTE_FILTERS),
    Endpoint(
        "/api/v1/ideas/{id}",
        "idea",
        lambda ws, arg, p: ws.query_idea(arg, p["fields"]),
        (_FIELDS,),
        paged=False,
    ),
    Endpoint("/api/v1/ideas/{id}/endorsements", "idea_endorsements", _votes, _VOTE_FILTERS),
    Endpoint(
        "/api/v1/ideas/{id}/idea_comments",
        "idea_comments",
        lambda ws, arg, p, o, n: ws.query_idea_comments(arg, o, n, p["spam"], p["fields"]),
        ("spam", _FIELDS),
    ),
    Endpoint(
        "/api/v1/ideas/{id}/comments",
        "comments",
        lambda ws, arg, p, o, n: ws.query_internal_comments(arg, o, n),
    ),
    _list("products", "products", _SINCE, _FIELDS),
    Endpoint("/api/v1/products/{id}/ideas", "ideas", _ideas, _IDEA_FILTERS),
    _list("products/{id}/idea_categories", "idea_categories"),
    _list("products/{id}/releases", "releases", _SINCE, _FIELDS, feature=ROADMAPS),
    _list("idea_organizations", "idea_organizations", _FIELDS, feature=IDEAS_ADVANCED),
    _list("idea_users", "idea_users"),
    _list("idea_portals", "idea_portals"),
    _list("features", "features", _SINCE, _FIELDS, feature=ROADMAPS),
    _list("epics", "epics", _SINCE, _FIELDS, feature=ROADMAPS),
    _list("initiatives", "initiatives", _SINCE, feature=ROADMAPS),
    _list("goals", "goals", feature=ROADMAPS),
    _list("users", "users"),
    # No paging and no `pagination` block in Aha!'s examples: every row in one answer.
    Endpoint(
        "/api/v1/custom_field_definitions",
        "custom_field_definitions",
        lambda ws, arg, p: cast(JSON, custom_fields.definitions()),  # a list, unpaged
        paged=False,
    ),
    Endpoint(
        "/api/v1/custom_field_definitions/{id}/options",
        "options",
        lambda ws, arg, p: cast(JSON, custom_fields.options(arg)),
        paged=False,
    ),
    Endpoint("/api/v1/idea_themes", "idea_themes", _table("idea_themes")),
    Endpoint("/api/v1/tasks", "tasks", _table("tasks"), (_SINCE, _FIELDS)),
    Endpoint(
        "/api/v1/features/{id}/requirements",
        "requirements",
        _table("requirements"),
        (_SINCE,),
        ROADMAPS,
    ),
    Endpoint("/api/v1/integrations", "integrations", _table("integrations"), (_FIELDS,)),
    Endpoint("/api/v1/products/{id}/workflows", "workflows", _workflows, paged=False),
    Endpoint("/api/v1/teams", "teams", _table("teams"), (_FIELDS,), ROADMAPS),
    Endpoint("/api/v1/idea_portals/{id}/portal_users", "portal_users", _table("portal_users")),
    Endpoint(
        "/api/v1/ideas/{id}/subscriptions", "idea_subscriptions", _table("idea_subscriptions")
    ),
    # issue 13: record history (12 months) and the recycle bin (7 days)
    Endpoint("/api/v1/audits", "audits", _audits, _AUDIT_FILTERS),
    Endpoint(
        "/api/v1/deletions",
        "deletions",
        lambda ws, arg, p, o, n: ws.query_deletions(o, n),
    ),
)
ROUTE_NAMES = frozenset(e.name for e in ENDPOINTS)
# Routes each plan answers 403.
PLANS: dict[str, frozenset[str]] = {
    plan: frozenset(e.name for e in ENDPOINTS if e.feature and e.feature not in features)
    for plan, features in PLAN_FEATURES.items()
}


def match(path: str) -> tuple[Endpoint, str] | None:
    """The endpoint serving ``path`` and its (still URL-encoded) path argument."""
    for endpoint in ENDPOINTS:
        found = endpoint.pattern.fullmatch(path)
        if found:
            return endpoint, found.group(1) if found.groups() else ""
    return None
