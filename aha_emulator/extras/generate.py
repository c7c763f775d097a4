"""Seeded idea themes, to-dos, requirements, integrations, workflows, teams, portal users and
idea subscriptions.

Everything is drawn from ``random.Random(f"{seed}:extras")`` after the rest of the account, and
no timestamp is later than the workspace clock, so no earlier answer changes and mutations stay
after every record. Features render the requirements drawn here (their ``requirements`` list).
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from ..common import DAY_MS, END_MS, JSON, POOL_START_MS, START_MS, Ids, after, format_ms
from ..roadmap.records import REC_KINDS, rec_ref
from .records import BASE, SERVICES, TASK_NAMES, TASK_STATUSES, TEAMS, THEMES, Row

if TYPE_CHECKING:
    from ..state import State

_WORKFLOWS = (  # (name, statusable_type, statuses from)
    ("Idea workflow", "Idea", "idea"),
    ("Feature workflow", "Feature", "feature"),
    ("Release workflow", "Release", "release"),
    ("Initiative workflow", "Initiative", "initiative"),
    ("Goal workflow", "StrategicImperative", "goal"),
)


def build_extras(st: State) -> None:
    """Every issue-14 table, in a fixed order of draws."""
    rng = random.Random(f"{st.seed}:extras")
    ids = Ids(6_778_881_149_487_056_351, 9_000_000_000)
    _themes(st, rng, ids)
    _tasks(st, rng, ids)
    _requirements(st, rng, ids)
    _integrations(st, rng, ids)
    _workflows(st, rng)
    _teams(st, rng, ids)
    _portal_users(st, rng)
    _subscriptions(st, rng, ids)


def _updated(st: State, rng: random.Random, created: int, mean_days: float) -> int:
    """A last update after ``created``, before the clock; never piled up at the clock (ties at
    the latest cursor would be read again within the connector's lookback window)."""
    updated = after(rng, created, mean_days)
    return updated if updated < st.clock else rng.randint(created, st.clock - 1)


def _times(st: State, rng: random.Random, earliest: int = START_MS) -> tuple[int, int]:
    created = rng.randint(earliest, min(END_MS, st.clock) - DAY_MS)
    return created, _updated(st, rng, created, 60)


def _user(st: State, rng: random.Random) -> JSON:
    return st.person("user", rng.randrange(len(st.users)))


def _description(desc_id: int, body: str, created: int) -> JSON:
    return {
        "id": str(desc_id),
        "body": f"<p>{body}</p>",
        "editor_version": 2,
        "created_at": format_ms(created),
        "updated_at": format_ms(created),
        "attachments": [],
    }


def _themes(st: State, rng: random.Random, ids: Ids) -> None:
    for name in THEMES[: rng.randint(2, len(THEMES))]:
        tid, (created, updated) = ids.next(rng), _times(st, rng)
        p = rng.randrange(len(st.products))
        st.idea_themes.append(
            Row(
                tid,
                updated,
                {
                    "id": str(tid),
                    "name": name,
                    "product_id": st.products[p]["id"],
                    "description": _description(ids.next(rng), f"Ideas about {name}.", created),
                    "created_at": format_ms(created),
                    "updated_at": format_ms(updated),
                    "url": f"{BASE}/idea_themes/{tid}",
                    "resource": f"{BASE}/api/v1/idea_themes/{tid}",
                },
            )
        )


def _tasks(st: State, rng: random.Random, ids: Ids) -> None:
    for n in range(rng.randint(12, 30)):
        tid, (created, updated) = ids.next(rng), _times(st, rng)
        due = None if rng.random() < 0.3 else format_ms(after(rng, created, 20))[:10]
        p = rng.randrange(len(st.products) + 1)  # the last: a to-do outside any workspace
        user = _user(st, rng)
        st.tasks.append(
            Row(
                tid,
                updated,
                {
                    "id": str(tid),
                    "name": TASK_NAMES[n % len(TASK_NAMES)],
                    "due_date": due,
                    "status": rng.choice(TASK_STATUSES),
                    "created_at": format_ms(created),
                },
                extra={
                    "body": f"<p>To-do {n + 1}.</p>",
                    "position": n + 1 if rng.random() < 0.7 else None,
                    "updated_at": format_ms(updated),
                    "product_id": st.products[p]["id"] if p < len(st.products) else "",
                    "assigned_to_users": [
                        {"id": str(ids.next(rng)), "status": "pending", "user": user}
                    ],
                    "created_by_user": _user(st, rng),
                    "attachments": [],
                    "comments_count": rng.randint(0, 3),
                    "url": f"{BASE}/tasks/{tid}",
                    "resource": f"{BASE}/api/v1/tasks/{tid}",
                },
            )
        )


def _requirements(st: State, rng: random.Random, ids: Ids) -> None:
    """Half the features have 1-3 requirements, created after their feature."""
    statuses = st.rec_statuses["feature"]
    for f in st.recs["feature"]:
        if rng.random() < 0.5:
            continue
        feature_ref = rec_ref(st, f)
        for n in range(1, rng.randint(1, 3) + 1):
            rid = ids.next(rng)
            created = rng.randint(f.created, max(f.created, min(st.clock, END_MS) - DAY_MS))
            updated = _updated(st, rng, created, 30)
            ref = f"{feature_ref}-{n}"
            st.requirements.append(
                Row(
                    rid,
                    updated,
                    {
                        "id": str(rid),
                        "name": f"Requirement {n} of {f.name}",
                        "reference_num": ref,
                        "position": n,
                        "created_at": format_ms(created),
                        "updated_at": format_ms(updated),
                        "release_id": f.release.id if f.release else None,
                        "created_by_user": _user(st, rng),
                        "workflow_status": dict(rng.choice(statuses)),
                        "url": f"{BASE}/requirements/{ref}",
                        "resource": f"{BASE}/api/v1/requirements/{ref}",
                        "description": _description(ids.next(rng), f"Acceptance {n}.", created),
                        "feature": {
                            "id": str(f.id),
                            "reference_num": feature_ref,
                            "name": f.name,
                            "created_at": format_ms(f.created),
                            "url": f"{BASE}/{REC_KINDS['feature'][1]}/{feature_ref}",
                            "resource": f"{BASE}/api/v1/features/{feature_ref}",
                            "product_id": st.products[f.product]["id"],
                        },
                        "assigned_to_user": {**_user(st, rng), "default_assignee": False},
                        "attachments": [],
                        "tags": [],
                        "full_tags": [],
                        "custom_fields": [],
                        "integration_fields": [],
                        "comments_count": rng.randint(0, 2),
                    },
                    parent=str(f.id),
                )
            )
    st.requirements.sort(key=lambda r: r.id)


def _integrations(st: State, rng: random.Random, ids: Ids) -> None:
    for service in SERVICES[: rng.randint(3, len(SERVICES))]:
        iid, (created, updated) = ids.next(rng), _times(st, rng, POOL_START_MS)
        p = rng.randrange(len(st.products) + 1)
        owner = (
            {"type": "Account", "id": str(st.seed)}
            if p == len(st.products)
            else {"type": "Project", "id": st.products[p]["id"]}
        )
        st.integrations.append(
            Row(
                iid,
                updated,
                {
                    "id": str(iid),
                    "name": f"{service.replace('_', ' ').title()} integration",
                    "service_name": service,
                    "created_at": format_ms(created),
                },
                extra={
                    "template_id": None,
                    "enabled": rng.random() < 0.8,
                    "callback_token": f"{rng.getrandbits(128):032x}",
                    "updated_at": format_ms(updated),
                    "last_error_at": None if rng.random() < 0.6 else format_ms(updated),
                    "last_webhook_request_at": format_ms(updated),
                    "url": f"{BASE}/settings/integrations/{iid}",
                    "resource": f"{BASE}/api/v1/integrations/{iid}",
                    "jql_filter": "project = APP" if service == "jira" else None,
                    "owner": {
                        **owner,
                        "url": f"{BASE}/settings/account",
                        "resource": f"{BASE}/api/v1/integrations/{iid}",
                    },
                },
            )
        )


def _workflows(st: State, rng: random.Random) -> None:
    """One account-level workflow per record type, listed under every product."""
    wid = rng.randint(80_000_000, 81_000_000)
    for name, statusable, source in _WORKFLOWS:
        wid += rng.randint(1, 50_000)
        statuses = st.statuses if source == "idea" else st.rec_statuses[source]
        kinds = st.workflow_kinds if statusable == "Feature" else []
        st.workflows.append(
            Row(
                wid,
                0,
                {
                    "id": wid,  # a JSON number, as in the docs' example
                    "name": name,
                    "statusable_type": statusable,
                    "transitions_only": False,
                    "workflow_statuses": [dict(s) for s in statuses],
                    "workflow_kinds": [dict(k) for k in kinds],
                },
            )
        )


def _teams(st: State, rng: random.Random, ids: Ids) -> None:
    for name in TEAMS[: rng.randint(2, len(TEAMS))]:
        tid = ids.next(rng)
        members = rng.sample(range(len(st.users)), rng.randint(2, 6))
        p = rng.randrange(len(st.products) + 1)
        st.teams.append(
            Row(
                tid,
                0,
                {
                    "id": str(tid),
                    "name": name,
                    "team_members_count": len(members),
                    "automatically_calculate_team_members_count": True,
                    "capacity": f"{rng.randint(40, 400)}.0",
                    "hourly_rate": rng.choice((None, "120.0", "250.0")),
                    "color": rng.choice(("#0073cf", "#f2a900", "#5c8a2f")),
                    "start_date": None,
                    "end_date": None,
                    "project": st.product(p) if p < len(st.products) else None,
                    "schedule": {
                        "id": str(ids.next(rng)),
                        "name": "Standard week",
                        "hours_per_day": "8.0",
                        "story_points_per_day": "1.0",
                        "velocity": "10.5",
                    },
                    "custom_fields": [],
                    "team_members": [
                        {
                            "id": str(ids.next(rng)),
                            "name": st.users[u]["name"],
                            "email": st.users[u]["email"],
                            "user_id": st.users[u]["id"],
                            "virtual": False,
                        }
                        for u in sorted(members)
                    ],
                },
            )
        )


def _portal_users(st: State, rng: random.Random) -> None:
    """About half the people are users of exactly one portal (the ids of the shared pool)."""
    for i, person in enumerate(st.portal_users):
        if rng.random() < 0.5:
            continue
        portal = rng.choice(st.portals)
        first, _, last = person["name"].partition(" ")
        st.portal_memberships.append(
            Row(
                int(person["id"]),
                0,
                {
                    "id": person["id"],
                    "email": person["email"],
                    "first_name": first,
                    "last_name": last,
                    "enabled": rng.random() < 0.95,
                    "verified": rng.random() < 0.8,
                    "employee": False,
                    "max_endorsements_override": rng.choice((None, None, None, 10)),
                    "idea_user_id": st.idea_users[i]["id"],
                    "created_at": person["created_at"],
                    "unsubscribed": rng.random() < 0.1,
                    "unsubscribed_from_weekly_emails": rng.choice((None, False, True)),
                },
                parent=portal["id"],
            )
        )


def _subscriptions(st: State, rng: random.Random, ids: Ids) -> None:
    """0-3 portal users follow each idea that is not spam, subscribing between its creation
    and its last update (an idea is never older than its children)."""
    rows = []
    for idea in st.ideas:
        if idea.spam:
            continue
        for u in rng.sample(range(len(st.portal_users)), rng.choice((0, 0, 1, 1, 2, 3))):
            created = rng.randint(idea.created, idea.updated)
            rows.append((created, idea, st.portal_users[u]))
    for created, idea, person in sorted(rows, key=lambda row: (row[0], row[1].id)):
        sid = ids.next(rng)  # ids in creation order
        st.idea_subscriptions.append(subscription(sid, created, str(idea.id), person))


def subscription(sid: int, created: int, idea_id: str, person: JSON) -> Row:
    """An idea subscription as listed: the subscriber is a portal user."""
    portal_user = {k: person[k] for k in ("id", "name", "email", "created_at")}
    data = {"id": str(sid), "idea_id": idea_id, "created_at": format_ms(created)}
    return Row(sid, created, {**data, "portal_user": portal_user}, parent=idea_id)
