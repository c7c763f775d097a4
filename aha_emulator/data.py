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
* account-level records (organizations, idea users, users, categories, portals, releases,
  epics, features, initiatives, goals; shapes in ``docs/aha-endpoints.md``) come from their own
  RNG, so adding them changed no idea, vote or comment. Ideas' ``feature`` links, votes'
  organizations and every embedded person or category resolve to a listed record.
"""

from __future__ import annotations

import copy
import random
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

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


# Account-level records (Aha! Roadmaps side and account pools), see docs/aha-endpoints.md.
# kind: (reference infix, UI path, API path); references look like APP-R-3, APP-E-2, APP-12,
# APP-S-1 and APP-G-1.
_REC_KINDS = {
    "release": ("-R-", "releases", "releases"),
    "epic": ("-E-", "epics", "epics"),
    "feature": ("-", "features", "features"),
    "initiative": ("-S-", "initiatives", "initiatives"),
    "goal": ("-G-", "strategic_imperatives", "goals"),
}
# workflow statuses per kind (name, complete, color); epics use the feature workflow, as in the
# docs' product example ("epic_workflow" = the feature workflow); goals' statuses are the
# success-metric statuses.
_REC_STATUSES = {
    "release": (
        ("Not started", False, "#dce7c6"),
        ("In progress", False, "#fbe7a4"),
        ("Shipped", True, "#9fd3a8"),
    ),
    "feature": (
        ("Under consideration", False, "#dce7c6"),
        ("Designed", False, "#ecdd8f"),
        ("Ready to develop", False, "#c7dbf5"),
        ("In development", False, "#fbe7a4"),
        ("Shipped", True, "#9fd3a8"),
        ("Will not implement", True, "#e3c0c0"),
    ),
    "initiative": (
        ("Not started", False, "#dce7c6"),
        ("On track", False, "#9fd3a8"),
        ("At risk", False, "#fbe7a4"),
        ("Done", True, "#c7dbf5"),
    ),
    "goal": (
        ("Off track", False, "#e3c0c0"),
        ("On Track", False, "#ecdd8f"),
        ("Achieved", True, "#9fd3a8"),
    ),
}
_STATUS_SET = {
    "release": "release",
    "feature": "feature",
    "epic": "feature",
    "initiative": "initiative",
    "goal": "goal",
}
_WORKFLOW_KINDS = ("New", "Improvement", "Bug fix")
_QUARTERS = 18  # one dated release per product and quarter, 2021 Q1 .. 2025 Q2, + a parking lot
_QUARTER_MS = 91 * 86_400_000
_EPIC_NAMES = _words(
    "Self-serve onboarding|Enterprise readiness|Reporting 2.0|Mobile parity|Platform APIs|"
    "Billing overhaul|Search everywhere|Collaboration|Data import|Performance at scale|"
    "Accessibility|Internationalisation"
)
_INITIATIVE_NAMES = _words(
    "Expand into the mid-market|Reduce churn|Win enterprise deals|Grow self-serve revenue|"
    "Delight power users|Become the platform of record"
)
_GOAL_NAMES = _words("Grow ARR 40%|Net revenue retention > 110%|NPS above 50|Halve time to value")
_PORTALS = (
    ("Customer ideas", "public", "customers"),
    ("Partner portal", "private", "partners"),
    ("Employee suggestions", "submit-only", "employees"),
    ("Beta program", "private", "beta"),
)
_TIMEZONES = _words(
    "Pacific/Auckland|America/Mexico_City|Asia/Istanbul|Asia/Kolkata|Europe/London|"
    "America/New_York|Europe/Berlin|Asia/Tokyo"
)
_ROLES_BY_NUMBER = ((20, "Owner"), (30, "Contributor"), (40, "Reviewer"), (50, "Viewer"))
_CUSTOMER_DOMAINS = 37  # idea users' e-mail domains customer0..36; customer<i> belongs to org i


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


@dataclass(slots=True, eq=False)
class _Rec:
    """A release, epic, feature, initiative or goal (see ``_REC_KINDS``)."""

    kind: str
    id: int
    product: int
    number: int
    name: str
    created: int
    updated: int
    status: int = 0  # index into _REC_STATUSES[_STATUS_SET[kind]]
    user: int = 0  # owner / assignee (Aha! user pool index)
    start: int | None = None  # start_date, epoch ms (None for parking lots)
    end: int | None = None  # release_date / due_date / end_date
    parking_lot: bool = False
    progress: int = 0
    release: _Rec | None = None
    epic: _Rec | None = None
    initiative: _Rec | None = None
    goals: tuple[_Rec, ...] = ()
    desc_id: int = 0
    edits: int = 0
    overrides: JSON | None = None


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
        # account-level records use their own RNG, so ideas, votes and comments do not change
        self._build_catalog(random.Random(seed * 7_919 + 104_729), ideas)
        self._clock = max(
            [START_MS]
            + [i.updated for i in self._ideas]
            + [r.updated for recs in self._recs.values() for r in recs]
            + [t[1] for t in self._product_times + self._org_times]
        )

    # ----------------------------------------------------------------------------- generation

    def _build_pools(self, rng: random.Random) -> None:
        """Products, statuses, categories, users, portal people and organizations."""
        pid = _Ids(130_000_000, 900_000)
        count = rng.randint(3, 5)
        self._products: list[JSON] = []
        self._product_times: list[list[int]] = []  # [created, updated] per product
        for prefix, name in _PRODUCTS[:count]:
            created = rng.randint(_POOL_START_MS, START_MS)
            self._product_times.append([created, created])
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
        self._orgs: list[JSON] = []
        self._org_times: list[list[int]] = []  # [created, updated] per organization
        for name in _ORGS:
            org_id, created = str(pid.next(rng)), rng.randint(_POOL_START_MS, START_MS)
            self._orgs.append({"id": org_id, "name": name, "created_at": format_ms(created)})
            self._org_times.append([created, created])

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

    def _build_catalog(self, rng: random.Random, ideas: int) -> None:
        """Account-level records: product/organization timestamps, portals, and per product
        quarterly releases + a parking lot, goals, initiatives, epics and features. Features
        that ideas were promoted to keep the ids and numbers the ideas link to; a gently
        scaled number of other features is added."""
        self._rec_ids = _Ids(6_776_900_000_000_000_000, 9_000_000_000)  # 19 digits > 2**53
        for times in self._product_times + self._org_times:
            times[1] = max(times[0], min(END_MS, _after(rng, times[0], 400)))
        self._org_revenue: list[str | None] = [
            rng.choice((None, "55000.0", "120000.0", "2500000.0")) for _ in self._orgs
        ]
        self._portals: list[JSON] = [
            {
                "id": str(self._rec_ids.next(rng)),
                "title": title,
                "portal_enabled": True,
                "access_type": access,
                "external_url": f"https://{slug}.ideas.example.com/"
                + ("ideas/new" if access == "submit-only" else ""),
                "created_at": format_ms(rng.randint(_POOL_START_MS, START_MS)),
            }
            for title, access, slug in _PORTALS[: rng.randint(2, 4)]
        ]
        self._rec_statuses: dict[str, list[JSON]] = {
            kind: [
                {
                    "id": str(self._rec_ids.next(rng)),
                    "name": name,
                    "position": pos,
                    "complete": complete,
                    "color": color,
                }
                for pos, (name, complete, color) in enumerate(rows, start=1)
            ]
            for kind, rows in _REC_STATUSES.items()
        }
        self._workflow_kinds: list[JSON] = [
            {"id": str(self._rec_ids.next(rng)), "name": name} for name in _WORKFLOW_KINDS
        ]
        day, products = _DAY_MS, range(len(self._products))
        releases = [self._new_releases(rng, p) for p in products]

        def planned(p: int, created: int) -> _Rec:
            """The release work created at ``created`` lands in (after the last: parking lot)."""
            q = (created + rng.randint(0, 150) * day - START_MS) // _QUARTER_MS
            return releases[p][q if 0 <= q < _QUARTERS else -1]

        goals = [
            self._new_rec(rng, "goal", p, rng.choice(_GOAL_NAMES), START_MS + 400 * day)
            for p in products
            for _ in range(rng.randint(1, 3))
        ]
        initiatives = []
        for p in products:
            for _ in range(rng.randint(2, 4)):
                i = self._new_rec(
                    rng, "initiative", p, rng.choice(_INITIATIVE_NAMES), START_MS + 700 * day
                )
                i.start = i.created + rng.randint(0, 60) * day
                i.end = i.start + rng.randint(180, 540) * day
                i.status = 3 if i.end < END_MS - 90 * day else rng.randint(1, 2)
                own_goals = [g for g in goals if g.product == p]
                i.goals = (rng.choice(own_goals),) if rng.random() < 0.6 else ()
                initiatives.append(i)
        promoted = [
            _Rec("feature", fid, idea.product, number, idea.name, created, created)
            for idea in self._ideas
            if idea.feature is not None
            for fid, number, created in [idea.feature]
        ]
        extra = []
        for _ in range(8 + min(ideas, 2_000) // 8):
            name = f"{rng.choice(_VERBS)} {rng.choice(_OBJECTS)}{rng.choice(_QUALIFIERS)}"
            t = rng.randint(START_MS, END_MS - 30 * day)
            product = min(int(rng.expovariate(0.9)), len(products) - 1)  # skewed like ideas
            extra.append(_Rec("feature", 0, product, 0, name, t, t))
        extra.sort(key=lambda f: f.created)
        for f in extra:
            self._next_feature[f.product] += 1
            f.number = self._next_feature[f.product]
        epics = []
        for p in products:
            for _ in range(2 + min(10, sum(f.product == p for f in promoted + extra) // 8)):
                e = self._new_rec(rng, "epic", p, rng.choice(_EPIC_NAMES), END_MS - 60 * day)
                e.release = planned(p, e.created)
                e.start, e.end = e.release.start, e.release.end
                e.status = 4 if e.release.status == 2 else rng.randint(0, 3)
                own_initiatives = [i for i in initiatives if i.product == p]
                e.initiative = rng.choice(own_initiatives) if rng.random() < 0.5 else None
                epics.append(e)
        for f in promoted + extra:
            p, f.user = f.product, rng.randrange(len(self._users))
            f.release = planned(p, f.created)
            f.start, f.end = f.release.start, f.release.end
            f.updated = max(f.created, min(END_MS, _after(rng, f.created, 45)))
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
        for kind_recs in (goals, initiatives, epics):  # numbered per product in creation order
            for p in products:
                mine = sorted((r for r in kind_recs if r.product == p), key=lambda r: r.created)
                for n, r in enumerate(mine, start=1):
                    r.number = n
        # new ids follow creation order, like a database sequence
        fresh = [r for own in releases for r in own] + goals + initiatives + epics + extra
        for r in sorted(fresh, key=lambda r: (r.created, r.kind, r.product, r.number)):
            r.id = self._rec_ids.next(rng)
        self._recs: dict[str, list[_Rec]] = {kind: [] for kind in _REC_KINDS}
        for r in fresh + promoted:
            r.desc_id = self._rec_ids.next(rng)
            self._recs[r.kind].append(r)
        for recs in self._recs.values():
            recs.sort(key=lambda r: r.id)
        self._rec_index = {r.id: r for recs in self._recs.values() for r in recs}

    def _new_releases(self, rng: random.Random, p: int) -> list[_Rec]:
        """One release per quarter (shipped when long past), then the product's parking lot."""
        made, day, out = self._product_times[p][0], _DAY_MS, []
        for q in range(_QUARTERS):
            start = START_MS + q * _QUARTER_MS
            end = start + 90 * day
            created = max(made, start - rng.randint(14 * day, 120 * day))
            status = 2 if end < END_MS - 120 * day else int(start < END_MS - 120 * day)
            prefix = self._products[p]["reference_prefix"]
            out.append(
                _Rec(
                    "release",
                    0,
                    p,
                    q + 1,
                    f"Release {prefix} {format_ms(start)[:7]}",
                    created,
                    max(created, min(END_MS, start + rng.randint(0, 120 * day))),
                    status=status,
                    user=rng.randrange(len(self._users)),
                    start=start,
                    end=end,
                    progress=100 if status == 2 else 40 * status,
                )
            )
        created = made + rng.randint(day, 30 * day)
        out.append(
            _Rec(
                "release",
                0,
                p,
                _QUARTERS + 1,
                "Parking lot",
                created,
                _after(rng, created, 300),
                user=rng.randrange(len(self._users)),
                parking_lot=True,
            )
        )
        return out

    def _new_rec(self, rng: random.Random, kind: str, p: int, name: str, latest: int) -> _Rec:
        """A goal, initiative or epic created between 2021 and ``latest``, updated after."""
        created = rng.randint(max(START_MS, self._product_times[p][0]), latest)
        updated = max(created, min(END_MS, _after(rng, created, 120)))
        statuses = len(_REC_STATUSES[_STATUS_SET[kind]])
        return _Rec(
            kind,
            0,
            p,
            0,
            name,
            created,
            updated,
            status=rng.randrange(statuses),
            user=rng.randrange(len(self._users)),
            progress=rng.randrange(0, 101, 10),
        )

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

    def products(self, full: bool = False) -> list[JSON]:
        """Products (workspaces) as listed by ``GET /products``; ``full`` adds ``updated_at`` &c."""
        return self._all("products") if full else self._all("products", PRODUCT_LIST)

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

    def idea_organizations(self) -> list[JSON]:
        """Every organization, full shape (``updated_at``, ``email_domains``, ...)."""
        return self._all("idea_organizations")

    def idea_users(self) -> list[JSON]:
        """Every idea user (portal contact), as listed by ``GET /idea_users``."""
        return self._all("idea_users")

    def idea_categories(self) -> list[JSON]:
        """Idea categories of every product; each row names its product in ``project_id``."""
        return self._all("idea_categories")

    def idea_portals(self) -> list[JSON]:
        """Ideas portals, as listed by ``GET /idea_portals``."""
        return self._all("idea_portals")

    def features(self) -> list[JSON]:
        """Every feature, full shape (``fields=*``)."""
        return self._all("features")

    def releases(self) -> list[JSON]:
        """Releases of every product, full shape; each has ``product_id``."""
        return self._all("releases")

    def epics(self) -> list[JSON]:
        """Every epic, full shape."""
        return self._all("epics")

    def initiatives(self) -> list[JSON]:
        """Every initiative, as listed by ``GET /initiatives``."""
        return self._all("initiatives")

    def goals(self) -> list[JSON]:
        """Every goal, as listed by ``GET /goals``."""
        return self._all("goals")

    def users(self) -> list[JSON]:
        """Every Aha! user, as listed by ``GET /users``."""
        return self._all("users")

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

    def query_resource(
        self,
        name: str,
        offset: int,
        limit: int,
        fields: Sequence[str] | None = None,
        *,
        updated_since_us: int | None = None,
        product: str | None = None,
    ) -> tuple[int, list[JSON]]:
        """List one of ``RESOURCES`` (ascending id): optional product scope (id or prefix),
        ``updated_at`` strictly after ``updated_since_us``, and ``fields`` as for ideas."""
        spec = RESOURCES[name]
        with self.lock:
            rows: Iterable[Any] = spec.rows(self)
            if product is not None:
                p, owner = self._find_product(product), spec.product
                assert owner is not None, f"{name} is not listed per product"
                rows = (r for r in rows if owner(self, r) == p)
            if updated_since_us is not None:
                updated = spec.updated
                assert updated is not None, f"{name} has no updated_at"
                rows = (r for r in rows if updated(self, r) * 1000 > updated_since_us)
            matches = list(rows)
            names = _field_names(fields, spec.default, tuple(spec.fields))
            page = [self._render(spec.fields, r, names) for r in matches[offset : offset + limit]]
            return len(matches), page

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

    def add_feature(
        self, product_id: str | None = None, release_id: str | None = None, name: str | None = None
    ) -> JSON:
        """Create a feature now in a product (default: the first) and release (default: its
        parking lot); returns the full feature."""
        with self.lock:
            p = self._find_product(product_id) if product_id is not None else 0
            release = (
                self._find_rec("release", release_id)
                if release_id is not None
                else next(r for r in self._recs["release"] if r.product == p and r.parking_lot)
            )
            if release.product != p:
                raise ValueError("the release belongs to another product")
            now = self._now()
            self._next_feature[p] += 1
            f = _Rec(
                "feature",
                self._rec_ids.next(self._rng),
                p,
                self._next_feature[p],
                name or f"New feature {self._next_feature[p]}",
                now,
                now,
                release=release,
                start=release.start,
                end=release.end,
                desc_id=self._rec_ids.next(self._rng),
            )
            self._recs["feature"].append(f)
            self._rec_index[f.id] = f
            return self._render(FEATURE_FIELDS, f, FEATURE_FIELDS)

    def edit_feature(self, feature_id: str | int, **changes: Any) -> JSON:
        """Bump a feature's ``updated_at``; without changes, rename it. ``name`` and
        ``workflow_status`` (name or id) change the record, other fields are overridden."""
        return self._edit_rec("feature", feature_id, changes)

    def edit_release(self, release_id: str | int, **changes: Any) -> JSON:
        """Like ``edit_feature``, for a release."""
        return self._edit_rec("release", release_id, changes)

    def edit_epic(self, epic_id: str | int, **changes: Any) -> JSON:
        """Like ``edit_feature``, for an epic."""
        return self._edit_rec("epic", epic_id, changes)

    def edit_initiative(self, initiative_id: str | int, **changes: Any) -> JSON:
        """Like ``edit_feature``, for an initiative."""
        return self._edit_rec("initiative", initiative_id, changes)

    def edit_goal(self, goal_id: str | int, **changes: Any) -> JSON:
        """Like ``edit_feature``, for a goal (``GET /goals`` ignores ``updated_since``)."""
        return self._edit_rec("goal", goal_id, changes)

    def edit_product(self, product_id: str, name: str | None = None) -> JSON:
        """Rename a product (default: append " (edited)") and bump its ``updated_at``."""
        with self.lock:
            p = self._find_product(product_id)
            self._products[p]["name"] = name or self._products[p]["name"] + " (edited)"
            self._product_times[p][1] = self._now()
            return self._render(PRODUCT_FIELDS, p, PRODUCT_FIELDS)

    def add_idea_organization(self, name: str | None = None) -> JSON:
        """Create an organization now (full shape); later proxy votes may use it."""
        with self.lock:
            now, org_id = self._now(), self._rec_ids.next(self._rng)
            name = name or f"New organization {len(self._orgs) + 1}"
            self._orgs.append({"id": str(org_id), "name": name, "created_at": format_ms(now)})
            self._org_times.append([now, now])
            self._org_revenue.append(None)
            return self._render(ORG_FIELDS, len(self._orgs) - 1, ORG_FIELDS)

    def edit_idea_organization(
        self, org_id: str | int, name: str | None = None, revenue: str | None = None
    ) -> JSON:
        """Rename an organization (default: append " (edited)"), optionally set its revenue
        (a decimal string), and bump its ``updated_at``. Votes embed the new name."""
        with self.lock:
            i = next((n for n, o in enumerate(self._orgs) if o["id"] == str(org_id)), None)
            if i is None:
                raise RecordNotFoundError(str(org_id))
            self._orgs[i]["name"] = name or self._orgs[i]["name"] + " (edited)"
            if revenue is not None:
                self._org_revenue[i] = revenue
            self._org_times[i][1] = self._now()
            return self._render(ORG_FIELDS, i, ORG_FIELDS)

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

    def _find_rec(self, kind: str, ident: str | int) -> _Rec:
        """A release/epic/feature/initiative/goal by numeric id or reference number."""
        text = str(ident).strip()
        if text.isdigit():
            rec = self._rec_index.get(int(text))
        else:
            refs = (r for r in self._recs[kind] if _rec_ref(self, r).upper() == text.upper())
            rec = next(refs, None)
        if rec is None or rec.kind != kind:
            raise RecordNotFoundError(text)
        return rec

    def _edit_rec(self, kind: str, ident: str | int, changes: JSON) -> JSON:
        registry = _REC_FIELDS[kind]
        with self.lock:
            rec = self._find_rec(kind, ident)
            changes = dict(changes)
            if not changes:
                rec.edits += 1
                changes = {"name": f"{rec.name.split(' (edited ', 1)[0]} (edited {rec.edits})"}
            if "name" in changes:
                rec.name = str(changes.pop("name"))
            if "workflow_status" in changes:
                wanted = str(changes.pop("workflow_status")).lower()
                statuses = self._rec_statuses[_STATUS_SET[kind]]
                rec.status = next(
                    n for n, st in enumerate(statuses) if wanted in (st["id"], st["name"].lower())
                )
            rec.overrides = _merge_overrides(rec.overrides, registry, changes)
            rec.updated = self._now()
            return self._render(registry, rec, registry)

    def _all(self, name: str, names: Iterable[str] | None = None) -> list[JSON]:
        """Every row of a resource, all fields (or ``names``), ascending id."""
        spec = RESOURCES[name]
        with self.lock:
            wanted = tuple(spec.fields) if names is None else tuple(names)
            return [self._render(spec.fields, r, wanted) for r in spec.rows(self)]

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

    def _product(self, p: int) -> JSON:
        """The product as embedded in ideas (``product``) and roadmap records (``project``)."""
        out = dict(self._products[p])
        out["url"] = f"{self.base_url}/projects/{out['reference_prefix']}"
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
    """The feature the idea was promoted to: its ``GET /features`` list row."""
    if i.feature is None:
        return None
    return ws._render(FEATURE_FIELDS, ws._rec_index[i.feature[0]], FEATURE_LIST)


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


