"""Changing ideas: add, edit, delete (with the idea's children), and ``mutate_random`` (a
seeded batch of changes). Each writes its audits."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

from ..audits import subjects
from ..audits.log import write
from ..audits.records import API_USER
from ..comments.mutations import add_comment, drop_comment, drop_internal
from ..common import JSON, merge_overrides, render, status_index
from ..votes.mutations import add_vote, drop_vote
from .generate import new_idea
from .records import TAGS, Idea, store_idea
from .render import IDEA_FIELDS, IDEA_FULL

if TYPE_CHECKING:
    from ..state import State


def add_idea(st: State, **overrides: Any) -> JSON:
    """An idea created now (``product_id`` picks the product); other keys as in edit_idea,
    plus ``created_by`` (an e-mail: the Aha! user or idea user who has it, else the API
    key's user) and ``initial_votes``."""
    product = overrides.pop("product_id", None)
    creator, initial = overrides.pop("created_by", None), overrides.pop("initial_votes", None)
    p = st.find_product(str(product)) if product is not None else None
    idea = new_idea(st, st.rng, st.now(), product=p)
    store_idea(st, idea)
    if creator is not None:
        idea.creator = _person_by_email(st, str(creator))
    if initial is not None:
        idea.initial_votes = int(initial)
    _apply_changes(idea, st, overrides)
    changes = {"name": idea.name, "workflow_status": st.statuses[idea.status]["name"]}
    write(st, "create", subjects.of_idea(idea), idea.created, changes)
    return render(st, IDEA_FIELDS, idea, IDEA_FULL)


def edit_idea(st: State, idea_id: str | int, **changes: Any) -> JSON:
    """Change an idea and bump its ``updated_at``; without changes, rename it.

    ``name``, ``workflow_status`` (name or id), ``description`` (HTML body), ``tags``
    (strings) and ``spam`` (bool, hides the idea) change the stored record; any other field
    of the full idea is overridden verbatim (unknown names raise ``ValueError``).
    """
    idea = st.find_idea(idea_id)
    if not changes:
        idea.edits += 1
        base = idea.name.split(" (edited ", 1)[0]
        changes = {"name": f"{base} (edited {idea.edits})"}
    idea.updated = st.now()
    _apply_changes(idea, st, changes)
    write(st, "update", subjects.of_idea(idea), idea.updated, _audited(st, idea, changes))
    return render(st, IDEA_FIELDS, idea, IDEA_FULL)


def delete_idea(st: State, idea_id: str | int) -> None:
    """Hard-delete an idea with its votes, portal and internal comments (lists return no
    tombstones): a destroy audit for each child (associated with the idea; none when the
    personality's ``child_audits`` is off), then the idea's."""
    idea = st.find_idea(idea_id)
    at, audit = st.now(), st.personality.child_audits
    for vote in list(idea.votes):
        drop_vote(st, vote, at, cascaded=True, audit=audit)
    for comment in list(idea.comments):
        drop_comment(st, comment, at, cascaded=True, audit=audit)
    for internal in list(idea.internal):
        drop_internal(st, internal, at, cascaded=True, audit=audit)
    st.ideas.remove(idea)
    del st.by_id[idea.id]
    del st.by_ref[idea.ref.upper()]
    write(st, "destroy", subjects.of_idea(idea), at)


def mutate_random(st: State, changed_ideas: int, seed: int) -> JSON:
    """Change ``changed_ideas`` distinct ideas: edits, new proxy votes, new comments.

    ``min(2, changed_ideas // 5)`` of them are brand-new ideas. The choice of ideas and
    actions depends only on ``seed`` and the current workspace.
    """
    rng = random.Random(seed)
    out: dict[str, list[str]] = {
        "changed_idea_ids": [],
        "new_vote_ids": [],
        "new_comment_ids": [],
        "edited_idea_ids": [],
        "new_idea_ids": [],
    }
    n_new = min(2, changed_ideas // 5)
    candidates = [i for i in st.ideas if not i.spam]
    picked = rng.sample(candidates, min(changed_ideas - n_new, len(candidates)))
    for idea in sorted(picked, key=lambda i: i.id):
        action = rng.choices(("edit", "vote", "comment"), weights=(4, 3, 3))[0]
        if action == "edit":
            edit_idea(st, idea.id)
            out["edited_idea_ids"].append(str(idea.id))
        elif action == "vote":
            out["new_vote_ids"].append(add_vote(st, idea.id, proxy=True)["id"])
        else:
            parent = rng.choice(idea.comments).id if idea.comments and rng.random() < 0.5 else None
            out["new_comment_ids"].append(add_comment(st, idea.id, parent)["id"])
        out["changed_idea_ids"].append(str(idea.id))
    for _ in range(n_new):
        new_id = add_idea(st, name=f"New idea {rng.randint(1, 10**6)} from the portal")
        out["new_idea_ids"].append(new_id["id"])
        out["changed_idea_ids"].append(new_id["id"])
    return dict(out)


def _person_by_email(st: State, email: str) -> tuple[str, int]:
    wanted = email.strip().lower()
    for kind, pool in (("user", st.users), ("idea_user", st.idea_users)):
        found = next((n for n, row in enumerate(pool) if row["email"].lower() == wanted), None)
        if found is not None:
            return kind, found
    return "user", API_USER


def _audited(st: State, idea: Idea, changes: JSON) -> JSON:
    """An update audit's changes: the stored value of each changed field."""
    stored = {
        "name": idea.name,
        "description": idea.body,
        "tags": [TAGS[t] for t in idea.tags],
        "spam": idea.spam,
        "workflow_status": st.statuses[idea.status]["name"],
    }
    return {k: stored.get(k, v) for k, v in changes.items()}


def _apply_changes(idea: Idea, st: State, changes: JSON) -> None:
    changes = dict(changes)
    if "name" in changes:
        idea.name = str(changes.pop("name"))
    if "description" in changes:
        idea.body = str(changes.pop("description"))
        idea.desc_updated = idea.updated
    if "tags" in changes:
        names = [t.lower() for t in changes.pop("tags")]
        idea.tags = tuple(i for i, t in enumerate(TAGS) if t.lower() in names)
    if "spam" in changes:
        idea.spam = bool(changes.pop("spam"))
    if "workflow_status" in changes:
        status = status_index(st.statuses, changes.pop("workflow_status"))
        if status != idea.status:
            last, started, _ = idea.status_times[-1]
            idea.status_times[-1] = (last, started, idea.updated)
            idea.status_times.append((status, idea.updated, None))
            idea.status = status
    idea.overrides = merge_overrides(idea.overrides, IDEA_FIELDS, changes)
