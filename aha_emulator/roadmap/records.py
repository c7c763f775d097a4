"""The stored release/epic/feature/initiative/goal record and the tables it draws from.

References look like APP-R-3 (release), APP-E-2 (epic), APP-12 (feature), APP-S-1 (initiative)
and APP-G-1 (goal); shapes in docs/aha-endpoints.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..common import JSON, RecordNotFoundError

if TYPE_CHECKING:
    from ..state import State

PRODUCTS = (
    ("APP", "Main app"),
    ("WEB", "Web portal"),
    ("MOB", "Mobile apps"),
    ("DATA", "Data platform"),
    ("API", "Public API"),
)
# kind: (reference infix, UI path, API path)
REC_KINDS = {
    "release": ("-R-", "releases", "releases"),
    "epic": ("-E-", "epics", "epics"),
    "feature": ("-", "features", "features"),
    "initiative": ("-S-", "initiatives", "initiatives"),
    "goal": ("-G-", "strategic_imperatives", "goals"),
}
# workflow statuses per kind (name, complete, color); epics use the feature workflow, as in the
# docs' product example ("epic_workflow" = the feature workflow); goals' statuses are the
# success-metric statuses.
REC_STATUSES = {
    "release": (
        ("Not started", False, "#dce7c6"),
        ("In progress", False, "#fbe7a4"),
        ("Shipped", True, "#9fd3a8"),
    ),
    "feature": (
        ("Under consideration", False, "#dce7c6"),
        ("Designed", False, "#ecdd8f"),
        ("Ready to develop", False, "#c7dbf5"),
        ("In development", False, "#fbe7a4"),
        ("Shipped", True, "#9fd3a8"),
        ("Will not implement", True, "#e3c0c0"),
    ),
    "initiative": (
        ("Not started", False, "#dce7c6"),
        ("On track", False, "#9fd3a8"),
        ("At risk", False, "#fbe7a4"),
        ("Done", True, "#c7dbf5"),
    ),
    "goal": (
        ("Off track", False, "#e3c0c0"),
        ("On Track", False, "#ecdd8f"),
        ("Achieved", True, "#9fd3a8"),
    ),
}
STATUS_SET = {
    "release": "release",
    "feature": "feature",
    "epic": "feature",
    "initiative": "initiative",
    "goal": "goal",
}
WORKFLOW_KINDS = ("New", "Improvement", "Bug fix")


@dataclass(slots=True, eq=False)
class Rec:
    """A release, epic, feature, initiative or goal (see ``REC_KINDS``)."""

    kind: str
    id: int
    product: int
    number: int
    name: str
    created: int
    updated: int
    status: int = 0  # index into REC_STATUSES[STATUS_SET[kind]]
    user: int = 0  # owner / assignee (Aha! user pool index)
    start: int | None = None  # start_date, epoch ms (None for parking lots)
    end: int | None = None  # release_date / due_date / end_date
    parking_lot: bool = False
    progress: int = 0
    release: Rec | None = None
    epic: Rec | None = None
    initiative: Rec | None = None
    goals: tuple[Rec, ...] = ()
    desc_id: int = 0
    edits: int = 0
    overrides: JSON | None = None


def rec_ref(st: State, r: Rec) -> str:
    return f"{st.products[r.product]['reference_prefix']}{REC_KINDS[r.kind][0]}{r.number}"


def find_rec(st: State, kind: str, ident: str | int) -> Rec:
    """A release/epic/feature/initiative/goal by numeric id or reference number."""
    text = str(ident).strip()
    if text.isdigit():
        rec = st.rec_index.get(int(text))
    else:
        refs = (r for r in st.recs[kind] if rec_ref(st, r).upper() == text.upper())
        rec = next(refs, None)
    if rec is None or rec.kind != kind:
        raise RecordNotFoundError(text)
    return rec
