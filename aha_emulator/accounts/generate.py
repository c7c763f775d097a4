"""Seeded categories, people (portal user + idea user), organizations and portals.

The pools are drawn from the workspace RNG in a fixed order among the other families' pools
(see ``Workspace``); ``age_orgs`` and ``build_portals`` use the account-level RNG.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from ..common import END_MS, FIRST_NAMES, LAST_NAMES, POOL_START_MS, START_MS, Ids, after, format_ms
from .records import CATEGORIES, CUSTOMER_DOMAINS, ORGS, PEOPLE, PORTALS

if TYPE_CHECKING:
    from ..state import State


def build_categories(st: State, rng: random.Random, pid: Ids) -> None:
    """2-5 categories per product; from the fourth on they are children of the first."""
    for p, product in enumerate(st.products):
        parent: int | None = None
        for c, name in enumerate(CATEGORIES[: rng.randint(2, 5)]):
            cid = pid.next(rng)
            st.categories.append(
                (
                    p,
                    {
                        "id": str(cid),
                        "name": name,
                        "parent_id": parent if c >= 3 else None,
                        "project_id": int(product["id"]),
                        "created_at": format_ms(rng.randint(POOL_START_MS, START_MS)),
                    },
                )
            )
            parent = parent or cid


def build_people(st: State, rng: random.Random, pid: Ids) -> None:
    """Each person is a portal user and an idea user with the same name (and own ids)."""
    for i in range(PEOPLE):
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        joined = format_ms(rng.randint(POOL_START_MS, START_MS))
        email = f"person{i}@customer{i % CUSTOMER_DOMAINS}.example.org"
        st.portal_users.append(
            {"id": str(pid.next(rng)), "name": name, "email": email, "created_at": joined}
        )
        st.idea_users.append(
            {
                "id": str(pid.next(rng)),
                "name": name,
                "email": email,
                "created_at": joined,
                "title": rng.choice((None, "CTO", "Analyst", "Directrice")),
            }
        )


def build_orgs(st: State, rng: random.Random, pid: Ids) -> None:
    for name in ORGS:
        org_id, created = str(pid.next(rng)), rng.randint(POOL_START_MS, START_MS)
        st.orgs.append({"id": org_id, "name": name, "created_at": format_ms(created)})
        st.org_times.append([created, created])


def age_orgs(st: State, rng: random.Random) -> None:
    """Organizations were edited some time after they were created."""
    for times in st.org_times:
        times[1] = max(times[0], min(END_MS, after(rng, times[0], 400)))


def build_revenue_and_portals(st: State, rng: random.Random) -> None:
    st.org_revenue = [rng.choice((None, "55000.0", "120000.0", "2500000.0")) for _ in st.orgs]
    st.portals = [
        {
            "id": str(st.rec_ids.next(rng)),
            "title": title,
            "portal_enabled": True,
            "access_type": access,
            "external_url": f"https://{slug}.ideas.example.com/"
            + ("ideas/new" if access == "submit-only" else ""),
            "created_at": format_ms(rng.randint(POOL_START_MS, START_MS)),
        }
        for title, access, slug in PORTALS[: rng.randint(2, 4)]
    ]
