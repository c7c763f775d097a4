"""JSON shapes of portal idea comments and internal comments."""

from __future__ import annotations

from ..common import Renderer, format_ms, render
from ..ideas.render import IDEA_ABBREVIATED, IDEA_FIELDS, creator, idea_resource, idea_url

COMMENT_FIELDS: dict[str, Renderer] = {
    "id": lambda st, c: str(c.id),
    "idea_id": lambda st, c: str(c.idea.id),
    "body": lambda st, c: c.body,
    "created_at": lambda st, c: format_ms(c.created),
    "updated_at": lambda st, c: format_ms(c.updated),
    "visibility": lambda st, c: c.visibility,
    "parent_idea_comment_id": lambda st, c: None if c.parent is None else c.parent.id,
    "spam": lambda st, c: c.spam,
    "idea_commenter_user": creator("user"),
    "idea_commenter_portal_user": creator("portal"),
    "idea_commenter_idea_user": creator("idea_user"),
    "idea": lambda st, c: render(st, IDEA_FIELDS, c.idea, IDEA_ABBREVIATED),
    "attachments": lambda st, c: [],
}
COMMENT_ALL = tuple(COMMENT_FIELDS)
COMMENT_DEFAULT = tuple(  # updated_at, spam and two of the commenters only when asked for
    k
    for k in COMMENT_FIELDS
    if k not in ("updated_at", "spam", "idea_commenter_portal_user", "idea_commenter_idea_user")
)

INTERNAL_FIELDS: dict[str, Renderer] = {
    "id": lambda st, c: str(c.id),
    "body": lambda st, c: c.body,
    "created_at": lambda st, c: format_ms(c.created),
    "updated_at": lambda st, c: format_ms(c.updated),
    "user": lambda st, c: st.person("user", c.user),
    "attachments": lambda st, c: [],
    "url": lambda st, c: f"{st.base_url}/comments/{c.id}",
    "resource": lambda st, c: f"{st.base_url}/api/v1/comments/{c.id}",
    "commentable": lambda st, c: {
        "type": "Idea",
        "id": str(c.idea.id),
        "product_id": st.products[c.idea.product]["id"],
        "url": idea_url(st, c.idea),
        "resource": idea_resource(st, c.idea),
    },
}
