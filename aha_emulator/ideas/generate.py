"""Seeded generation of ideas with their votes and comments, and of the idea workflow statuses.

Every child record (vote, idea comment, internal comment) is created after its idea, and the
idea's ``updated_at`` is at least each child's; spam ideas get no children. Idea ids cross from
9 to 10 digits in the middle of the workspace (to catch string sorting).
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from ..comments.generate import new_comment, new_internal
from ..comments.records import COMMENTS, Comment, Internal, attach_comment, attach_internal
from ..common import DAY_MS, END_MS, START_MS, VISIBILITIES, Ids, after, pick_author, words
from ..votes.generate import new_vote
from ..votes.records import Vote, attach_vote
from .records import STATUSES, TAG_COLORS, TAGS, Idea, store_idea

if TYPE_CHECKING:
    from ..state import State

_SEGMENTS = ("Enterprise", "Mid-market", "SMB", "Public sector", None)
_PLATFORMS = ("Web", "iOS", "Android", "Desktop")
_VERBS = words("Add|Support|Allow|Improve|Export|Show|Enable|Sync|Simplify|Automate")
_OBJECTS = words(
    "dark mode|CSV export|SSO login|bulk edit|custom dashboards|Slack notifications|audit log|"
    "two-factor authentication|offline mode|webhooks|calendar view|saved filters|"
    "multi-currency pricing|Jira sync|role-based permissions|PDF reports|keyboard shortcuts|"
    "data retention rules|search suggestions|usage analytics"
)
_QUALIFIERS = words(
    "||| for admins| on mobile| in reports| per workspace| for large teams| via the API"
)
_ODD_NAMES = (
    "Café menu: support accented names (é, ñ, ü)",
    "日本語のサポートを追加する",
    "Emoji reactions on ideas 🎉👍",
    "Überarbeitung der Suchfunktion",
    "Prise en charge du thème sombre",
    "Поддержка русского языка",
    'Quotes "and" <angle brackets> & ampersands',
    "数据导出到 Excel",
    "Ação em massa para usuários",
    "Tab\tand trailing space ",
)
_ROLES = ("an admin", "a product manager", "a support agent", "a new user", "an analyst")
_BENEFITS = (
    "we save time every week",
    "our team stops using spreadsheets",
    "we can roll this out company-wide",
    "customers stop opening tickets about it",
)


def idea_title(rng: random.Random) -> str:
    """A plausible idea (or feature) name: verb, object, maybe a qualifier."""
    return f"{rng.choice(_VERBS)} {rng.choice(_OBJECTS)}{rng.choice(_QUALIFIERS)}"


def build_statuses(st: State, rng: random.Random, pid: Ids) -> None:
    """The six idea workflow statuses, by position."""
    st.statuses = [
        {"id": str(pid.next(rng)), "name": name, "position": pos, "complete": done, "color": color}
        for pos, (name, done, color, _) in enumerate(STATUSES, start=1)
    ]
    st.status_weights = [weight for *_, weight in STATUSES]


def build_tags(st: State, rng: random.Random, pid: Ids) -> None:
    st.tags = [
        {"id": str(pid.next(rng)), "name": n, "color": c}
        for n, c in zip(TAGS, TAG_COLORS, strict=True)
    ]


def generate_ideas(st: State, count: int, rng: random.Random) -> None:
    """``count`` ideas in creation order; children get ids in creation order afterwards, like a
    real database sequence."""
    created_times = sorted(rng.randint(START_MS, END_MS - 30 * DAY_MS) for _ in range(count))
    votes: list[Vote] = []
    comments: list[Comment] = []
    internals: list[Internal] = []
    for created in created_times:
        idea = new_idea(st, rng, created, spam=rng.random() < 0.03)
        idea.updated = idea.created if rng.random() < 0.35 else after(rng, created, 60)
        age_idea(st, rng, idea)
        store_idea(st, idea)
        if idea.spam:
            continue
        if rng.random() < 0.6:
            for _ in range(rng.randint(1, 6)):
                at = after(rng, created, 90)
                votes.append(new_vote(st, rng, idea, at, proxy=rng.random() < 0.5))
        if rng.random() < 0.4:
            own: list[Comment] = []
            for _ in range(rng.randint(1, 6)):
                parent = rng.choice(own) if own and rng.random() < 0.35 else None
                at = after(rng, parent.created if parent else created, 30)
                own.append(new_comment(st, rng, idea, at, parent, spam=rng.random() < 0.02))
            comments.extend(own)
        if rng.random() < 0.2:
            for _ in range(rng.randint(1, 3)):
                internals.append(new_internal(st, rng, idea, after(rng, created, 45)))
    for vote in sorted(votes, key=lambda v: v.created):
        if rng.random() < 0.2:
            vote.updated = after(rng, vote.created, 20)
        vote.id = st.vote_ids.next(rng)
        attach_vote(st, vote)
    for comment in sorted(comments, key=lambda c: c.created):
        if rng.random() < 0.1:
            comment.updated = after(rng, comment.created, 5)
        comment.id = st.comment_ids.next(rng)
        attach_comment(st, comment)
    for internal in sorted(internals, key=lambda c: c.created):
        internal.id = st.internal_ids.next(rng)
        attach_internal(st, internal)


def new_idea(
    st: State, rng: random.Random, created: int, spam: bool = False, product: int | None = None
) -> Idea:
    """A fresh idea created (and last updated) at ``created``; the id is the next one."""
    if product is None:
        product = min(int(rng.expovariate(0.9)), len(st.products) - 1)
    st.next_ref[product] += 1
    prefix = st.products[product]["reference_prefix"]
    if spam:
        name = rng.choice(
            ("FREE GIFT CARDS click here", "Best casino bonus 2024 !!!", "cheap pills online")
        )
    elif rng.random() < 0.06:
        name = rng.choice(_ODD_NAMES)
    else:
        name = idea_title(rng)
    cats = [i for i, (p, _) in enumerate(st.categories) if p == product]
    custom = None
    if rng.random() < 0.7:
        custom = (
            st.misc_ids.next(rng),
            rng.choice(_SEGMENTS),
            rng.choice((None, rng.randint(100, 250_000))),
            tuple(rng.sample(_PLATFORMS, rng.randint(0, 3))),
        )
    users = len(st.users)
    return Idea(
        id=st.idea_ids.next(rng),
        ref=f"{prefix}-I-{st.next_ref[product]}",
        name=name,
        created=created,
        updated=created,
        product=product,
        status=0,
        status_times=[(0, created, None)],
        desc_id=st.misc_ids.next(rng),
        body=_idea_body(rng, name, spam),
        desc_updated=created,
        attachment_id=st.misc_ids.next(rng) if rng.random() < 0.03 else None,
        initial_votes=rng.choice((0, 0, 0, 1, 2, 5)),
        score_facts=tuple((i, rng.randint(1, 10)) for i in range(3)) if rng.random() < 0.5 else (),
        visibility=rng.choice(VISIBILITIES),
        categories=tuple(sorted(rng.sample(cats, rng.randint(0, min(2, len(cats)))))),
        tags=tuple(sorted(rng.sample(range(len(TAGS)), rng.choice((0, 0, 1, 2, 3))))),
        custom=custom,
        creator=pick_author(rng, users, len(st.portal_users)),
        assignee=rng.randrange(users) if rng.random() < 0.5 else None,
        feature=None,
        response=None,
        jira_key=f"JIRA-{rng.randint(100, 9999)}" if rng.random() < 0.1 else None,
        spam=spam,
    )


def age_idea(st: State, rng: random.Random, idea: Idea) -> None:
    """Give a generated idea a status history, description edit, feature and response."""
    if idea.updated == idea.created:
        return
    status = rng.choices(range(len(STATUSES)), weights=st.status_weights)[0]
    if status:
        changed = rng.randint(idea.created + 1, idea.updated)
        idea.status = status
        idea.status_times = [(0, idea.created, changed), (status, changed, None)]
    if rng.random() < 0.3:
        idea.desc_updated = rng.randint(idea.created, idea.updated)
    if status in (3, 4) and rng.random() < 0.7:
        st.next_feature[idea.product] += 1
        idea.feature = (
            st.misc_ids.next(rng),
            st.next_feature[idea.product],
            rng.randint(idea.created, idea.updated),
        )
    if rng.random() < 0.25:
        at = rng.randint(idea.created, idea.updated)
        idea.response = (
            st.misc_ids.next(rng),
            rng.randrange(len(COMMENTS)),
            at,
            rng.randrange(len(st.users)),
        )


def _idea_body(rng: random.Random, name: str, spam: bool) -> str:
    if spam:
        return "<p>Visit http://spam.example.com for <b>FREE</b> stuff!!!</p>"
    body = (
        f"<p>As {rng.choice(_ROLES)}, I would like to {name[:1].lower()}{name[1:]} so that "
        f"{rng.choice(_BENEFITS)}.</p>"
    )
    if rng.random() < 0.4:
        body += "<ul><li>Must work with SSO &amp; SCIM</li><li>Nice to have: audit trail</li></ul>"
    if rng.random() < 0.1:
        body += '<p>Context: <a href="https://example.com/t/123">ticket #123</a>&nbsp;🙂</p>'
    return body
