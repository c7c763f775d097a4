"""The stored idea and the tables its fields draw from (statuses, tags, score facts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..common import JSON

if TYPE_CHECKING:
    from ..comments.records import Comment, Internal
    from ..state import State
    from ..votes.records import Vote

STATUSES: tuple[tuple[str, bool, str, int], ...] = (
    # name, complete, color, weight (percent of generated ideas)
    ("New", False, "#dce7c6", 35),
    ("Under consideration", False, "#fbe7a4", 20),
    ("Future consideration", False, "#c7dbf5", 15),
    ("Planned", False, "#b8e0d2", 12),
    ("Shipped", True, "#9fd3a8", 10),
    ("Will not implement", True, "#e3c0c0", 8),
)
TAGS = ("Engineering", "Infrastructure", "UX", "Enterprise", "Quick win", "Mobile", "Billing")
TAG_COLORS = ("#0073cf", "#ffb100", "#70b400", "#e5007e", "#8c4799", "#00a3a1", "#d46b08")
SCORE_FACTS = (("6101000001", "Value"), ("6101000002", "Effort"), ("6101000003", "Reach"))


@dataclass(slots=True, eq=False)
class Idea:
    id: int
    ref: str
    name: str
    created: int
    updated: int
    product: int
    status: int
    status_times: list[tuple[int, int, int | None]]  # (status index, started, ended)
    desc_id: int
    body: str
    desc_updated: int
    attachment_id: int | None
    initial_votes: int
    score_facts: tuple[tuple[int, int], ...]  # (fact index, value)
    visibility: str
    categories: tuple[int, ...]
    tags: tuple[int, ...]
    custom: tuple[int, str | None, int | None, tuple[str, ...]] | None  # id base, seg, value, plat
    creator: tuple[str, int]  # ("user" | "portal" | "idea_user", pool index)
    assignee: int | None
    feature: tuple[int, int, int] | None  # (id, number, created)
    response: tuple[int, int, int, int] | None  # (id, body index, created, user index)
    jira_key: str | None
    spam: bool = False
    votes: list[Vote] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    internal: list[Internal] = field(default_factory=list)
    edits: int = 0
    overrides: JSON | None = None


def store_idea(st: State, idea: Idea) -> None:
    """Keep a new idea (ids ascend, so appending keeps the list in id order)."""
    st.ideas.append(idea)
    st.by_id[idea.id] = idea
    st.by_ref[idea.ref.upper()] = idea