# ------------------------------------------------------------------ account-level resources


def _rec_ref(ws: Workspace, r: _Rec) -> str:
    return f"{ws._products[r.product]['reference_prefix']}{_REC_KINDS[r.kind][0]}{r.number}"


def _rec_url(ws: Workspace, r: _Rec) -> str:
    return f"{ws.base_url}/{_REC_KINDS[r.kind][1]}/{_rec_ref(ws, r)}"


def _rec_resource(ws: Workspace, r: _Rec) -> str:
    return f"{ws.base_url}/api/v1/{_REC_KINDS[r.kind][2]}/{_rec_ref(ws, r)}"


def _date(ms: int | None) -> Any:
    return None if ms is None else format_ms(ms)[:10]


def _rec_status(ws: Workspace, r: _Rec) -> JSON:
    return dict(ws._rec_statuses[_STATUS_SET[r.kind]][r.status])


def _rec_description(ws: Workspace, r: _Rec) -> JSON:
    return {
        "id": str(r.desc_id),
        "body": f"<p>{r.name}: why it matters and what done looks like.</p>",
        "editor_version": 2,
        "created_at": format_ms(r.created),
        "updated_at": format_ms(r.created),
        "attachments": [],
    }


def _user(shift: int = 0) -> Renderer:
    """An Aha! user object from the record's user index (shifted for a second person)."""
    return lambda ws, r: ws._person("user", (r.user + shift) % len(ws._users))


