"""How each family's records are named in audits: type, id, name, reference and page.

A subject is captured when the audit is written, so a destroy audit still names its record
after the record is gone.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..extras.records import BASE
from ..roadmap.records import REC_KINDS, rec_ref
from .records import Subject

if TYPE_CHECKING:
    from ..comments.records import Comment, Internal
    from ..extras.records import Row
    from ..ideas.records import Idea
    from ..roadmap.records import Rec
    from ..state import State
    from ..votes.records import Vote

_TAGS = re.compile(r"<[^>]+>")


def _idea_page(idea: Idea) -> str:
    return f"/ideas/ideas/{idea.ref}"


def _snippet(html: str) -> str:
    text = " ".join(_TAGS.sub(" ", html).split())
    return text if len(text) <= 60 else text[:57] + "..."


def of_idea(idea: Idea) -> Subject:
    return Subject("idea", idea.id, idea.name, idea.ref, _idea_page(idea))


def of_vote(st: State, vote: Vote) -> Subject:
    name = st.orgs[vote.org]["name"] if vote.org is not None else f"Vote on {vote.idea.ref}"
    page = f"{_idea_page(vote.idea)}/endorsements/{vote.id}"
    return Subject("idea_endorsement", vote.id, name, None, page, ("idea", vote.idea.id))


def of_comment(comment: Comment) -> Subject:
    page = f"{_idea_page(comment.idea)}/idea_comments/{comment.id}"
    name = _snippet(comment.body)
    return Subject("idea_comment", comment.id, name, None, page, ("idea", comment.idea.id))


def of_internal(internal: Internal) -> Subject:
    name = _snippet(internal.body)
    page = f"/comments/{internal.id}"
    return Subject("comment", internal.id, name, None, page, ("idea", internal.idea.id))


def of_rec(st: State, rec: Rec) -> Subject:
    ref = rec_ref(st, rec)
    return Subject(rec.kind, rec.id, rec.name, ref, f"/{REC_KINDS[rec.kind][1]}/{ref}")


def of_product(st: State, p: int) -> Subject:
    row = st.products[p]
    prefix = row["reference_prefix"]
    return Subject("project", int(row["id"]), row["name"], prefix, f"/projects/{prefix}")


def of_org(st: State, i: int) -> Subject:
    row = st.orgs[i]
    return Subject(
        "idea_organization",
        int(row["id"]),
        row["name"],
        None,
        f"/ideas/idea_organizations/{row['id']}",
    )


def of_row(st: State, kind: str, row: Row) -> Subject:
    """A to-do, requirement (associated with its feature) or idea subscription (with its
    idea)."""
    url = str(row.data.get("url", "")).replace(BASE, "")
    name = str(row.data.get("name", ""))
    ref = row.data.get("reference_num")
    associated = None
    if kind == "requirement" and row.parent is not None:
        associated = ("feature", int(row.parent))
    if kind == "idea_subscription" and row.parent is not None:
        idea = st.by_id.get(int(row.parent))
        associated = ("idea", int(row.parent))
        name = name or f"Subscription to {idea.ref if idea else row.parent}"
        url = url or (f"{_idea_page(idea)}/subscriptions/{row.id}" if idea else "")
    return Subject(kind, row.id, name, None if ref is None else str(ref), url, associated)
