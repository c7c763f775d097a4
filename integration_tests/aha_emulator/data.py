"""Seeded Aha! workspace: generator, ground truth and mutations for the emulator.

The same ``(ideas, seed)`` always yields the same workspace. Records are stored compactly (ints
for ids and epoch-millisecond timestamps, shared pools for users, organizations and categories)
and rendered into fresh JSON-ready dicts on every read, so a 50,000-idea workspace stays small
and every returned dict is a private copy.

Shapes follow ``aha-api.md`` section 5. Deliberate details:

* ids are JSON strings; idea ids cross from 9 to 10 digits in the middle of the workspace (to
  catch string sorting); comment ids have 19 digits, and ``parent_idea_comment_id`` is the
  parent's id as a JSON number, above 2**53.
* ``votes`` = ``initial_votes`` + the sum of vote weights; ``endorsements_count`` = number of
  votes; ``comments_count`` = number of non-spam portal idea comments.
* every child record (vote, idea comment, internal comment) is created after its idea, and the
  idea's ``updated_at`` is at least the ``updated_at`` of each child; mutations keep this true.
* spam ideas are generated without children.
"""

from __future__ import annotations

import copy
import random
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]

START_MS = 1_609_459_200_000  # 2021-01-01T00:00:00.000Z
END_MS = 1_751_327_999_999  # 2025-06-30T23:59:59.999Z
_DAY_MS = 86_400_000
_POOL_START_MS = 1_546_300_800_000  # 2019-01-01: users and products predate every idea

STATUSES: tuple[tuple[str, bool, str, int], ...] = (
    # name, complete, color, weight (percent of generated ideas)
    ("New", False, "#dce7c6", 35),
    ("Under consideration", False, "#fbe7a4", 20),
    ("Future consideration", False, "#c7dbf5", 15),
    ("Planned", False, "#b8e0d2", 12),
    ("Shipped", True, "#9fd3a8", 10),
    ("Will not implement", True, "#e3c0c0", 8),
)
VISIBILITIES = (
    "Visible to all ideas portal users",
    "Visible to creator and employees",
    "Visible to employees only",
)
_PRODUCTS = (
    ("APP", "Main app"),
    ("WEB", "Web portal"),
    ("MOB", "Mobile apps"),
    ("DATA", "Data platform"),
    ("API", "Public API"),
)
_CATEGORIES = ("Usability", "Performance", "Integrations", "Reporting", "Security")
_TAGS = ("Engineering", "Infrastructure", "UX", "Enterprise", "Quick win", "Mobile", "Billing")
_TAG_COLORS = ("#0073cf", "#ffb100", "#70b400", "#e5007e", "#8c4799", "#00a3a1", "#d46b08")
_SEGMENTS = ("Enterprise", "Mid-market", "SMB", "Public sector", None)
_PLATFORMS = ("Web", "iOS", "Android", "Desktop")
_SCORE_FACTS = (("6101000001", "Value"), ("6101000002", "Effort"), ("6101000003", "Reach"))


def _words(text: str) -> tuple[str, ...]:
    """Split a ``|``-separated word list (keeps long constant lists compact)."""
    return tuple(text.split("|"))


_FIRST = _words(
    "Ana|José|Zoë|Chloé|Björn|Li|Priya|Tom|Ólafur|Kenji|Amara|Sam|Renée|Ivan|Grace|Mateo|"
    "Yuki|Noah|Fatima|Lena"
)
_LAST = _words(
    "Silva|Núñez|Brontë|Dubois|Åberg|Wang|Patel|Smith|Arnalds|田中|Okafor|Lee|O'Brien|Petrov|"
    "Hopper|García|佐藤|Müller|Haddad|Novak"
)
_ORGS = _words(
    "Acme Corp|Globex|Initech|Umbrella|Soylent|Hooli|Vandelay Industries|Stark Industries|"
    "Wayne Enterprises|Tyrell|Société Générale Démo|株式会社テスト|Müller & Söhne GmbH|Pied Piper|"
    "Cyberdyne|Wonka|Aperture|Oscorp|Nakatomi|Dunder Mifflin"
)
_VERBS = _words("Add|Support|Allow|Improve|Export|Show|Enable|Sync|Simplify|Automate")
_OBJECTS = _words(
    "dark mode|CSV export|SSO login|bulk edit|custom dashboards|Slack notifications|audit log|"
    "two-factor authentication|offline mode|webhooks|calendar view|saved filters|"
    "multi-currency pricing|Jira sync|role-based permissions|PDF reports|keyboard shortcuts|"
    "data retention rules|search suggestions|usage analytics"
)
_QUALIFIERS = _words(
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
_COMMENTS = (
    "<p>+1, we need this too.</p>",
    "<p>Any update on this? 🙏</p>",
    "<p>We'd pay extra for this &mdash; it blocks our rollout.</p>",
    "<p>Workaround: export to CSV and edit in Excel.</p>",
    "<p>Thanks for the feedback! We're reviewing it.</p>",
    "<p>Merci, c'est très important pour nous.</p>",
    '<p>See <a href="https://example.com/docs">the docs</a> for the current limits.</p>',
    "<ul><li>Needed for SOX</li><li>Needed for GDPR</li></ul>",
    "<p>これは重要です。</p>",
    "<p>Same here <strong>&lt;3</strong></p>",
)
_SPAM = (
    "<p>Buy cheap watches at http://spam.example.com</p>",
    "<p>CRYPTO GIVEAWAY!!! visit http://scam.example.net</p>",
)
_INTERNAL = (
    "<p>Discussed in triage, needs sizing.</p>",
    "<p>Linked to the Q3 platform work.</p>",
    "<p>@Grace can you check with the customer?</p>",
    "<p>Duplicate-ish of APP-I-12?</p>",
)


class RecordNotFoundError(KeyError):
    """Raised when an idea, vote or comment id (or reference) does not exist."""


def format_ms(ms: int) -> str:
    """Format epoch milliseconds as Aha!'s ``YYYY-MM-DDTHH:MM:SS.mmmZ``."""
    seconds, millis = divmod(ms, 1000)
    t = time.gmtime(seconds)
    return (
        f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T"
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}.{millis:03d}Z"
    )


