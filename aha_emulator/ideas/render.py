"""The JSON shape of an idea: the full ``GET /ideas/:id`` record and the abbreviated list row."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..comments.records import COMMENTS
from ..common import JSON, Renderer, format_ms, format_seconds, render
from ..custom_fields.render import custom_fields
from ..roadmap.render import FEATURE_FIELDS, FEATURE_LIST
from .records import SCORE_FACTS, TAGS, Idea

if TYPE_CHECKING:
    from ..state import State


def _description(st: State, i: Idea) -> JSON:
    attachments = []
    if i.attachment_id is not None:
        attachments.append(
            {
                "id": str(i.attachment_id),
                "download_url": f"{st.base_url}/attachments/{i.attachment_id}/token/abc.download",
                "created_at": format_ms(i.created),
                "updated_at": format_ms(i.created),
                "original_file_size": 48213,
                "content_type": "image/png",
                "file_name": "screenshot.png",
                "file_size": 48213,
            }
        )
    return {
        "id": str(i.desc_id),
        "body": i.body,
        "editor_version": 2,
        "created_at": format_ms(i.created),
        "updated_at": format_ms(i.desc_updated),
        "attachments": attachments,
    }


def _comments_count(st: State, i: Idea) -> int:
    """Non-spam portal comments, internal comments or both, as the personality says."""
    counted = st.personality.comments_count
    portal = sum(1 for c in i.comments if not c.spam) if counted != "internal" else 0
    return portal + (len(i.internal) if counted != "portal" else 0)


def _custom_fields(st: State, i: Idea) -> list[JSON]:
    if i.custom is None:
        return []
    base, segment, value, platforms = i.custom
    at = format_seconds(i.created)
    return [
        {
            "id": base,
            "key": "customer_segment",
            "name": "Customer segment",
            "updatedAt": at,
            "value": segment,
            "type": "string",
        },
        {
            "id": base + 1,
            "key": "expected_value",
            "name": "Expected value (€)",
            "updatedAt": at,
            "value": value,
            "type": "number",
        },
        {
            "id": base + 2,
            "key": "platforms",
            "name": "Platforms",
            "updatedAt": at,
            "value": list(platforms),
            "type": "array",
        },
        # the idea fields added with the definitions (custom_fields/records.py)
        *custom_fields(st, "idea", i.id, i.created, _LATER_IDEA_FIELDS),
    ]


_LATER_IDEA_FIELDS = frozenset({"launch_date", "reviewers", "legal_review", "crm_link", "impact"})


def _integration_fields(st: State, i: Idea) -> list[JSON]:
    if i.jira_key is None:
        return []
    return [
        {
            "id": str(i.desc_id + 1),
            "name": "key",
            "value": i.jira_key,
            "integration_id": 91_001,
            "service_name": "jira",
            "created_at": format_ms(i.created),
        }
    ]


def _custom_object_links(st: State, i: Idea) -> list[JSON]:
    if i.custom is None or i.custom[1] != "Enterprise":
        return []
    return [
        {
            "key": "related_accounts",
            "name": "Related accounts",
            "record_type": "CustomObjectRecord",
            "record_ids": [str(i.custom[0] + 10)],
        }
    ]


def _feature(st: State, i: Idea) -> JSON | None:
    """The feature the idea was promoted to: its ``GET /features`` list row."""
    if i.feature is None:
        return None
    return render(st, FEATURE_FIELDS, st.rec_index[i.feature[0]], FEATURE_LIST)


def _admin_response(st: State, i: Idea) -> JSON | None:
    if i.response is None:
        return None
    rid, body, at, user = i.response
    return {
        "id": str(rid),
        "body": COMMENTS[body],
        "editor_version": 2,
        "created_at": format_ms(at),
        "updated_at": format_ms(at),
        "attachments": [],
        "responded_by_user": st.person("user", user),
    }


def _status_times(st: State, i: Idea) -> list[JSON]:
    return [
        {
            "status_id": st.statuses[s]["id"],
            "status_name": st.statuses[s]["name"],
            "started_at": format_ms(start),
            "ended_at": format_ms(end) if end else None,
        }
        for s, start, end in i.status_times
    ]


def creator(kind: str) -> Renderer:
    """The idea's creator (or a comment's author) if it is of ``kind``, else null."""

    def field(st: State, row: Any) -> JSON | None:
        who, index = row.creator if isinstance(row, Idea) else row.author
        return st.person(kind, index) if who == kind else None

    return field


def idea_url(st: State, i: Idea) -> str:
    return f"{st.base_url}/ideas/ideas/{i.ref}"


def idea_resource(st: State, i: Idea) -> str:
    return f"{st.base_url}/api/v1/ideas/{i.ref}"


IDEA_FIELDS: dict[str, Renderer] = {
    "id": lambda st, i: str(i.id),
    "reference_num": lambda st, i: i.ref,
    "name": lambda st, i: i.name,
    "created_at": lambda st, i: format_ms(i.created),
    "updated_at": lambda st, i: format_ms(i.updated),
    "product_id": lambda st, i: st.products[i.product]["id"],
    "product": lambda st, i: st.product(i.product),
    "workflow_status": lambda st, i: dict(st.statuses[i.status]),
    "status_changed_at": lambda st, i: (
        format_ms(i.status_times[-1][1]) if len(i.status_times) > 1 else None
    ),
    "description": _description,
    "votes": lambda st, i: i.initial_votes + sum(v.weight for v in i.votes),
    "initial_votes": lambda st, i: i.initial_votes,
    "endorsements_count": lambda st, i: len(i.votes),
    "comments_count": _comments_count,
    "score": lambda st, i: sum(v for _, v in i.score_facts) * 3,
    "score_facts": lambda st, i: [
        {"id": SCORE_FACTS[f][0], "name": SCORE_FACTS[f][1], "value": v} for f, v in i.score_facts
    ],
    "visibility": lambda st, i: i.visibility,
    "categories": lambda st, i: [dict(st.categories[c][1]) for c in i.categories],
    "tags": lambda st, i: [TAGS[t] for t in i.tags],
    "full_tags": lambda st, i: [dict(st.tags[t]) for t in i.tags],
    "custom_fields": _custom_fields,
    "integration_fields": _integration_fields,
    "custom_object_links": _custom_object_links,
    "feature": _feature,
    "duplicate_of": lambda st, i: None,
    "created_by_user": creator("user"),
    "created_by_portal_user": creator("portal"),
    "created_by_idea_user": creator("idea_user"),
    "assigned_to_user": lambda st, i: None if i.assignee is None else st.person("user", i.assignee),
    "admin_response": _admin_response,
    "workflow_status_times": _status_times,
    "submitted_idea_portal_record_url": lambda st, i: f"{st.base_url}/portal/ideas/{i.ref}",
    "url": idea_url,
    "resource": idea_resource,
}
IDEA_FULL = tuple(IDEA_FIELDS)
IDEA_ABBREVIATED = (
    "id",
    "reference_num",
    "name",
    "created_at",
    "updated_at",
    "workflow_status",
    "description",
    "url",
    "resource",
)
