"""Deleting releases, epics, features, initiatives and goals.

Nothing may point at a deleted record, so its dependants change with it, each with an update
audit and a new ``updated_at`` (the same moment): features and epics of a deleted release move
to their product's parking lot; links to a deleted epic, initiative or goal are cleared; ideas
promoted to a deleted feature lose their ``feature``; a feature's requirements are deleted
with it (destroy audits associated with the feature). A parking lot cannot be deleted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..audits import subjects
from ..audits.log import write
from .records import Rec, find_rec

if TYPE_CHECKING:
    from ..state import State


def delete_rec(st: State, kind: str, ident: str | int) -> None:
    """Remove the record from its list and the id index; destroy audit last."""
    rec = find_rec(st, kind, ident)
    if rec.parking_lot:
        raise ValueError("a product's parking lot release cannot be deleted")
    at = st.now()
    if kind == "feature":
        _drop_requirements(st, rec, at)
        _unlink_ideas(st, rec, at)
    for other in (r for recs in st.recs.values() for r in recs if r is not rec):
        changed = _unlink(st, other, rec)
        if changed:
            other.updated = at
            write(st, "update", subjects.of_rec(st, other), at, changed)
    st.recs[kind].remove(rec)
    del st.rec_index[rec.id]
    write(st, "destroy", subjects.of_rec(st, rec), at)


def _unlink(st: State, other: Rec, gone: Rec) -> dict[str, str | None]:
    """Clear ``other``'s links to ``gone``; the changed fields (empty: none)."""
    changed: dict[str, str | None] = {}
    if other.release is gone:
        lot = next(r for r in st.recs["release"] if r.product == gone.product and r.parking_lot)
        other.release, other.start, other.end = lot, lot.start, lot.end
        changed["release"] = lot.name
    if other.epic is gone:
        other.epic, changed["epic"] = None, None
    if other.initiative is gone:
        other.initiative, changed["initiative"] = None, None
    if gone in other.goals:
        other.goals = tuple(g for g in other.goals if g is not gone)
        changed["goals"] = ", ".join(g.name for g in other.goals)
    return changed


def _unlink_ideas(st: State, feature: Rec, at: int) -> None:
    for idea in st.ideas:
        if idea.feature is not None and idea.feature[0] == feature.id:
            idea.feature, idea.updated = None, at
            write(st, "update", subjects.of_idea(idea), at, {"feature": None})


def _drop_requirements(st: State, feature: Rec, at: int) -> None:
    own = [r for r in st.requirements if r.parent == str(feature.id)]
    for row in own:
        st.requirements.remove(row)
        write(st, "destroy", subjects.of_row(st, "requirement", row), at, cascaded=True)