def _format_seconds(ms: int) -> str:
    """Format like custom fields' ``updatedAt`` (``2019-01-01T00:00:00Z``, no millis)."""
    return format_ms(ms)[:19] + "Z"


class _Ids:
    """Ascending id allocator with random gaps (ids are never reused)."""

    def __init__(self, start: int, max_gap: int) -> None:
        self.last = start
        self.max_gap = max_gap

    def next(self, rng: random.Random) -> int:
        self.last += rng.randint(1, self.max_gap)
        return self.last


@dataclass(slots=True, eq=False)
class _Idea:
    id: int
    ref: str
    name: str
    created: int
    updated: int
    product: int
    status: int
    status_times: list[tuple[int, int, int | None]]  # (status index, started, ended)
    desc_id: int
    body: str
    desc_updated: int
    attachment_id: int | None
    initial_votes: int
    score_facts: tuple[tuple[int, int], ...]  # (fact index, value)
    visibility: str
    categories: tuple[int, ...]
    tags: tuple[int, ...]
    custom: tuple[int, str | None, int | None, tuple[str, ...]] | None  # id base, seg, value, plat
    creator: tuple[str, int]  # ("user" | "portal" | "idea_user", pool index)
    assignee: int | None
    feature: tuple[int, int, int] | None  # (id, number, created)
    response: tuple[int, int, int, int] | None  # (id, body index, created, user index)
    jira_key: str | None
    spam: bool = False
    votes: list[_Vote] = field(default_factory=list)
    comments: list[_Comment] = field(default_factory=list)
    internal: list[_Internal] = field(default_factory=list)
    edits: int = 0
    overrides: JSON | None = None


@dataclass(slots=True, eq=False)
class _Vote:
    id: int
    idea: _Idea
    created: int
    updated: int
    proxy: bool
    weight: int
    value: str | None
    link: str | None
    desc_id: int | None
    user: int | None  # endorsed_by_user (Aha! user pool index)
    person: int | None  # endorsed_by_portal_user + endorsed_by_idea_user (person pool index)
    org: int | None
    priority: str | None
    overrides: JSON | None = None


@dataclass(slots=True, eq=False)
class _Comment:
    id: int
    idea: _Idea
    created: int
    updated: int
    body: str
    visibility: str
    parent: _Comment | None
    author: tuple[str, int]  # ("user" | "portal" | "idea_user", pool index)
    spam: bool = False
    overrides: JSON | None = None


@dataclass(slots=True, eq=False)
class _Internal:
    id: int
    idea: _Idea
    created: int
    updated: int
    body: str
    user: int


_ABSENT = object()
Renderer = Callable[["Workspace", Any], Any]


def _project(
    ws: Workspace,
    registry: dict[str, Renderer],
    row: Any,
    names: Iterable[str],
    overrides: JSON | None,
) -> JSON:
    """Render the named fields of ``row`` in registry order; overrides replace rendered values."""
    wanted = set(names)
    out: JSON = {}
    for name, render in registry.items():
        if name in wanted:
            value = render(ws, row)
            if value is not _ABSENT:
                out[name] = value
    if overrides:
        out.update({k: copy.deepcopy(v) for k, v in overrides.items() if k in wanted})
    return out


