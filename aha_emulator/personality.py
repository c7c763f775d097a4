"""Personalities: the other plausible readings of Aha!'s docs, one switch each.

The default ``Personality()`` is the emulator as documented (docs/aha-api.md) and changes
nothing. Each field makes the emulator behave as another Aha! might, so a client can be tested
against each; ``PERSONALITIES`` names presets that each differ from the default in one way, and
``personality(*names)`` combines them.

The ground truth (``Workspace.ideas()``, ``votes()``, ``idea_comments()``, ``audits()``, ...)
stays what the records are; a personality changes what the API serves and what mutations do.
Per switch, what the truth holds:

* ``comments_count``: what an idea's ``comments_count`` counts: ``"portal"`` (non-spam portal
  comments), ``"internal"`` (internal comments, ``GET /ideas/:id/comments``) or
  ``"portal_and_internal"`` (the sum). Truth: ideas carry the count this Aha! serves; the
  comments themselves are in ``idea_comments()`` and ``internal_comments()``.
* ``comment_moves_idea`` / ``vote_moves_idea``: False: creating, editing or deleting a portal or
  internal comment (a vote) leaves its idea's ``updated_at`` alone. Truth: the idea's
  ``updated_at`` is the one served (not moved); each child keeps its own real times. Seeded
  data is drawn before any personality applies, so there every idea is at least as recent as
  its children.
* ``comment_updated_at``: False: portal comments never carry ``updated_at`` (``GET
  /ideas/:id/idea_comments`` even with ``fields=``, and the write endpoints' answers). Truth:
  ``idea_comments()`` still has each comment's real ``updated_at``.
* ``max_per_page``: ``per_page`` above it is capped to it on every list (the pagination block
  counts pages of the capped size). Truth: unchanged.
* ``updated_since_inclusive``: True: ``updated_since`` keeps records updated at or after the
  moment (``>=``) instead of strictly after, wherever it is honoured. Truth: unchanged.
* ``proxy_filter``: False: ``proxy=true`` is ignored on both endorsements lists (every vote
  comes back). Truth: ``votes(proxy=True)`` is still the proxy votes only.
* ``ideas_fields``: False: ``fields=`` is ignored on ``GET /ideas`` and
  ``GET /products/:id/ideas`` (rows are the abbreviated shape, no counts); ``GET /ideas/:id``
  stays full. Truth: full ideas.
* ``child_audits``: False: deleting an idea writes its own destroy audit only, none for its
  votes, portal comments and internal comments (a child deleted on its own still gets one).
  Truth: ``audits()`` holds the audits written, so no child destroy audits of a cascade; the
  children are gone from ``votes()`` and the comment lists.
* ``audits_forbidden``: True: ``GET /api/v1/audits`` answers 403 with the plan error body.
  Truth: ``audits()`` still lists every audit the account wrote.
* ``audit_types``: how audits (and recycle-bin rows) spell record types: ``"snake"``
  (``idea_comment``), ``"class"`` (``Ideas::IdeaComment``), ``"plural"`` (``idea_comments``) or
  ``"unknown"`` (``Aha::IdeaCommentRecord``). Truth: ``audits()`` spells them as served. The
  type filters of ``GET /audits`` accept every spelling.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .audits.records import AUDIT_TYPE_STYLES

COMMENTS_COUNTS = ("portal", "internal", "portal_and_internal")
AUDITS_ROUTE = "GET /api/v1/audits"


@dataclass(frozen=True)
class Personality:
    """How this Aha! behaves where the docs leave room; the defaults are the documented one.
    See the module docstring for each switch and what the ground truth holds under it."""

    comments_count: str = "portal"
    comment_moves_idea: bool = True
    vote_moves_idea: bool = True
    comment_updated_at: bool = True
    max_per_page: int = 200
    updated_since_inclusive: bool = False
    proxy_filter: bool = True
    ideas_fields: bool = True
    child_audits: bool = True
    audits_forbidden: bool = False
    audit_types: str = "snake"

    def __post_init__(self) -> None:
        if self.comments_count not in COMMENTS_COUNTS:
            raise ValueError(
                f"comments_count must be one of {COMMENTS_COUNTS}: {self.comments_count!r}"
            )
        if self.audit_types not in AUDIT_TYPE_STYLES:
            raise ValueError(
                f"audit_types must be one of {AUDIT_TYPE_STYLES}: {self.audit_types!r}"
            )
        if self.max_per_page < 1:
            raise ValueError(f"max_per_page must be at least 1: {self.max_per_page!r}")

    def updated_since_keeps(self, updated_ms: int, since_us: int) -> bool:
        """Whether a record updated at ``updated_ms`` (epoch ms) passes ``updated_since``
        (epoch µs): strictly after, or at or after when inclusive."""
        if self.updated_since_inclusive:
            return updated_ms * 1000 >= since_us
        return updated_ms * 1000 > since_us

    @property
    def forbidden_routes(self) -> frozenset[str]:
        """GET routes this Aha! answers 403 whatever the plan."""
        return frozenset({AUDITS_ROUTE}) if self.audits_forbidden else frozenset()


DOCUMENTED = Personality()

# name -> (the preset, what it changes)
_PRESETS: dict[str, tuple[Personality, str]] = {
    "documented": (DOCUMENTED, "the default: Aha! as documented"),
    "comments_count_internal": (
        Personality(comments_count="internal"),
        "an idea's comments_count counts its internal comments",
    ),
    "comments_count_portal_and_internal": (
        Personality(comments_count="portal_and_internal"),
        "an idea's comments_count counts portal and internal comments",
    ),
    "comment_no_bump": (
        Personality(comment_moves_idea=False),
        "portal and internal comment writes leave the idea's updated_at alone",
    ),
    "vote_no_bump": (
        Personality(vote_moves_idea=False),
        "vote writes leave the idea's updated_at alone",
    ),
    "comments_without_updated_at": (
        Personality(comment_updated_at=False),
        "portal comments never carry updated_at, even with fields=",
    ),
    "per_page_100": (Personality(max_per_page=100), "per_page is capped to 100"),
    "updated_since_inclusive": (
        Personality(updated_since_inclusive=True),
        "updated_since keeps records updated at the moment too (>=)",
    ),
    "proxy_ignored": (
        Personality(proxy_filter=False),
        "proxy=true is ignored on the endorsements lists",
    ),
    "fields_ignored": (
        Personality(ideas_fields=False),
        "fields= is ignored on the ideas lists (abbreviated rows)",
    ),
    "audit_types_plural": (
        Personality(audit_types="plural"),
        "audits spell types in the plural (idea_comments)",
    ),
    "audit_types_unknown": (
        Personality(audit_types="unknown"),
        "audits spell types as no client could guess (Aha::IdeaCommentRecord)",
    ),
    "no_child_audits": (
        Personality(child_audits=False),
        "deleting an idea writes no destroy audits for its children",
    ),
    "audits_forbidden": (
        Personality(audits_forbidden=True),
        "GET /api/v1/audits answers 403 (the plan error)",
    ),
}
PERSONALITIES: dict[str, Personality] = {name: p for name, (p, _) in _PRESETS.items()}
PRESET_NOTES: dict[str, str] = {name: note for name, (_, note) in _PRESETS.items()}


def personality(*names: str) -> Personality:
    """The presets combined in order (each applies the fields it changes from the default;
    later names override); no names: the default. Unknown names raise ``ValueError``."""
    out = DOCUMENTED
    for name in names:
        preset = PERSONALITIES.get(name)
        if preset is None:
            raise ValueError(
                f"unknown personality {name!r}; expected one of {sorted(PERSONALITIES)}"
            )
        changed = {
            f.name: getattr(preset, f.name)
            for f in dataclasses.fields(Personality)
            if getattr(preset, f.name) != getattr(DOCUMENTED, f.name)
        }
        out = dataclasses.replace(out, **changed)
    return out


def resolve(given: Personality | str | None = None, audit_types: str | None = None) -> Personality:
    """A constructor's ``personality=`` (a ``Personality``, a preset name or None) and its
    older ``audit_types=`` argument as one personality; both given must agree."""
    chosen = personality(given) if isinstance(given, str) else given
    if audit_types is not None and audit_types not in AUDIT_TYPE_STYLES:
        raise ValueError(f"audit_types must be one of {AUDIT_TYPE_STYLES}: {audit_types!r}")
    if chosen is None:
        return Personality(audit_types=audit_types or DOCUMENTED.audit_types)
    if audit_types is not None and audit_types != chosen.audit_types:
        raise ValueError(
            f"audit_types={audit_types!r} disagrees with the personality's "
            f"audit_types={chosen.audit_types!r}"
        )
    return chosen


def personality_of(names: object) -> Personality:
    """A preset name or a list of them (as the admin route receives it), combined."""
    if isinstance(names, str):
        return personality(names)
    if isinstance(names, list) and all(isinstance(n, str) for n in names):
        return personality(*names)
    raise ValueError(f"expected a preset name or a list of them: {names!r}")
