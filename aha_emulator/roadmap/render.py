"""JSON shapes of products, Aha! users, releases, epics, features, initiatives and goals.

Each registry lists its fields in the order Aha! sends them; ``*_LIST`` are the abbreviated
list rows (``fields=`` selects more).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..common import ABSENT, JSON, Renderer, format_ms, render, words
from ..custom_fields.render import RECORD_TYPES, custom_fields
from ..extras.queries import requirement_links
from .records import REC_KINDS, STATUS_SET, WORKFLOW_KINDS, Rec, rec_ref

if TYPE_CHECKING:
    from ..state import State

_TIMEZONES = words(
    "Pacific/Auckland|America/Mexico_City|Asia/Istanbul|Asia/Kolkata|Europe/London|"
    "America/New_York|Europe/Berlin|Asia/Tokyo"
)
_ROLES_BY_NUMBER = ((20, "Owner"), (30, "Contributor"), (40, "Reviewer"), (50, "Viewer"))


def _pool(pool: str) -> Callable[[str], Renderer]:
    """Renderers for rows that are indices into a stored pool (``st.<pool>[row][key]``)."""
    return lambda key: lambda st, i: getattr(st, pool)[i][key]


_product_key, _user_key = _pool("products"), _pool("users")

PRODUCT_FIELDS: dict[str, Renderer] = {
    **{k: _product_key(k) for k in ("id", "reference_prefix", "name", "product_line")},
    "product_line_type": lambda st, p: None,
    "created_at": _product_key("created_at"),
    "updated_at": lambda st, p: format_ms(st.product_times[p][1]),
    "workspace_type": _product_key("workspace_type"),
    "url": lambda st, p: st.product(p)["url"],
    "resource": lambda st, p: st.product(p)["url"],  # sic: the docs' example repeats the url
    "has_ideas": lambda st, p: True,
    "has_master_features": lambda st, p: True,
    "has_epics": lambda st, p: True,
}
PRODUCT_LIST = (
    "id",
    "reference_prefix",
    "name",
    "product_line",
    "created_at",
    "workspace_type",
    "url",
)

USER_FIELDS: dict[str, Renderer] = {
    **{k: _user_key(k) for k in ("id", "name", "email")},
    "timezone": lambda st, i: _TIMEZONES[i % len(_TIMEZONES)],
    "created_at": _user_key("created_at"),
    "updated_at": _user_key("updated_at"),
    "accessed_at": lambda st, i: None if i % 5 == 4 else st.users[i]["updated_at"],
    "product_roles": lambda st, i: [
        {
            "role": _ROLES_BY_NUMBER[(i + p) % 4][0],
            "role_description": _ROLES_BY_NUMBER[(i + p) % 4][1],
            "product_id": product["id"],
            "product_name": product["name"],
        }
        for p, product in enumerate(st.products)
        if (i + p) % 3
    ],
    "user_roles": lambda st, i: [],
    "enabled": lambda st, i: i % 11 != 10,
    "paid_seat": lambda st, i: True,
    "roadmaps_seat": lambda st, i: True,
    "develop_seat": lambda st, i: False,
    "teamwork_seat": lambda st, i: False,
    "administrator": lambda st, i: i < 3,
    "administrator_roles": lambda st, i: {
        "administer_account": i < 3,
        "administer_billing": i == 0,
        "administer_configuration": i < 3,
    },
    "identity_provider": lambda st, i: {"type": "password"},
}


def _rec_url(st: State, r: Rec) -> str:
    return f"{st.base_url}/{REC_KINDS[r.kind][1]}/{rec_ref(st, r)}"


def _rec_resource(st: State, r: Rec) -> str:
    return f"{st.base_url}/api/v1/{REC_KINDS[r.kind][2]}/{rec_ref(st, r)}"


def _date(ms: int | None) -> Any:
    return None if ms is None else format_ms(ms)[:10]


def _rec_status(st: State, r: Rec) -> JSON:
    return dict(st.rec_statuses[STATUS_SET[r.kind]][r.status])


def _rec_description(st: State, r: Rec) -> JSON:
    return {
        "id": str(r.desc_id),
        "body": f"<p>{r.name}: why it matters and what done looks like.</p>",
        "editor_version": 2,
        "created_at": format_ms(r.created),
        "updated_at": format_ms(r.created),
        "attachments": [],
    }


def _user(shift: int = 0) -> Renderer:
    """An Aha! user object from the record's user index (shifted for a second person)."""
    return lambda st, r: st.person("user", (r.user + shift) % len(st.users))


