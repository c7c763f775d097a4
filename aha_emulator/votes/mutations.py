"""Adding, editing and deleting votes (each bumps its idea's ``updated_at``, unless the
personality's ``vote_moves_idea`` is off), with audits."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..audits import subjects
from ..audits.log import write
from ..common import JSON, RecordNotFoundError, by_int_id, merge_overrides, render
from .generate import new_vote
from .records import Vote, attach_vote
from .render import VOTE_FIELDS, VOTE_FULL

if TYPE_CHECKING:
    from ..state import State


def add_vote(st: State, idea_id: str | int, proxy: bool = True, **given: Any) -> JSON:
    """A vote (proxy by default) created now.

    ``given`` (the write endpoint's payload) replaces drawn details: ``idea_organization_id``,
    ``value`` (a number or numeric string, stored as "12.0"), ``link``, ``description`` (HTML),
    ``email`` (a portal user's, or an Aha! user's) and ``created_by_user`` (an Aha! user's id
    or e-mail). Unknown organizations raise ``RecordNotFoundError``; a bad value ``ValueError``.
    """
    idea = st.find_idea(idea_id)
    vote = new_vote(st, st.rng, idea, st.now(), proxy)
    vote.id = st.vote_ids.next(st.rng)
    if given:
        _apply_given(st, vote, given)
    attach_vote(st, vote, st.personality.vote_moves_idea)
    changes: JSON = {"weight": vote.weight, "value": vote.value}
    if vote.org is not None:
        changes["idea_organization"] = st.orgs[vote.org]["name"]
    write(st, "create", subjects.of_vote(st, vote), vote.created, changes)
    return render(st, VOTE_FIELDS, vote, VOTE_FULL)


def edit_vote(st: State, vote_id: str | int, **changes: Any) -> JSON:
    """Bump a vote's ``updated_at`` (and its idea's); a proxy vote's value goes up by 1.

    ``weight``, ``value`` and ``link`` change the stored vote; other keys override the
    rendered field.
    """
    vote = find_vote(st, vote_id)
    if not changes and vote.proxy:
        changes = {"value": f"{float(vote.value or 0) + 1.0:.1f}"}
    audited = dict(changes)
    for key in ("weight", "value", "link"):
        if key in changes:
            setattr(vote, key, changes.pop(key))
    vote.overrides = merge_overrides(vote.overrides, VOTE_FIELDS, changes)
    vote.updated = st.now()
    if st.personality.vote_moves_idea:
        vote.idea.updated = vote.updated
    write(st, "update", subjects.of_vote(st, vote), vote.updated, audited)
    return render(st, VOTE_FIELDS, vote, VOTE_FULL)


def delete_vote(st: State, vote_id: str | int, idea_id: str | int | None = None) -> None:
    """Remove a vote (of ``idea_id``, if given); its idea's ``votes`` and
    ``endorsements_count`` drop, ``updated_at`` moves to now."""
    vote = find_vote(st, vote_id)
    if idea_id is not None and st.find_idea(idea_id) is not vote.idea:
        raise RecordNotFoundError(str(vote_id))
    at = st.now()
    drop_vote(st, vote, at)
    if st.personality.vote_moves_idea:
        vote.idea.updated = at


def find_vote(st: State, vote_id: str | int) -> Vote:
    return by_int_id(st.votes_by_id, vote_id)


def drop_vote(st: State, vote: Vote, at: int, cascaded: bool = False, audit: bool = True) -> None:
    """Forget a vote everywhere and write its destroy audit (``cascaded``: with its idea;
    none unless ``audit``)."""
    vote.idea.votes.remove(vote)
    st.votes.remove(vote)
    del st.votes_by_id[vote.id]
    if audit:
        write(st, "destroy", subjects.of_vote(st, vote), at, cascaded=cascaded)


def _apply_given(st: State, vote: Vote, given: JSON) -> None:
    """A vote made through the API is what its payload says: absent fields are empty."""
    org = given.get("idea_organization_id")
    if org is not None:
        found = next((n for n, o in enumerate(st.orgs) if o["id"] == str(org)), None)
        if found is None:
            raise RecordNotFoundError(str(org))
        vote.org = found
    value = given.get("value")
    vote.value = None if value in (None, "") else f"{float(value):.1f}"
    vote.link, vote.weight, vote.priority = given.get("link"), int(given.get("weight", 1)), None
    vote.desc_id = None
    if given.get("description") is not None:
        vote.desc_id = st.misc_ids.next(st.rng)
        description = render(st, VOTE_FIELDS, vote, ("description",))["description"]
        vote.overrides = {"description": {**description, "body": str(given["description"])}}
    who = given.get("created_by_user")
    if isinstance(who, dict):
        who = who.get("id") or who.get("email")
    email = given.get("email")
    user = _index(st.users, str(who if who is not None else email or ""))
    person = None if email is None else _index(st.portal_users, str(email))
    if user is not None:
        vote.user, vote.person = user, None
    elif person is not None:
        vote.user, vote.person = None, person


def _index(pool: list[JSON], key: str) -> int | None:
    """The pool index of the row whose id or e-mail is ``key``."""
    wanted = key.strip().lower()
    return next((n for n, r in enumerate(pool) if wanted in (r["id"], r["email"].lower())), None)