def _ref_of(attr: str) -> Renderer:
    def render(ws: Workspace, r: _Rec) -> str | None:
        linked = getattr(r, attr)
        return None if linked is None else _rec_ref(ws, linked)

    return render


def _goal_link(ws: Workspace, g: _Rec) -> JSON:
    """A goal as embedded in features and initiatives (``resource`` under /api/v1/goals)."""
    return {
        "id": str(g.id),
        "name": g.name,
        "url": _rec_url(ws, g),
        "resource": _rec_resource(ws, g),
        "created_at": format_ms(g.created),
        "description": _rec_description(ws, g),
    }


def _initiative_link(ws: Workspace, i: _Rec) -> JSON:
    return {
        "id": str(i.id),
        "reference_num": _rec_ref(ws, i),
        "name": i.name,
        "url": _rec_url(ws, i),
        "resource": _rec_resource(ws, i),
        "created_at": format_ms(i.created),
        "description": _rec_description(ws, i),
        "integration_fields": [],
    }


def _pool(pool: str) -> Callable[[str], Renderer]:
    """Renderers for rows that are indices into a stored pool (``ws.<pool>[row][key]``)."""
    return lambda key: lambda ws, i: getattr(ws, pool)[i][key]


_product_key, _org_key = _pool("_products"), _pool("_orgs")
_user_key, _idea_user_key = _pool("_users"), _pool("_idea_users")


