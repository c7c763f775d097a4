"""Adding and editing organizations (later proxy votes may use a new one), with audits."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..audits import subjects
from ..audits.log import write
from ..common import JSON, RecordNotFoundError, format_ms, render
from .render import ORG_FIELDS

if TYPE_CHECKING:
    from ..state import State


def add_idea_organization(st: State, name: str | None = None) -> JSON:
    now, org_id = st.now(), st.rec_ids.next(st.rng)
    name = name or f"New organization {len(st.orgs) + 1}"
    st.orgs.append({"id": str(org_id), "name": name, "created_at": format_ms(now)})
    st.org_times.append([now, now])
    st.org_revenue.append(None)
    write(st, "create", subjects.of_org(st, len(st.orgs) - 1), now, {"name": name})
    return render(st, ORG_FIELDS, len(st.orgs) - 1, ORG_FIELDS)


def edit_idea_organization(
    st: State, org_id: str | int, name: str | None = None, revenue: str | None = None
) -> JSON:
    i = next((n for n, o in enumerate(st.orgs) if o["id"] == str(org_id)), None)
    if i is None:
        raise RecordNotFoundError(str(org_id))
    st.orgs[i]["name"] = name or st.orgs[i]["name"] + " (edited)"
    if revenue is not None:
        st.org_revenue[i] = revenue
    st.org_times[i][1] = st.now()
    changes = {"name": st.orgs[i]["name"], **({"revenue": revenue} if revenue is not None else {})}
    write(st, "update", subjects.of_org(st, i), st.org_times[i][1], changes)
    return render(st, ORG_FIELDS, i, ORG_FIELDS)
