"""Seeded products, Aha! users and, per product, quarterly releases + a parking lot, goals,
initiatives, epics and features.

Features that ideas were promoted to keep the ids and numbers the ideas link to; a gently
scaled number of other features is added. New ids follow creation order, like a database
sequence; goals, initiatives and epics are numbered per product in creation order.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..common import (
    DAY_MS,
    END_MS,
    FIRST_NAMES,
    LAST_NAMES,
    POOL_START_MS,
    START_MS,
    Ids,
    after,
    format_ms,
    words,
)
from ..ideas.generate import idea_title
from .records import PRODUCTS, REC_KINDS, REC_STATUSES, STATUS_SET, WORKFLOW_KINDS, Rec

if TYPE_CHECKING:
    from ..state import State

_QUARTERS = 18  # one dated release per product and quarter, 2021 Q1 .. 2025 Q2, + a parking lot
_QUARTER_MS = 91 * DAY_MS
_EPIC_NAMES = words(
    "Self-serve onboarding|Enterprise readiness|Reporting 2.0|Mobile parity|Platform APIs|"
    "Billing overhaul|Search everywhere|Collaboration|Data import|Performance at scale|"
    "Accessibility|Internationalisation"
)
_INITIATIVE_NAMES = words(
    "Expand into the mid-market|Reduce churn|Win enterprise deals|Grow self-serve revenue|"
    "Delight power users|Become the platform of record"
)
_GOAL_NAMES = words("Grow ARR 40%|Net revenue retention > 110%|NPS above 50|Halve time to value")


def build_products(st: State, rng: random.Random, pid: Ids) -> None:
    """3-5 products (workspaces), created before the first idea."""
    count = rng.randint(3, 5)
    for prefix, name in PRODUCTS[:count]:
        created = rng.randint(POOL_START_MS, START_MS)
        st.product_times.append([created, created])
        st.products.append(
            {
                "id": str(pid.next(rng)),
                "reference_prefix": prefix,
                "name": name,
                "product_line": False,
                "created_at": format_ms(created),
                "workspace_type": "product_workspace",
            }
        )
    st.next_ref = [0] * count
    st.next_feature = [0] * count


def build_users(st: State, rng: random.Random, pid: Ids) -> None:
    """24 Aha! users (employees)."""
    for i in range(24):
        name = f"{FIRST_NAMES[i % 20]} {LAST_NAMES[(i * 7) % 20]}"
        created = rng.randint(POOL_START_MS, START_MS)
        st.users.append(
            {
                "id": str(pid.next(rng)),
                "name": name,
                "email": f"user{i}@company.example.com",
                "created_at": format_ms(created),
                "updated_at": format_ms(created + rng.randint(0, 300 * DAY_MS)),
            }
        )


def age_products(st: State, rng: random.Random) -> None:
    """Products were edited some time after they were created."""
    for times in st.product_times:
        times[1] = max(times[0], min(END_MS, after(rng, times[0], 400)))


def build_roadmap(st: State, rng: random.Random, ideas: int) -> None:
    """Statuses, releases, goals, initiatives, epics and features of every product."""
    st.rec_statuses = {
        kind: [
            {
                "id": str(st.rec_ids.next(rng)),
                "name": name,
                "position": pos,
                "complete": complete,
                "color": color,
            }
            for pos, (name, complete, color) in enumerate(rows, start=1)
        ]
        for kind, rows in REC_STATUSES.items()
    }
    st.workflow_kinds = [{"id": str(st.rec_ids.next(rng)), "name": n} for n in WORKFLOW_KINDS]
    products = range(len(st.products))
    releases = [_new_releases(st, rng, p) for p in products]

    def planned(p: int, created: int) -> Rec:
        """The release work created at ``created`` lands in (after the last: parking lot)."""
        q = (created + rng.randint(0, 150) * DAY_MS - START_MS) // _QUARTER_MS
        return releases[p][q if 0 <= q < _QUARTERS else -1]

    goals = [
        _new_rec(st, rng, "goal", p, rng.choice(_GOAL_NAMES), START_MS + 400 * DAY_MS)
        for p in products
        for _ in range(rng.randint(1, 3))
    ]
    initiatives = []
    for p in products:
        for _ in range(rng.randint(2, 4)):
            name = rng.choice(_INITIATIVE_NAMES)
            i = _new_rec(st, rng, "initiative", p, name, START_MS + 700 * DAY_MS)
            i.start = i.created + rng.randint(0, 60) * DAY_MS
            i.end = i.start + rng.randint(180, 540) * DAY_MS
            i.status = 3 if i.end < END_MS - 90 * DAY_MS else rng.randint(1, 2)
            own_goals = [g for g in goals if g.product == p]
            i.goals = (rng.choice(own_goals),) if rng.random() < 0.6 else ()
            initiatives.append(i)
    promoted = [
        Rec("feature", fid, idea.product, number, idea.name, created, created)
        for idea in st.ideas
        if idea.feature is not None
        for fid, number, created in [idea.feature]
    ]
    extra = []
    for _ in range(8 + min(ideas, 2_000) // 8):
        name = idea_title(rng)
        t = rng.randint(START_MS, END_MS - 30 * DAY_MS)
        product = min(int(rng.expovariate(0.9)), len(products) - 1)  # skewed like ideas
        extra.append(Rec("feature", 0, product, 0, name, t, t))
    extra.sort(key=lambda f: f.created)
    for f in extra:
        st.next_feature[f.product] += 1
        f.number = st.next_feature[f.product]
    epics = []
    for p in products:
        for _ in range(2 + min(10, sum(f.product == p for f in promoted + extra) // 8)):
            e = _new_rec(st, rng, "epic", p, rng.choice(_EPIC_NAMES), END_MS - 60 * DAY_MS)
            e.release = planned(p, e.created)
            e.start, e.end = e.release.start, e.release.end
            e.status = 4 if e.release.status == 2 else rng.randint(0, 3)
            own_initiatives = [i for i in initiatives if i.product == p]
            e.initiative = rng.choice(own_initiatives) if rng.random() < 0.5 else None
            epics.append(e)
    for f in promoted + extra:
        _plan_feature(st, rng, f, planned, epics, initiatives, goals)
    for kind_recs in (goals, initiatives, epics):
        for p in products:
            mine = sorted((r for r in kind_recs if r.product == p), key=lambda r: r.created)
            for n, r in enumerate(mine, start=1):
                r.number = n
    fresh = [r for own in releases for r in own] + goals + initiatives + epics + extra
    for r in sorted(fresh, key=lambda r: (r.created, r.kind, r.product, r.number)):
        r.id = st.rec_ids.next(rng)
    st.recs = {kind: [] for kind in REC_KINDS}
    for r in fresh + promoted:
        r.desc_id = st.rec_ids.next(rng)
        st.recs[r.kind].append(r)
    for recs in st.recs.values():
        recs.sort(key=lambda r: r.id)
    st.rec_index = {r.id: r for recs in st.recs.values() for r in recs}


def _plan_feature(
    st: State,
    rng: random.Random,
    f: Rec,
    planned: Callable[[int, int], Rec],
    epics: list[Rec],
    initiatives: list[Rec],
    goals: list[Rec],
) -> None:
    """Put a feature in a release, with an owner, status, progress and links."""
    p, f.user = f.product, rng.randrange(len(st.users))
    f.release = planned(p, f.created)
    f.start, f.end = f.release.start, f.release.end
    f.updated = max(f.created, min(END_MS, after(rng, f.created, 45)))
    if f.release.status == 2:  # shipped release
        f.status = 4 if rng.random() < 0.85 else 5
    else:
        f.status = rng.randint(1, 3) if f.release.status == 1 else rng.randint(0, 1)
    f.progress = 100 if f.status == 4 else rng.randrange(0, 100, 10)
    own_epics = [e for e in epics if e.product == p]
    own_initiatives = [i for i in initiatives if i.product == p]
    own_goals = [g for g in goals if g.product == p]
    f.epic = rng.choice(own_epics) if rng.random() < 0.5 else None
    f.initiative = rng.choice(own_initiatives) if rng.random() < 0.4 else None
    f.goals = (rng.choice(own_goals),) if rng.random() < 0.15 else ()


def _new_releases(st: State, rng: random.Random, p: int) -> list[Rec]:
    """One release per quarter (shipped when long past), then the product's parking lot."""
    made, day, out = st.product_times[p][0], DAY_MS, []
    for q in range(_QUARTERS):
        start = START_MS + q * _QUARTER_MS
        end = start + 90 * day
        created = max(made, start - rng.randint(14 * day, 120 * day))
        status = 2 if end < END_MS - 120 * day else int(start < END_MS - 120 * day)
        prefix = st.products[p]["reference_prefix"]
        out.append(
            Rec(
                "release",
                0,
                p,
                q + 1,
                f"Release {prefix} {format_ms(start)[:7]}",
                created,
                max(created, min(END_MS, start + rng.randint(0, 120 * day))),
                status=status,
                user=rng.randrange(len(st.users)),
                start=start,
                end=end,
                progress=100 if status == 2 else 40 * status,
            )
        )
    created = made + rng.randint(day, 30 * day)
    out.append(
        Rec(
            "release",
            0,
            p,
            _QUARTERS + 1,
            "Parking lot",
            created,
            after(rng, created, 300),
            user=rng.randrange(len(st.users)),
            parking_lot=True,
        )
    )
    return out


def _new_rec(st: State, rng: random.Random, kind: str, p: int, name: str, latest: int) -> Rec:
    """A goal, initiative or epic created between 2021 and ``latest``, updated after."""
    created = rng.randint(max(START_MS, st.product_times[p][0]), latest)
    updated = max(created, min(END_MS, after(rng, created, 120)))
    statuses = len(REC_STATUSES[STATUS_SET[kind]])
    return Rec(
        kind,
        0,
        p,
        0,
        name,
        created,
        updated,
        status=rng.randrange(statuses),
        user=rng.randrange(len(st.users)),
        progress=rng.randrange(0, 101, 10),
    )
