"""Adding features and editing products, releases, epics, features, initiatives and goals,
with audits."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..audits import subjects
from ..audits.log import write
from ..common import JSON, merge_overrides, render, status_index
from .records import STATUS_SET, Rec, find_rec
from .render import FEATURE_FIELDS, PRODUCT_FIELDS, REC_FIELDS

if TYPE_CHECKING:
    from ..state import State


def add_feature(
    st: State, product_id: str | None = None, release_id: str | None = None, name: str | None = None
) -> JSON:
    """A feature created now in a product (default: the first) and release (default: its
    parking lot)."""
    p = st.find_product(product_id) if product_id is not None else 0
    release = (
        find_rec(st, "release", release_id)
        if release_id is not None
        else next(r for r in st.recs["release"] if r.product == p and r.parking_lot)
    )
    if release.product != p:
        raise ValueError("the release belongs to another product")
    now = st.now()
    st.next_feature[p] += 1
    f = Rec(
        "feature",
        st.rec_ids.next(st.rng),
        p,
        st.next_feature[p],
        name or f"New feature {st.next_feature[p]}",
        now,
        now,
        release=release,
        start=release.start,
        end=release.end,
        desc_id=st.rec_ids.next(st.rng),
    )
    st.recs["feature"].append(f)
    st.rec_index[f.id] = f
    changes = {"name": f.name, "release": release.name}
    write(st, "create", subjects.of_rec(st, f), now, changes)
    return render(st, FEATURE_FIELDS, f, FEATURE_FIELDS)


def edit_rec(st: State, kind: str, ident: str | int, changes: JSON) -> JSON:
    """Bump a record's ``updated_at``; without changes, rename it. ``name`` and
    ``workflow_status`` (name or id) change the record, other fields are overridden."""
    registry = REC_FIELDS[kind]
    rec = find_rec(st, kind, ident)
    changes = dict(changes)
    if not changes:
        rec.edits += 1
        changes = {"name": f"{rec.name.split(' (edited ', 1)[0]} (edited {rec.edits})"}
    audited = dict(changes)
    if "name" in changes:
        rec.name = str(changes.pop("name"))
    if "workflow_status" in changes:
        statuses = st.rec_statuses[STATUS_SET[kind]]
        rec.status = status_index(statuses, changes.pop("workflow_status"))
    rec.overrides = merge_overrides(rec.overrides, registry, changes)
    rec.updated = st.now()
    if "workflow_status" in audited:
        audited["workflow_status"] = st.rec_statuses[STATUS_SET[kind]][rec.status]["name"]
    write(st, "update", subjects.of_rec(st, rec), rec.updated, audited)
    return render(st, registry, rec, registry)


def edit_product(st: State, product_id: str, name: str | None = None) -> JSON:
    """Rename a product (default: append " (edited)") and bump its ``updated_at``."""
    p = st.find_product(product_id)
    st.products[p]["name"] = name or st.products[p]["name"] + " (edited)"
    st.product_times[p][1] = st.now()
    changes = {"name": st.products[p]["name"]}
    write(st, "update", subjects.of_product(st, p), st.product_times[p][1], changes)
    return render(st, PRODUCT_FIELDS, p, PRODUCT_FIELDS)