class Workspace:
    """Ground truth of one Aha! account: products, statuses, ideas and their children.

    Every public method holds ``lock`` (one re-entrant lock), so the HTTP threads and a test
    thread can read and mutate concurrently. Readers return fresh dicts in ascending id order.
    ``base_url`` (the emulator's own address) is used for ``url``/``resource`` fields.
    """

    def __init__(self, ideas: int = 300, seed: int = 1, base_url: str = "http://127.0.0.1") -> None:
        self.seed = seed
        self.base_url = base_url
        self.lock = threading.RLock()
        rng = random.Random(seed)
        self._rng = random.Random(seed + 1_000_003)  # for mutations without an explicit seed
        self._misc_ids = _Ids(5_000_000_000, 50_000)
        self._idea_ids = _Ids(max(100_000_000, 1_000_000_000 - ideas * 2_500), 10_000)
        self._vote_ids = _Ids(3_000_000_000, 20_000)
        self._comment_ids = _Ids(6_776_881_149_487_056_351, 10_000_000)
        self._internal_ids = _Ids(6_777_881_149_487_056_351, 10_000_000)
        self._build_pools(rng)
        self._ideas: list[_Idea] = []
        self._by_id: dict[int, _Idea] = {}
        self._by_ref: dict[str, _Idea] = {}
        self._votes: list[_Vote] = []
        self._votes_by_id: dict[int, _Vote] = {}
        self._comments: list[_Comment] = []
        self._comments_by_id: dict[int, _Comment] = {}
        self._internals: list[_Internal] = []
        self._generate(ideas, rng)
        self._clock = max([START_MS] + [i.updated for i in self._ideas])

    # ----------------------------------------------------------------------------- generation

    def _build_pools(self, rng: random.Random) -> None:
        """Products, statuses, categories, users, portal people and organizations."""
        pid = _Ids(130_000_000, 900_000)
        count = rng.randint(3, 5)
        self._products: list[JSON] = []
        for prefix, name in _PRODUCTS[:count]:
            created = rng.randint(_POOL_START_MS, START_MS)
            self._products.append(
                {
                    "id": str(pid.next(rng)),
                    "reference_prefix": prefix,
                    "name": name,
                    "product_line": False,
                    "created_at": format_ms(created),
                    "workspace_type": "product_workspace",
                }
            )
        self._next_ref = [0] * count
        self._next_feature = [0] * count
        self._statuses: list[JSON] = [
            {
                "id": str(pid.next(rng)),
                "name": name,
                "position": pos,
                "complete": complete,
                "color": color,
            }
            for pos, (name, complete, color, _) in enumerate(STATUSES, start=1)
        ]
        self._status_weights = [weight for *_, weight in STATUSES]
        # (product index, category dict); some categories are children of the first one
        self._categories: list[tuple[int, JSON]] = []
        for p, product in enumerate(self._products):
            parent: int | None = None
            for c, cname in enumerate(_CATEGORIES[: rng.randint(2, 5)]):
                cid = pid.next(rng)
                self._categories.append(
                    (
                        p,
                        {
                            "id": str(cid),
                            "name": cname,
                            "parent_id": parent if c >= 3 else None,
                            "project_id": int(product["id"]),
                            "created_at": format_ms(rng.randint(_POOL_START_MS, START_MS)),
                        },
                    )
                )
                parent = parent or cid
        self._tags = [
            {"id": str(pid.next(rng)), "name": n, "color": c}
            for n, c in zip(_TAGS, _TAG_COLORS, strict=True)
        ]
        self._users: list[JSON] = []
        for i in range(24):
            name = f"{_FIRST[i % 20]} {_LAST[(i * 7) % 20]}"
            created = rng.randint(_POOL_START_MS, START_MS)
            self._users.append(
                {
                    "id": str(pid.next(rng)),
                    "name": name,
                    "email": f"user{i}@company.example.com",
                    "created_at": format_ms(created),
                    "updated_at": format_ms(created + rng.randint(0, 300 * _DAY_MS)),
                }
            )
        # a "person" is one portal user plus the matching idea user (same name, own ids)
        self._portal_users: list[JSON] = []
        self._idea_users: list[JSON] = []
        for i in range(400):
            name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
            joined = format_ms(rng.randint(_POOL_START_MS, START_MS))
            email = f"person{i}@customer{i % 37}.example.org"
            self._portal_users.append(
                {"id": str(pid.next(rng)), "name": name, "email": email, "created_at": joined}
            )
            self._idea_users.append(
                {
                    "id": str(pid.next(rng)),
                    "name": name,
                    "email": email,
                    "created_at": joined,
                    "title": rng.choice((None, "CTO", "Analyst", "Directrice")),
                }
            )
        self._orgs = [
            {
                "id": str(pid.next(rng)),
                "name": name,
                "created_at": format_ms(rng.randint(_POOL_START_MS, START_MS)),
            }
            for name in _ORGS
        ]

    def _generate(self, count: int, rng: random.Random) -> None:
        created_times = sorted(rng.randint(START_MS, END_MS - 30 * _DAY_MS) for _ in range(count))
        votes: list[_Vote] = []
        comments: list[_Comment] = []
        internals: list[_Internal] = []
        for created in created_times:
            idea = self._new_idea(rng, created, spam=rng.random() < 0.03)
            idea.updated = idea.created if rng.random() < 0.35 else _after(rng, created, 60)
            self._age_idea(rng, idea)
            self._store_idea(idea)
            if idea.spam:
                continue
            if rng.random() < 0.6:
                for _ in range(rng.randint(1, 6)):
                    votes.append(
                        self._new_vote(
                            rng, idea, _after(rng, created, 90), proxy=rng.random() < 0.5
                        )
                    )
            if rng.random() < 0.4:
                own: list[_Comment] = []
                for _ in range(rng.randint(1, 6)):
                    parent = rng.choice(own) if own and rng.random() < 0.35 else None
                    start = parent.created if parent else created
                    own.append(
                        self._new_comment(
                            rng, idea, _after(rng, start, 30), parent, spam=rng.random() < 0.02
                        )
                    )
                comments.extend(own)
            if rng.random() < 0.2:
                for _ in range(rng.randint(1, 3)):
                    at = _after(rng, created, 45)
                    internals.append(
                        _Internal(
                            0, idea, at, at, rng.choice(_INTERNAL), rng.randrange(len(self._users))
                        )
                    )
        # children get ids in creation order, like a real database sequence
        for vote in sorted(votes, key=lambda v: v.created):
            if rng.random() < 0.2:
                vote.updated = _after(rng, vote.created, 20)
            vote.id = self._vote_ids.next(rng)
            self._attach_vote(vote)
        for comment in sorted(comments, key=lambda c: c.created):
            if rng.random() < 0.1:
                comment.updated = _after(rng, comment.created, 5)
            comment.id = self._comment_ids.next(rng)
            self._attach_comment(comment)
        for internal in sorted(internals, key=lambda c: c.created):
            internal.id = self._internal_ids.next(rng)
            internal.idea.internal.append(internal)
            internal.idea.updated = max(internal.idea.updated, internal.updated)
            self._internals.append(internal)

    def _new_idea(
        self, rng: random.Random, created: int, spam: bool = False, product: int | None = None
    ) -> _Idea:
        """A fresh idea created (and last updated) at ``created``; the id is the next one."""
        if product is None:
            product = min(int(rng.expovariate(0.9)), len(self._products) - 1)
        self._next_ref[product] += 1
        prefix = self._products[product]["reference_prefix"]
        if spam:
            name = rng.choice(
                ("FREE GIFT CARDS click here", "Best casino bonus 2024 !!!", "cheap pills online")
            )
        elif rng.random() < 0.06:
            name = rng.choice(_ODD_NAMES)
        else:
            name = f"{rng.choice(_VERBS)} {rng.choice(_OBJECTS)}{rng.choice(_QUALIFIERS)}"
        cats = [i for i, (p, _) in enumerate(self._categories) if p == product]
        custom = None
        if rng.random() < 0.7:
            custom = (
                self._misc_ids.next(rng),
                rng.choice(_SEGMENTS),
                rng.choice((None, rng.randint(100, 250_000))),
                tuple(rng.sample(_PLATFORMS, rng.randint(0, 3))),
            )
        users = len(self._users)
        return _Idea(
            id=self._idea_ids.next(rng),
            ref=f"{prefix}-I-{self._next_ref[product]}",
            name=name,
            created=created,
            updated=created,
            product=product,
            status=0,
            status_times=[(0, created, None)],
            desc_id=self._misc_ids.next(rng),
            body=_idea_body(rng, name, spam),
            desc_updated=created,
            attachment_id=self._misc_ids.next(rng) if rng.random() < 0.03 else None,
            initial_votes=rng.choice((0, 0, 0, 1, 2, 5)),
            score_facts=tuple((i, rng.randint(1, 10)) for i in range(3))
            if rng.random() < 0.5
            else (),
            visibility=rng.choice(VISIBILITIES),
            categories=tuple(sorted(rng.sample(cats, rng.randint(0, min(2, len(cats)))))),
            tags=tuple(sorted(rng.sample(range(len(_TAGS)), rng.choice((0, 0, 1, 2, 3))))),
            custom=custom,
            creator=_pick_author(rng, users, len(self._portal_users)),
            assignee=rng.randrange(users) if rng.random() < 0.5 else None,
            feature=None,
            response=None,
            jira_key=f"JIRA-{rng.randint(100, 9999)}" if rng.random() < 0.1 else None,
            spam=spam,
        )

    def _age_idea(self, rng: random.Random, idea: _Idea) -> None:
        """Give a generated idea a status history, description edit, feature and response."""
        if idea.updated == idea.created:
            return
        status = rng.choices(range(len(STATUSES)), weights=self._status_weights)[0]
        if status:
            changed = rng.randint(idea.created + 1, idea.updated)
            idea.status = status
            idea.status_times = [(0, idea.created, changed), (status, changed, None)]
        if rng.random() < 0.3:
            idea.desc_updated = rng.randint(idea.created, idea.updated)
        if status in (3, 4) and rng.random() < 0.7:
            self._next_feature[idea.product] += 1
            idea.feature = (
                self._misc_ids.next(rng),
                self._next_feature[idea.product],
                rng.randint(idea.created, idea.updated),
            )
        if rng.random() < 0.25:
            at = rng.randint(idea.created, idea.updated)
            idea.response = (
                self._misc_ids.next(rng),
                rng.randrange(len(_COMMENTS)),
                at,
                rng.randrange(len(self._users)),
            )

    def _new_vote(self, rng: random.Random, idea: _Idea, at: int, proxy: bool) -> _Vote:
        by_user = rng.random() < (0.7 if proxy else 0.15)
        org = rng.randrange(len(self._orgs)) if proxy else None
        return _Vote(
            id=0,
            idea=idea,
            created=at,
            updated=at,
            proxy=proxy,
            weight=rng.choice((1, 1, 2, 3, 5)) if proxy else 1,
            value=f"{rng.choice((1, 2, 5, 10, 250, 1200))}.0"
            if proxy and rng.random() < 0.8
            else None,
            link="https://crm.example.com/opportunities/" + str(rng.randint(1000, 99999))
            if proxy and rng.random() < 0.4
            else None,
            desc_id=self._misc_ids.next(rng) if proxy else None,
            user=rng.randrange(len(self._users)) if by_user else None,
            person=None if by_user else rng.randrange(len(self._portal_users)),
            org=org,
            priority=rng.choice(("P1", "P2", "P3", None)) if proxy else None,
        )

    def _new_comment(
        self, rng: random.Random, idea: _Idea, at: int, parent: _Comment | None, spam: bool = False
    ) -> _Comment:
        return _Comment(
            id=0,
            idea=idea,
            created=at,
            updated=at,
            body=rng.choice(_SPAM) if spam else rng.choice(_COMMENTS),
            visibility=parent.visibility if parent else rng.choice(VISIBILITIES[:2]),
            parent=parent,
            author=_pick_author(rng, len(self._users), len(self._portal_users)),
            spam=spam,
        )

    def _store_idea(self, idea: _Idea) -> None:
        self._ideas.append(idea)
        self._by_id[idea.id] = idea
        self._by_ref[idea.ref.upper()] = idea

    def _attach_vote(self, vote: _Vote) -> None:
        vote.idea.votes.append(vote)
        vote.idea.updated = max(vote.idea.updated, vote.updated)
        self._votes.append(vote)
        self._votes_by_id[vote.id] = vote

    def _attach_comment(self, comment: _Comment) -> None:
        comment.idea.comments.append(comment)
        comment.idea.updated = max(comment.idea.updated, comment.updated)
        self._comments.append(comment)
        self._comments_by_id[comment.id] = comment

    # ------------------------------------------------------------------------- ground truth

    def ideas(self, include_spam: bool = False) -> list[JSON]:
        """Full ideas (``GET /ideas/:id`` shape), ascending id; spam only if asked for."""
        with self.lock:
            return [
                self._render_idea(i, IDEA_FULL) for i in self._ideas if include_spam or not i.spam
            ]

    def idea(self, idea_id: str | int) -> JSON:
        """One full idea by id or reference number; raises ``RecordNotFoundError``."""
        with self.lock:
            return self._render_idea(self._find_idea(idea_id), IDEA_FULL)

    def products(self) -> list[JSON]:
        """Products (workspaces) as listed by ``GET /products``."""
        with self.lock:
            return [self._product(p, with_resource=True) for p in range(len(self._products))]

    def workflow_statuses(self) -> list[JSON]:
        """The six idea workflow statuses, by position."""
        return [dict(s) for s in self._statuses]

    def votes(self, proxy: bool | None = None) -> list[JSON]:
        """Full votes (per-idea endorsements shape), ascending id; filter by proxy if given."""
        with self.lock:
            return [
                self._render(VOTE_FIELDS, v, VOTE_FULL)
                for v in self._votes
                if proxy is None or v.proxy == proxy
            ]

    def idea_comments(self, include_spam: bool = False) -> list[JSON]:
        """Portal idea comments with every field (incl. updated_at and spam), ascending id."""
        with self.lock:
            return [
                self._render(COMMENT_FIELDS, c, COMMENT_ALL)
                for c in self._comments
                if include_spam or not c.spam
            ]

    def internal_comments(self) -> list[JSON]:
        """Internal (team) comments on ideas, ``GET /ideas/:id/comments`` shape."""
        with self.lock:
            return [self._render(INTERNAL_FIELDS, c, INTERNAL_FIELDS) for c in self._internals]

    # ------------------------------------------------------------------ queries for the server

    def query_ideas(
        self,
        offset: int,
        limit: int,
        fields: Sequence[str] | None = None,
        *,
        updated_since_us: int | None = None,
        created_since_us: int | None = None,
        created_before_us: int | None = None,
        workflow_status: str | None = None,
        text: str | None = None,
        spam: bool = False,
        product: str | None = None,
    ) -> tuple[int, list[JSON]]:
        """Filter ideas like ``GET /ideas``; return (total matches, rendered slice).

        Timestamps are epoch microseconds; ``updated_since``/``created_since`` are exclusive.
        ``fields=None`` gives the abbreviated list shape.
        """
        with self.lock:
            rows: Iterable[_Idea] = (i for i in self._ideas if i.spam == spam)
            if product is not None:
                p = self._find_product(product)
                rows = (i for i in rows if i.product == p)
            if updated_since_us is not None:
                rows = (i for i in rows if i.updated * 1000 > updated_since_us)
            if created_since_us is not None:
                rows = (i for i in rows if i.created * 1000 > created_since_us)
            if created_before_us is not None:
                rows = (i for i in rows if i.created * 1000 < created_before_us)
            if workflow_status is not None:
                wanted = workflow_status.strip().lower()
                rows = (
                    i
                    for i in rows
                    if wanted
                    in (self._statuses[i.status]["id"], self._statuses[i.status]["name"].lower())
                )
            if text:
                needle = text.lower()
                rows = (i for i in rows if needle in i.name.lower())
            matches = list(rows)
            names = _field_names(fields, IDEA_ABBREVIATED, IDEA_FULL)
            page = [self._render_idea(i, names) for i in matches[offset : offset + limit]]
            return len(matches), page

    def query_idea(self, idea_id: str, fields: Sequence[str] | None = None) -> JSON:
        """``GET /ideas/:id``: full idea or the requested fields; raises ``RecordNotFoundError``."""
        with self.lock:
            idea = self._find_idea(idea_id)
            return self._render_idea(idea, _field_names(fields, IDEA_FULL, IDEA_FULL))

    def query_votes(
        self,
        offset: int,
        limit: int,
        idea_id: str | None = None,
        proxy: bool = False,
        fields: Sequence[str] | None = None,
        *,
        updated_since_us: int | None = None,
        created_since_us: int | None = None,
        created_before_us: int | None = None,
    ) -> tuple[int, list[JSON]]:
        """Per-idea (``idea_id`` given) or account-wide endorsements, ascending id.

        Account-wide rows omit description and custom_fields and ignore ``fields``.
        """
        with self.lock:
            rows: Iterable[_Vote]
            if idea_id is not None:
                rows = self._find_idea(idea_id).votes
                names = _field_names(fields, VOTE_FULL, VOTE_FULL)
            else:
                rows = self._votes
                names = list(VOTE_ACCOUNT)
            if proxy:
                rows = (v for v in rows if v.proxy)
            if updated_since_us is not None:
                rows = (v for v in rows if v.updated * 1000 > updated_since_us)
            if created_since_us is not None:
                rows = (v for v in rows if v.created * 1000 > created_since_us)
            if created_before_us is not None:
                rows = (v for v in rows if v.created * 1000 < created_before_us)
            matches = list(rows)
            page = [self._render(VOTE_FIELDS, v, names) for v in matches[offset : offset + limit]]
            return len(matches), page

    def query_idea_comments(
        self,
        idea_id: str,
        offset: int,
        limit: int,
        spam: bool = False,
        fields: Sequence[str] | None = None,
    ) -> tuple[int, list[JSON]]:
        """``GET /ideas/:id/idea_comments``; ``spam=True`` shows spam comments too."""
        with self.lock:
            matches = [c for c in self._find_idea(idea_id).comments if spam or not c.spam]
            names = _field_names(fields, COMMENT_DEFAULT, COMMENT_DEFAULT)
            page = [
                self._render(COMMENT_FIELDS, c, names) for c in matches[offset : offset + limit]
            ]
            return len(matches), page

    def query_internal_comments(
        self, idea_id: str, offset: int, limit: int
    ) -> tuple[int, list[JSON]]:
        """``GET /ideas/:id/comments`` (internal comments)."""
        with self.lock:
            matches = self._find_idea(idea_id).internal
            page = [
                self._render(INTERNAL_FIELDS, c, INTERNAL_FIELDS)
                for c in matches[offset : offset + limit]
            ]
            return len(matches), page

    def query_products(self, offset: int, limit: int) -> tuple[int, list[JSON]]:
        """``GET /products``."""
        products = self.products()
        return len(products), products[offset : offset + limit]

    # ---------------------------------------------------------------------------- mutations

    def add_idea(self, **overrides: Any) -> JSON:
        """Create an idea now (``product_id`` picks the product); other keys as in edit_idea."""
        with self.lock:
            product = overrides.pop("product_id", None)
            p = self._find_product(str(product)) if product is not None else None
            idea = self._new_idea(self._rng, self._now(), product=p)
            self._store_idea(idea)
            self._apply_idea_changes(idea, overrides)
            return self._render_idea(idea, IDEA_FULL)

    def edit_idea(self, idea_id: str | int, **changes: Any) -> JSON:
        """Change an idea and bump its ``updated_at``; without changes, rename it.

        ``name``, ``workflow_status`` (name or id), ``description`` (HTML body), ``tags``
        (strings) and ``spam`` (bool, hides the idea) change the stored record; any other field
        of the full idea is overridden verbatim (unknown names raise ``ValueError``).
        """
        with self.lock:
            idea = self._find_idea(idea_id)
            if not changes:
                idea.edits += 1
                base = idea.name.split(" (edited ", 1)[0]
                changes = {"name": f"{base} (edited {idea.edits})"}
            idea.updated = self._now()
            self._apply_idea_changes(idea, changes)
            return self._render_idea(idea, IDEA_FULL)

    def delete_idea(self, idea_id: str | int) -> None:
        """Hard-delete an idea with its votes and comments (lists return no tombstones)."""
        with self.lock:
            idea = self._find_idea(idea_id)
            self._ideas.remove(idea)
            del self._by_id[idea.id]
            del self._by_ref[idea.ref.upper()]
            for vote in idea.votes:
                del self._votes_by_id[vote.id]
            for comment in idea.comments:
                del self._comments_by_id[comment.id]
            self._votes = [v for v in self._votes if v.idea is not idea]
            self._comments = [c for c in self._comments if c.idea is not idea]
            self._internals = [c for c in self._internals if c.idea is not idea]

    def add_vote(self, idea_id: str | int, proxy: bool = True) -> JSON:
        """Add a vote (proxy by default) created now; bumps the idea."""
        with self.lock:
            idea = self._find_idea(idea_id)
            vote = self._new_vote(self._rng, idea, self._now(), proxy)
            vote.id = self._vote_ids.next(self._rng)
            self._attach_vote(vote)
            return self._render(VOTE_FIELDS, vote, VOTE_FULL)

    def edit_vote(self, vote_id: str | int, **changes: Any) -> JSON:
        """Bump a vote's ``updated_at`` (and its idea's); a proxy vote's value goes up by 1.

        ``weight``, ``value`` and ``link`` change the stored vote; other keys override the
        rendered field.
        """
        with self.lock:
            vote = self._votes_by_id.get(_int_id(vote_id))
            if vote is None:
                raise RecordNotFoundError(str(vote_id))
            if not changes and vote.proxy:
                changes = {"value": f"{float(vote.value or 0) + 1.0:.1f}"}
            for key in ("weight", "value", "link"):
                if key in changes:
                    setattr(vote, key, changes.pop(key))
            vote.overrides = _merge_overrides(vote.overrides, VOTE_FIELDS, changes)
            vote.updated = vote.idea.updated = self._now()
            return self._render(VOTE_FIELDS, vote, VOTE_FULL)

    def add_comment(self, idea_id: str | int, parent_id: str | int | None = None) -> JSON:
        """Add a portal idea comment created now, optionally replying to ``parent_id``."""
        with self.lock:
            idea = self._find_idea(idea_id)
            parent = None
            if parent_id is not None:
                parent = self._comments_by_id.get(_int_id(parent_id))
                if parent is None or parent.idea is not idea:
                    raise RecordNotFoundError(str(parent_id))
            comment = self._new_comment(self._rng, idea, self._now(), parent)
            comment.id = self._comment_ids.next(self._rng)
            self._attach_comment(comment)
            return self._render(COMMENT_FIELDS, comment, COMMENT_ALL)

    def edit_comment(self, comment_id: str | int, **changes: Any) -> JSON:
        """Bump a comment (and its idea); default edits the body. ``spam``/``body`` supported."""
        with self.lock:
            comment = self._comments_by_id.get(_int_id(comment_id))
            if comment is None:
                raise RecordNotFoundError(str(comment_id))
            comment.body = changes.pop("body", comment.body + "<p><em>(edited)</em></p>")
            comment.spam = bool(changes.pop("spam", comment.spam))
            comment.overrides = _merge_overrides(comment.overrides, COMMENT_FIELDS, changes)
            comment.updated = comment.idea.updated = self._now()
            return self._render(COMMENT_FIELDS, comment, COMMENT_ALL)

    def mutate_random(self, changed_ideas: int, seed: int) -> JSON:
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
        with self.lock:
            n_new = min(2, changed_ideas // 5)
            candidates = [i for i in self._ideas if not i.spam]
            picked = rng.sample(candidates, min(changed_ideas - n_new, len(candidates)))
            for idea in sorted(picked, key=lambda i: i.id):
                action = rng.choices(("edit", "vote", "comment"), weights=(4, 3, 3))[0]
                if action == "edit":
                    self.edit_idea(idea.id)
                    out["edited_idea_ids"].append(str(idea.id))
                elif action == "vote":
                    out["new_vote_ids"].append(self.add_vote(idea.id, proxy=True)["id"])
                else:
                    parent = (
                        rng.choice(idea.comments).id
                        if idea.comments and rng.random() < 0.5
                        else None
                    )
                    out["new_comment_ids"].append(self.add_comment(idea.id, parent)["id"])
                out["changed_idea_ids"].append(str(idea.id))
            for _ in range(n_new):
                new_id = self.add_idea(name=f"New idea {rng.randint(1, 10**6)} from the portal")
                out["new_idea_ids"].append(new_id["id"])
                out["changed_idea_ids"].append(new_id["id"])
        return dict(out)

    # ------------------------------------------------------------------------------ helpers

    def _now(self) -> int:
        """Mutation time: real UTC now, but strictly after every timestamp so far."""
        self._clock = max(int(time.time() * 1000), self._clock + 1)
        return self._clock

    def _find_idea(self, idea_id: str | int) -> _Idea:
        text = str(idea_id).strip()
        idea = self._by_id.get(int(text)) if text.isdigit() else self._by_ref.get(text.upper())
        if idea is None:
            raise RecordNotFoundError(text)
        return idea

    def _find_product(self, product: str) -> int:
        for p, row in enumerate(self._products):
            if product in (row["id"], row["reference_prefix"]):
                return p
        raise RecordNotFoundError(product)

    def _apply_idea_changes(self, idea: _Idea, changes: JSON) -> None:
        changes = dict(changes)
        if "name" in changes:
            idea.name = str(changes.pop("name"))
        if "description" in changes:
            idea.body = str(changes.pop("description"))
            idea.desc_updated = idea.updated
        if "tags" in changes:
            names = [t.lower() for t in changes.pop("tags")]
            idea.tags = tuple(i for i, t in enumerate(_TAGS) if t.lower() in names)
        if "spam" in changes:
            idea.spam = bool(changes.pop("spam"))
        if "workflow_status" in changes:
            wanted = str(changes.pop("workflow_status")).lower()
            status = next(
                n for n, s in enumerate(self._statuses) if wanted in (s["id"], s["name"].lower())
            )
            if status != idea.status:
                last, started, _ = idea.status_times[-1]
                idea.status_times[-1] = (last, started, idea.updated)
                idea.status_times.append((status, idea.updated, None))
                idea.status = status
        idea.overrides = _merge_overrides(idea.overrides, IDEA_FIELDS, changes)

    def _render(self, registry: dict[str, Renderer], row: Any, names: Iterable[str]) -> JSON:
        return _project(self, registry, row, names, getattr(row, "overrides", None))

    def _render_idea(self, idea: _Idea, names: Iterable[str]) -> JSON:
        return _project(self, IDEA_FIELDS, idea, names, idea.overrides)

    def _product(self, p: int, with_resource: bool = False) -> JSON:
        out = dict(self._products[p])
        out["url"] = f"{self.base_url}/products/{out['reference_prefix']}"
        if with_resource:
            out["resource"] = f"{self.base_url}/api/v1/products/{out['reference_prefix']}"
        return out

    def _person(self, kind: str, index: int) -> JSON:
        pool = {"user": self._users, "portal": self._portal_users, "idea_user": self._idea_users}[
            kind
        ]
        return dict(pool[index])

    def _org(self, index: int) -> JSON:
        out = dict(self._orgs[index])
        out["url"] = f"{self.base_url}/ideas/idea_organizations/{out['id']}"
        out["resource"] = f"{self.base_url}/api/v1/idea_organizations/{out['id']}"
        return out


# ---------------------------------------------------------------------------------- helpers


def _after(rng: random.Random, start: int, mean_days: float) -> int:
    """A moment after ``start`` (exponential gap, at least a second), capped at END_MS."""
    gap = 1000 + int(rng.expovariate(1 / (mean_days * _DAY_MS)))
    return min(END_MS, start + gap)


def _pick_author(rng: random.Random, users: int, people: int) -> tuple[str, int]:
    kind = rng.choices(("user", "portal", "idea_user"), weights=(3, 4, 3))[0]
    return kind, rng.randrange(users if kind == "user" else people)


def _merge_overrides(
    current: JSON | None, registry: dict[str, Renderer], changes: JSON
) -> JSON | None:
    """Add verbatim field overrides; only existing field names are accepted."""
    bad = sorted(k for k in changes if k not in registry or k == "id")
    if bad:
        raise ValueError(f"unknown or read-only fields: {bad}")
    if not changes:
        return current
    return {**(current or {}), **copy.deepcopy(changes)}


def _int_id(value: str | int) -> int:
    text = str(value).strip()
    return int(text) if text.isdigit() else -1


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


def _field_names(
    fields: Sequence[str] | None, default: Sequence[str], star: Sequence[str]
) -> list[str]:
    """Resolve a ``fields=`` list: None → default set, ``*`` → star set, always with ``id``."""
    if fields is None:
        return list(default)
    names = ["id", *fields]
    if "*" in fields:
        names.extend(star)
    return names


def _status(ws: Workspace, i: _Idea) -> JSON:
    return dict(ws._statuses[i.status])


def _description(ws: Workspace, i: _Idea) -> JSON:
    attachments = []
    if i.attachment_id is not None:
        attachments.append(
            {
                "id": str(i.attachment_id),
                "download_url": f"{ws.base_url}/attachments/{i.attachment_id}/token/abc.download",
                "created_at": format_ms(i.created),
                "updated_at": format_ms(i.created),
                "original_file_size": 48213,
                "content_type": "image/png",
                "file_name": "screenshot.png",
                "file_size": 48213,
            }
        )
    return {
        "id": str(i.desc_id),
        "body": i.body,
        "editor_version": 2,
        "created_at": format_ms(i.created),
        "updated_at": format_ms(i.desc_updated),
        "attachments": attachments,
    }


def _custom_fields(i: _Idea) -> list[JSON]:
    if i.custom is None:
        return []
    base, segment, value, platforms = i.custom
    at = _format_seconds(i.created)
    return [
        {
            "id": base,
            "key": "customer_segment",
            "name": "Customer segment",
            "updatedAt": at,
            "value": segment,
            "type": "string",
        },
        {
            "id": base + 1,
            "key": "expected_value",
            "name": "Expected value (€)",
            "updatedAt": at,
            "value": value,
            "type": "number",
        },
        {
            "id": base + 2,
            "key": "platforms",
            "name": "Platforms",
            "updatedAt": at,
            "value": list(platforms),
            "type": "array",
        },
    ]


def _feature(ws: Workspace, i: _Idea) -> JSON | None:
    if i.feature is None:
        return None
    fid, number, created = i.feature
    ref = f"{ws._products[i.product]['reference_prefix']}-{number}"
    return {
        "id": str(fid),
        "reference_num": ref,
        "name": i.name,
        "created_at": format_ms(created),
        "url": f"{ws.base_url}/features/{ref}",
        "resource": f"{ws.base_url}/api/v1/features/{ref}",
        "product_id": ws._products[i.product]["id"],
    }


def _admin_response(ws: Workspace, i: _Idea) -> JSON | None:
    if i.response is None:
        return None
    rid, body, at, user = i.response
    return {
        "id": str(rid),
        "body": _COMMENTS[body],
        "editor_version": 2,
        "created_at": format_ms(at),
        "updated_at": format_ms(at),
        "attachments": [],
        "responded_by_user": ws._person("user", user),
    }


def _status_times(ws: Workspace, i: _Idea) -> list[JSON]:
    return [
        {
            "status_id": ws._statuses[s]["id"],
            "status_name": ws._statuses[s]["name"],
            "started_at": format_ms(start),
            "ended_at": format_ms(end) if end else None,
        }
        for s, start, end in i.status_times
    ]


def _creator(kind: str) -> Renderer:
    def render(ws: Workspace, row: Any) -> JSON | None:
        who, index = row.creator if isinstance(row, _Idea) else row.author
        return ws._person(kind, index) if who == kind else None

    return render


def _idea_url(ws: Workspace, i: _Idea) -> str:
    return f"{ws.base_url}/ideas/ideas/{i.ref}"


IDEA_FIELDS: dict[str, Renderer] = {
    "id": lambda ws, i: str(i.id),
    "reference_num": lambda ws, i: i.ref,
    "name": lambda ws, i: i.name,
    "created_at": lambda ws, i: format_ms(i.created),
    "updated_at": lambda ws, i: format_ms(i.updated),
    "product_id": lambda ws, i: ws._products[i.product]["id"],
    "product": lambda ws, i: ws._product(i.product),
    "workflow_status": _status,
    "status_changed_at": lambda ws, i: (
        format_ms(i.status_times[-1][1]) if len(i.status_times) > 1 else None
    ),
    "description": _description,
    "votes": lambda ws, i: i.initial_votes + sum(v.weight for v in i.votes),
    "initial_votes": lambda ws, i: i.initial_votes,
    "endorsements_count": lambda ws, i: len(i.votes),
    "comments_count": lambda ws, i: sum(1 for c in i.comments if not c.spam),
    "score": lambda ws, i: sum(v for _, v in i.score_facts) * 3,
    "score_facts": lambda ws, i: [
        {"id": _SCORE_FACTS[f][0], "name": _SCORE_FACTS[f][1], "value": v} for f, v in i.score_facts
    ],
    "visibility": lambda ws, i: i.visibility,
    "categories": lambda ws, i: [dict(ws._categories[c][1]) for c in i.categories],
    "tags": lambda ws, i: [_TAGS[t] for t in i.tags],
    "full_tags": lambda ws, i: [dict(ws._tags[t]) for t in i.tags],
    "custom_fields": lambda ws, i: _custom_fields(i),
    "integration_fields": lambda ws, i: (
        []
        if i.jira_key is None
        else [
            {
                "id": str(i.desc_id + 1),
                "name": "key",
                "value": i.jira_key,
                "integration_id": 91_001,
                "service_name": "jira",
                "created_at": format_ms(i.created),
            }
        ]
    ),
    "custom_object_links": lambda ws, i: (
        []
        if i.custom is None or i.custom[1] != "Enterprise"
        else [
            {
                "key": "related_accounts",
                "name": "Related accounts",
                "record_type": "CustomObjectRecord",
                "record_ids": [str(i.custom[0] + 10)],
            }
        ]
    ),
    "feature": _feature,
    "duplicate_of": lambda ws, i: None,
    "created_by_user": _creator("user"),
    "created_by_portal_user": _creator("portal"),
    "created_by_idea_user": _creator("idea_user"),
    "assigned_to_user": lambda ws, i: (
        None if i.assignee is None else ws._person("user", i.assignee)
    ),
    "admin_response": _admin_response,
    "workflow_status_times": _status_times,
    "submitted_idea_portal_record_url": lambda ws, i: f"{ws.base_url}/portal/ideas/{i.ref}",
    "url": _idea_url,
    "resource": lambda ws, i: f"{ws.base_url}/api/v1/ideas/{i.ref}",
}
IDEA_FULL = tuple(IDEA_FIELDS)
IDEA_ABBREVIATED = (
    "id",
    "reference_num",
    "name",
    "created_at",
    "updated_at",
    "workflow_status",
    "description",
    "url",
    "resource",
)


def _vote_description(ws: Workspace, v: _Vote) -> JSON | None:
    if v.desc_id is None:
        return None
    org = ws._orgs[v.org]["name"] if v.org is not None else "a customer"
    at = format_ms(v.created)
    return {
        "id": str(v.desc_id),
        "body": f"<p>Requested by <strong>{org}</strong> in a QBR.</p>",
        "editor_version": 2,
        "created_at": at,
        "updated_at": at,
        "attachments": [],
    }


def _vote_org(ws: Workspace, v: _Vote) -> Any:
    if v.org is not None:
        return ws._org(v.org)
    # plain votes: key absent on odd ids, null on even ids (both occur in the wild)
    return _ABSENT if v.id % 2 else None


VOTE_FIELDS: dict[str, Renderer] = {
    "id": lambda ws, v: str(v.id),
    "idea_id": lambda ws, v: str(v.idea.id),
    "created_at": lambda ws, v: format_ms(v.created),
    "updated_at": lambda ws, v: format_ms(v.updated),
    "value": lambda ws, v: v.value,
    "link": lambda ws, v: v.link,
    "weight": lambda ws, v: v.weight,
    "description": _vote_description,
    "custom_fields": lambda ws, v: (
        []
        if v.priority is None
        else [
            {
                "id": 7_300_001,
                "key": "vote_priority",
                "name": "Priority",
                "updatedAt": _format_seconds(v.created),
                "value": v.priority,
                "type": "string",
            }
        ]
    ),
    "endorsed_by_user": lambda ws, v: _ABSENT if v.user is None else ws._person("user", v.user),
    "endorsed_by_portal_user": lambda ws, v: (
        _ABSENT if v.person is None else ws._person("portal", v.person)
    ),
    "endorsed_by_idea_user": lambda ws, v: (
        _ABSENT if v.person is None else ws._person("idea_user", v.person)
    ),
    "idea_organization": _vote_org,
    "associated_idea_organizations": lambda ws, v: [] if v.org is None else [ws._org(v.org)],
}
VOTE_FULL = tuple(k for k in VOTE_FIELDS if k != "associated_idea_organizations")
VOTE_ACCOUNT = tuple(k for k in VOTE_FULL if k not in ("description", "custom_fields"))

COMMENT_FIELDS: dict[str, Renderer] = {
    "id": lambda ws, c: str(c.id),
    "idea_id": lambda ws, c: str(c.idea.id),
    "body": lambda ws, c: c.body,
    "created_at": lambda ws, c: format_ms(c.created),
    "updated_at": lambda ws, c: format_ms(c.updated),
    "visibility": lambda ws, c: c.visibility,
    "parent_idea_comment_id": lambda ws, c: None if c.parent is None else c.parent.id,
    "spam": lambda ws, c: c.spam,
    "idea_commenter_user": _creator("user"),
    "idea_commenter_portal_user": _creator("portal"),
    "idea_commenter_idea_user": _creator("idea_user"),
    "idea": lambda ws, c: ws._render_idea(c.idea, IDEA_ABBREVIATED),
    "attachments": lambda ws, c: [],
}
COMMENT_ALL = tuple(COMMENT_FIELDS)
COMMENT_DEFAULT = tuple(
    k
    for k in COMMENT_FIELDS
    if k not in ("updated_at", "spam", "idea_commenter_portal_user", "idea_commenter_idea_user")
)

INTERNAL_FIELDS: dict[str, Renderer] = {
    "id": lambda ws, c: str(c.id),
    "body": lambda ws, c: c.body,
    "created_at": lambda ws, c: format_ms(c.created),
    "updated_at": lambda ws, c: format_ms(c.updated),
    "user": lambda ws, c: ws._person("user", c.user),
    "attachments": lambda ws, c: [],
    "url": lambda ws, c: f"{ws.base_url}/comments/{c.id}",
    "resource": lambda ws, c: f"{ws.base_url}/api/v1/comments/{c.id}",
    "commentable": lambda ws, c: {
        "type": "Idea",
        "id": str(c.idea.id),
        "product_id": ws._products[c.idea.product]["id"],
        "url": _idea_url(ws, c.idea),
        "resource": f"{ws.base_url}/api/v1/ideas/{c.idea.ref}",
    },
}