PRODUCT_FIELDS: dict[str, Renderer] = {
    **{k: _product_key(k) for k in ("id", "reference_prefix", "name", "product_line")},
    "product_line_type": lambda ws, p: None,
    "created_at": _product_key("created_at"),
    "updated_at": lambda ws, p: format_ms(ws._product_times[p][1]),
    "workspace_type": _product_key("workspace_type"),
    "url": lambda ws, p: ws._product(p)["url"],
    "resource": lambda ws, p: ws._product(p)["url"],  # sic: the docs' example repeats the url
    "has_ideas": lambda ws, p: True,
    "has_master_features": lambda ws, p: True,
    "has_epics": lambda ws, p: True,
}
PRODUCT_LIST = (
    "id",
    "reference_prefix",
    "name",
    "product_line",
    "created_at",
    "workspace_type",
    "url",
)

ORG_FIELDS: dict[str, Renderer] = {
    **{k: _org_key(k) for k in ("id", "name", "created_at")},
    "updated_at": lambda ws, i: format_ms(ws._org_times[i][1]),
    "url": lambda ws, i: ws._org(i)["url"],
    "resource": lambda ws, i: ws._org(i)["resource"],
    "endorsements_count": lambda ws, i: sum(v.org == i for v in ws._votes),
    "email_domains": lambda ws, i: f"customer{i}.example.org" if i < _CUSTOMER_DOMAINS else "",
    "revenue": lambda ws, i: ws._org_revenue[i],
    "custom_fields": lambda ws, i: [],
    "integration_fields": lambda ws, i: [],
}
ORG_LIST = ("id", "name", "created_at", "url", "resource")  # = a vote's idea_organization