def _ref_of(attr: str) -> Renderer:
    def field(st: State, r: Rec) -> str | None:
        linked = getattr(r, attr)
        return None if linked is None else rec_ref(st, linked)

    return field


def _goal_link(st: State, g: Rec) -> JSON:
    """A goal as embedded in features and initiatives (``resource`` under /api/v1/goals)."""
    return {
        "id": str(g.id),
        "name": g.name,
        "url": _rec_url(st, g),
        "resource": _rec_resource(st, g),
        "created_at": format_ms(g.created),
        "description": _rec_description(st, g),
    }


def _initiative_link(st: State, i: Rec) -> JSON:
    return {
        "id": str(i.id),
        "reference_num": rec_ref(st, i),
        "name": i.name,
        "url": _rec_url(st, i),
        "resource": _rec_resource(st, i),
        "created_at": format_ms(i.created),
        "description": _rec_description(st, i),
        "integration_fields": [],
    }


def _no_items(st: State, r: Rec) -> list[Any]:
    return []


def _assignee(st: State, r: Rec) -> JSON:
    return {**st.person("user", r.user), "default_assignee": False}


def _rec_custom_fields(st: State, r: Rec) -> list[JSON]:
    """Features', epics' and initiatives' values follow their definitions; others have none."""
    if r.kind not in RECORD_TYPES:
        return []
    return custom_fields(st, r.kind, r.id, r.created)


