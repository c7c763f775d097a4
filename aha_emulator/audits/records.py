"""The stored audit, and the two spellings of ``auditable_type``.

Aha! does not document the type names: responses show lower-case names (``feature``), query
examples ``Feature``, other places ``Ideas::Idea``. The personality's ``audit_types`` picks the
spelling the emulator answers with (also ``plural``, ``idea_comments``, and ``unknown``,
``Aha::IdeaCommentRecord``, a spelling no client could guess); filters accept every one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# snake name -> class name
TYPES: dict[str, str] = {
    "idea": "Ideas::Idea",
    "idea_endorsement": "Ideas::IdeaEndorsement",  # votes, proxy or not
    "idea_comment": "Ideas::IdeaComment",  # portal comments
    "comment": "Comment",  # internal comments
    "feature": "Feature",
    "release": "Release",
    "epic": "Epic",
    "initiative": "Initiative",
    "project": "Project",  # products (workspaces)
    "goal": "Goal",
    "user": "User",
    "task": "Task",
    "requirement": "Requirement",
    "idea_organization": "Ideas::IdeaOrganization",
    "idea_subscription": "Ideas::IdeaSubscription",
}
AUDIT_TYPE_STYLES = ("snake", "class", "plural", "unknown")
ACTIONS = ("create", "update", "destroy")
API_USER = 0  # index of the Aha! user who owns the API key: the author of every mutation
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


@dataclass(slots=True, eq=False)
class Subject:
    """What an audit says about its record (captured when written: it may be deleted later)."""

    kind: str  # a key of TYPES
    id: int
    name: str
    ref: str | None  # reference number, if the record has one
    path: str  # auditable_url below the emulator's address
    associated: tuple[str, int] | None = None  # (kind, id) of the parent record


@dataclass(slots=True, eq=False)
class Audit:
    id: int
    action: str  # one of ACTIONS
    created: int  # epoch ms: the mutation's time
    subject: Subject
    user: int = API_USER  # Aha! user pool index
    changes: tuple[tuple[str, Any], ...] = ()
    cascaded: bool = False  # destroyed with its parent: in the recycle bin only through it
    bin_id: int | None = None  # the recycle-bin row of a direct destroy


def type_name(style: str, kind: str) -> str:
    """``kind`` spelled in one of ``AUDIT_TYPE_STYLES``."""
    if style == "class":
        return TYPES[kind]
    if style == "plural":
        return f"{kind}s"
    if style == "unknown":
        return "Aha::" + "".join(w.capitalize() for w in kind.split("_")) + "Record"
    return kind


def normalise_type(text: str) -> str:
    """A type filter in any spelling (any case; ``Idea``, ``Ideas::Idea``, ``ideas`` and
    ``Aha::IdeaRecord`` alike) as the snake name; unknown names come back unchanged (lower
    case) and match nothing."""
    wanted = text.strip()
    for snake in TYPES:
        if any(wanted.lower() == type_name(s, snake).lower() for s in AUDIT_TYPE_STYLES):
            return snake
    bare = wanted.rsplit("::", 1)[-1]
    return _CAMEL.sub("_", bare).lower()