IDEA_USER_FIELDS: dict[str, Renderer] = {
    **{k: _idea_user_key(k) for k in ("id", "name", "email")},
    "discovery_interview_count": lambda ws, i: 0,
    "discovery_last_invite": lambda ws, i: None,
    "discovery_last_interview": lambda ws, i: None,
    "discovery_next_interview": lambda ws, i: None,
    "created_at": _idea_user_key("created_at"),
    # person i's e-mail domain is customer<i % 37>; organization k owns customer<k>
    "idea_organizations": lambda ws, i: (
        [ws._org(i % _CUSTOMER_DOMAINS)] if i % _CUSTOMER_DOMAINS < len(_ORGS) else []
    ),
    "custom_fields": lambda ws, i: [],
    "integration_fields": lambda ws, i: [],
}

USER_FIELDS: dict[str, Renderer] = {
    **{k: _user_key(k) for k in ("id", "name", "email")},
    "timezone": lambda ws, i: _TIMEZONES[i % len(_TIMEZONES)],
    "created_at": _user_key("created_at"),
    "updated_at": _user_key("updated_at"),
    "accessed_at": lambda ws, i: None if i % 5 == 4 else ws._users[i]["updated_at"],
    "product_roles": lambda ws, i: [
        {
            "role": _ROLES_BY_NUMBER[(i + p) % 4][0],
            "role_description": _ROLES_BY_NUMBER[(i + p) % 4][1],
            "product_id": product["id"],
            "product_name": product["name"],
        }
        for p, product in enumerate(ws._products)
        if (i + p) % 3
    ],
    "user_roles": lambda ws, i: [],
    "enabled": lambda ws, i: i % 11 != 10,
    "paid_seat": lambda ws, i: True,
    "roadmaps_seat": lambda ws, i: True,
    "develop_seat": lambda ws, i: False,
    "teamwork_seat": lambda ws, i: False,
    "administrator": lambda ws, i: i < 3,
    "administrator_roles": lambda ws, i: {
        "administer_account": i < 3,
        "administer_billing": i == 0,
        "administer_configuration": i < 3,
    },
    "identity_provider": lambda ws, i: {"type": "password"},
}