_REC_SHARED: dict[str, Renderer] = {
    "custom_fields": _rec_custom_fields,
    "id": lambda st, r: str(r.id),
    "reference_num": rec_ref,
    "name": lambda st, r: r.name,
    "created_at": lambda st, r: format_ms(r.created),
    "updated_at": lambda st, r: format_ms(r.updated),
    "url": _rec_url,
    "resource": _rec_resource,
    "product_id": lambda st, r: st.products[r.product]["id"],
    "project": lambda st, r: st.product(r.product),
    "workflow_status": _rec_status,
    "description": _rec_description,
    "position": lambda st, r: r.number,
    "progress": lambda st, r: r.progress,
    "progress_source": lambda st, r: "progress_manual",
    "duration_source": lambda st, r: "duration_manual",
    "start_date": lambda st, r: _date(r.start),
    "due_date": lambda st, r: _date(r.end),
    "end_date": lambda st, r: _date(r.end),
    "initiative_reference_num": _ref_of("initiative"),
    "release_reference_num": _ref_of("release"),
    "epic_reference_num": _ref_of("epic"),
    "release": lambda st, r: render(st, RELEASE_FIELDS, r.release, RELEASE_LIST),
    "goals": lambda st, r: [_goal_link(st, g) for g in r.goals],
    "owner": _user(),
    "created_by_user": _user(7),
    "assigned_to_user": _assignee,
    "effort": lambda st, r: 10 * (1 + r.id % 5),
    "value": lambda st, r: 10 * (1 + r.id // 7 % 5),
    "color": lambda st, r: "#bada55",
    "score": lambda st, r: r.id % 61,
    "comments_count": lambda st, r: 0,
    **dict.fromkeys(
        (
            "attachments",
            "integration_fields",
            "key_results",
            "score_facts",
            "tags",
            "full_tags",
            "requirements",
            "feature_links",
        ),
        _no_items,
    ),
}


def _rec_fields(names: str, **own: Renderer) -> dict[str, Renderer]:
    """A registry in the order of the space-separated ``names``: ``own`` or shared renderers."""
    return {name: own.get(name) or _REC_SHARED[name] for name in names.split()}


def _parking_absent(key: str) -> Renderer:
    """Parking lot releases have no dates at all (the keys are absent, as in the docs)."""
    return lambda st, r: ABSENT if r.parking_lot else _REC_SHARED[key](st, r)


RELEASE_FIELDS: dict[str, Renderer] = _rec_fields(
    # list rows
    "id reference_num name start_date release_date parking_lot created_at product_id "
    "integration_fields url resource owner project "
    # fields=... / *
    "end_date released master_release released_on updated_at position progress "
    "progress_source workflow_status custom_fields comments_count goals key_results "
    "created_by_user",
    start_date=_parking_absent("start_date"),
    release_date=_parking_absent("end_date"),
    end_date=_parking_absent("end_date"),
    parking_lot=lambda st, r: r.parking_lot,
    released=lambda st, r: r.status == 2,
    master_release=lambda st, r: False,
    released_on=lambda st, r: _date(r.end) if r.status == 2 else None,
    progress_source=lambda st, r: "progress_from_features_completed",
    goals=lambda st, r: [],
)
RELEASE_LIST: tuple[str, ...] = tuple(RELEASE_FIELDS)[:13]

FEATURE_FIELDS: dict[str, Renderer] = _rec_fields(
    # list rows
    "id reference_num name created_at url resource product_id "
    # fields=... / *
    "initiative_reference_num release_reference_num epic_reference_num position score "
    "updated_at start_date due_date progress progress_source created_by_user workflow_kind "
    "workflow_status project description attachments integration_fields release "
    "assigned_to_user requirements goals key_results comments_count score_facts tags "
    "full_tags custom_fields feature_links",
    workflow_kind=lambda st, r: dict(st.workflow_kinds[r.number % len(WORKFLOW_KINDS)]),
    requirements=lambda st, r: requirement_links(st, r.id),
)
FEATURE_LIST: tuple[str, ...] = tuple(FEATURE_FIELDS)[:7]

EPIC_FIELDS: dict[str, Renderer] = _rec_fields(
    # list rows
    "id reference_num name created_at url resource "
    # fields=... / *
    "product_id initiative_reference_num release_reference_num position updated_at "
    "start_date due_date progress progress_source duration_source created_by_user "
    "workflow_status project description attachments integration_fields release "
    "assigned_to_user comments_count tags custom_fields",
)
EPIC_LIST: tuple[str, ...] = tuple(EPIC_FIELDS)[:6]

INITIATIVE_FIELDS: dict[str, Renderer] = _rec_fields(  # list rows are full records
    "id name reference_num status effort value presented color start_date end_date position "
    "score created_at updated_at product_id progress progress_source duration_source url "
    "resource project workflow_status description attachments assigned_to_user "
    "comments_count goals key_results score_facts integration_fields custom_fields",
    status=lambda st, r: _rec_status(st, r)["name"].lower().replace(" ", "_"),
    presented=lambda st, r: True,
    score=lambda st, r: r.id % 23,
)

GOAL_FIELDS: dict[str, Renderer] = _rec_fields(  # list rows are full records
    "id name reference_num effort value color position created_at updated_at product_id "
    "progress progress_source url resource description success_metric project initiatives "
    "key_results comments_count features releases custom_fields",
    resource=_rec_url,  # sic: goal list rows repeat the UI url (so does the docs' example)
    success_metric=lambda st, r: {
        "name": f"Metric for {r.name}",
        "description": _rec_description(st, r),
        "workflow_status": _rec_status(st, r),
    },
    initiatives=lambda st, r: [
        _initiative_link(st, i) for i in st.recs["initiative"] if r in i.goals
    ],
    features=lambda st, r: [
        render(st, FEATURE_FIELDS, f, FEATURE_LIST) for f in st.recs["feature"] if r in f.goals
    ],
    releases=lambda st, r: [],
)

REC_FIELDS = {
    "release": RELEASE_FIELDS,
    "feature": FEATURE_FIELDS,
    "epic": EPIC_FIELDS,
    "initiative": INITIATIVE_FIELDS,
    "goal": GOAL_FIELDS,
}