def _category_key(key: str) -> Renderer:  # rows are (product index, category) pairs
    return lambda ws, row: row[1][key]


def _portal_key(key: str) -> Renderer:  # rows are the stored portal dicts
    return lambda ws, row: row[key]


CATEGORY_FIELDS: dict[str, Renderer] = {
    k: _category_key(k) for k in ("id", "name", "parent_id", "project_id", "created_at")
}
PORTAL_FIELDS: dict[str, Renderer] = {
    k: _portal_key(k)
    for k in ("id", "title", "portal_enabled", "access_type", "external_url", "created_at")
}


def _no_items(ws: Workspace, r: _Rec) -> list[Any]:
    return []


def _assignee(ws: Workspace, r: _Rec) -> JSON:
    return {**ws._person("user", r.user), "default_assignee": False}


_REC_SHARED: dict[str, Renderer] = {
    "id": lambda ws, r: str(r.id),
    "reference_num": _rec_ref,
    "name": lambda ws, r: r.name,
    "created_at": lambda ws, r: format_ms(r.created),
    "updated_at": lambda ws, r: format_ms(r.updated),
    "url": _rec_url,
    "resource": _rec_resource,
    "product_id": lambda ws, r: ws._products[r.product]["id"],
    "project": lambda ws, r: ws._product(r.product),
    "workflow_status": _rec_status,
    "description": _rec_description,
    "position": lambda ws, r: r.number,
    "progress": lambda ws, r: r.progress,
    "progress_source": lambda ws, r: "progress_manual",
    "duration_source": lambda ws, r: "duration_manual",
    "start_date": lambda ws, r: _date(r.start),
    "due_date": lambda ws, r: _date(r.end),
    "end_date": lambda ws, r: _date(r.end),
    "initiative_reference_num": _ref_of("initiative"),
    "release_reference_num": _ref_of("release"),
    "epic_reference_num": _ref_of("epic"),
    "release": lambda ws, r: ws._render(RELEASE_FIELDS, r.release, RELEASE_LIST),
    "goals": lambda ws, r: [_goal_link(ws, g) for g in r.goals],
    "owner": _user(),
    "created_by_user": _user(7),
    "assigned_to_user": _assignee,
    "effort": lambda ws, r: 10 * (1 + r.id % 5),
    "value": lambda ws, r: 10 * (1 + r.id // 7 % 5),
    "color": lambda ws, r: "#bada55",
    "score": lambda ws, r: r.id % 61,
    "comments_count": lambda ws, r: 0,
    **dict.fromkeys(
        (
            "attachments",
            "integration_fields",
            "custom_fields",
            "key_results",
            "score_facts",
            "tags",
            "full_tags",
            "requirements",
            "feature_links",
        ),
        _no_items,
    ),
}


def _rec_fields(names: str, **own: Renderer) -> dict[str, Renderer]:
    """A registry in the order of the space-separated ``names``: ``own`` or shared renderers."""
    return {name: own.get(name) or _REC_SHARED[name] for name in names.split()}


def _parking_absent(key: str) -> Renderer:
    """Parking lot releases have no dates at all (the keys are absent, as in the docs)."""
    return lambda ws, r: _ABSENT if r.parking_lot else _REC_SHARED[key](ws, r)


RELEASE_FIELDS: dict[str, Renderer] = _rec_fields(
    # list rows
    "id reference_num name start_date release_date parking_lot created_at product_id "
    "integration_fields url resource owner project "
    # fields=... / *
    "end_date released master_release released_on updated_at position progress "
    "progress_source workflow_status custom_fields comments_count goals key_results "
    "created_by_user",
    start_date=_parking_absent("start_date"),
    release_date=_parking_absent("end_date"),
    end_date=_parking_absent("end_date"),
    parking_lot=lambda ws, r: r.parking_lot,
    released=lambda ws, r: r.status == 2,
    master_release=lambda ws, r: False,
    released_on=lambda ws, r: _date(r.end) if r.status == 2 else None,
    progress_source=lambda ws, r: "progress_from_features_completed",
    goals=lambda ws, r: [],
)
RELEASE_LIST: tuple[str, ...] = tuple(RELEASE_FIELDS)[:13]

FEATURE_FIELDS: dict[str, Renderer] = _rec_fields(
    # list rows
    "id reference_num name created_at url resource product_id "
    # fields=... / *
    "initiative_reference_num release_reference_num epic_reference_num position score "
    "updated_at start_date due_date progress progress_source created_by_user workflow_kind "
    "workflow_status project description attachments integration_fields release "
    "assigned_to_user requirements goals key_results comments_count score_facts tags "
    "full_tags custom_fields feature_links",
    workflow_kind=lambda ws, r: dict(ws._workflow_kinds[r.number % len(_WORKFLOW_KINDS)]),
)
FEATURE_LIST: tuple[str, ...] = tuple(FEATURE_FIELDS)[:7]

EPIC_FIELDS: dict[str, Renderer] = _rec_fields(
    # list rows
    "id reference_num name created_at url resource "
    # fields=... / *
    "product_id initiative_reference_num release_reference_num position updated_at "
    "start_date due_date progress progress_source duration_source created_by_user "
    "workflow_status project description attachments integration_fields release "
    "assigned_to_user comments_count tags custom_fields",
)
EPIC_LIST: tuple[str, ...] = tuple(EPIC_FIELDS)[:6]

INITIATIVE_FIELDS: dict[str, Renderer] = _rec_fields(  # list rows are full records
    "id name reference_num status effort value presented color start_date end_date position "
    "score created_at updated_at product_id progress progress_source duration_source url "
    "resource project workflow_status description attachments assigned_to_user "
    "comments_count goals key_results score_facts integration_fields",
    status=lambda ws, r: _rec_status(ws, r)["name"].lower().replace(" ", "_"),
    presented=lambda ws, r: True,
    score=lambda ws, r: r.id % 23,
)

GOAL_FIELDS: dict[str, Renderer] = _rec_fields(  # list rows are full records
    "id name reference_num effort value color position created_at updated_at product_id "
    "progress progress_source url resource description success_metric project initiatives "
    "key_results comments_count features releases custom_fields",
    resource=_rec_url,  # sic: goal list rows repeat the UI url (so does the docs' example)
    success_metric=lambda ws, r: {
        "name": f"Metric for {r.name}",
        "description": _rec_description(ws, r),
        "workflow_status": _rec_status(ws, r),
    },
    initiatives=lambda ws, r: [
        _initiative_link(ws, i) for i in ws._recs["initiative"] if r in i.goals
    ],
    features=lambda ws, r: [
        ws._render(FEATURE_FIELDS, f, FEATURE_LIST) for f in ws._recs["feature"] if r in f.goals
    ],
    releases=lambda ws, r: [],
)

_REC_FIELDS = {
    "release": RELEASE_FIELDS,
    "feature": FEATURE_FIELDS,
    "epic": EPIC_FIELDS,
    "initiative": INITIATIVE_FIELDS,
    "goal": GOAL_FIELDS,
}


def _rec_updated(ws: Workspace, r: _Rec) -> int:
    return r.updated


def _rec_product(ws: Workspace, r: _Rec) -> int:
    return r.product


class _Resource(NamedTuple):
    """A listable resource: its rows (ascending id), fields, default list fields, and how to
    read a row's ``updated_at`` (ms) and product index (None: not applicable)."""

    rows: Callable[[Workspace], Sequence[Any]]
    fields: dict[str, Renderer]
    default: tuple[str, ...]
    updated: Callable[[Workspace, Any], int] | None = None
    product: Callable[[Workspace, Any], int] | None = None


RESOURCES: dict[str, _Resource] = {
    "products": _Resource(
        lambda ws: range(len(ws._products)),
        PRODUCT_FIELDS,
        PRODUCT_LIST,
        lambda ws, p: ws._product_times[p][1],
    ),
    "idea_organizations": _Resource(
        lambda ws: range(len(ws._orgs)), ORG_FIELDS, ORG_LIST, lambda ws, i: ws._org_times[i][1]
    ),
    "idea_users": _Resource(
        lambda ws: range(len(ws._idea_users)), IDEA_USER_FIELDS, tuple(IDEA_USER_FIELDS)
    ),
    "users": _Resource(lambda ws: range(len(ws._users)), USER_FIELDS, tuple(USER_FIELDS)),
    "idea_categories": _Resource(
        lambda ws: ws._categories,
        CATEGORY_FIELDS,
        tuple(CATEGORY_FIELDS),
        product=lambda ws, c: c[0],
    ),
    "idea_portals": _Resource(lambda ws: ws._portals, PORTAL_FIELDS, tuple(PORTAL_FIELDS)),
    "releases": _Resource(
        lambda ws: ws._recs["release"], RELEASE_FIELDS, RELEASE_LIST, _rec_updated, _rec_product
    ),
    "features": _Resource(
        lambda ws: ws._recs["feature"], FEATURE_FIELDS, FEATURE_LIST, _rec_updated, _rec_product
    ),
    "epics": _Resource(
        lambda ws: ws._recs["epic"], EPIC_FIELDS, EPIC_LIST, _rec_updated, _rec_product
    ),
    "initiatives": _Resource(
        lambda ws: ws._recs["initiative"],
        INITIATIVE_FIELDS,
        tuple(INITIATIVE_FIELDS),
        _rec_updated,
        _rec_product,
    ),
    "goals": _Resource(
        lambda ws: ws._recs["goal"], GOAL_FIELDS, tuple(GOAL_FIELDS), _rec_updated, _rec_product
    ),
}
