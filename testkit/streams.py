"""What the connector promises, written down by hand once: its streams and its settings.

The tests compare the manifest and the running connector with this table, so it is a literal,
never read from the manifest: a test that compared the manifest with itself could not fail.
Adding a stream adds one row here; every stream list the tests use is derived from the table.
"""

from __future__ import annotations

from dataclasses import dataclass

# The three streams the connector is for: ideas, their proxy votes and their portal comments.
IDEA = "idea"
# The ideas' other activity: every vote, proxy or not, and the team's internal comments.
IDEA_ACTIVITY = "idea_activity"
# The account's records that ideas do not make.
ACCOUNT = "account"

FULL_REFRESH = ("full_refresh",)
# Each product lists the account-level workflows it uses, so one workflow is a row per product.
BY_PRODUCT = ("product_id", "id")
INCREMENTAL = ("full_refresh", "incremental")
TOMB = True  # deleted records reach the destination as tombstones


@dataclass(frozen=True)
class StreamPromise:
    """One stream as discover must announce it."""

    name: str
    family: str
    sync_modes: tuple[str, ...]
    cursor: str | None
    primary_key: tuple[str, ...]
    # Whether a record deleted in Aha! reaches the destination as a tombstone (`track_deletes`).
    tombstones: bool = False
    # The boolean setting without which discover leaves the stream out (None: always offered).
    opt_in: str | None = None

    @property
    def incremental(self) -> bool:
        return "incremental" in self.sync_modes


# Every stream, in the order discover announces them. Full refresh only: the rows have no
# `updated_at`, or (organizations) one that a new vote does not move, or (integrations) only
# through a `fields=` Aha! may not honour. Workflows are listed per product, so keyed by both.
# fmt: off
STREAMS = (
    #             name                    family         sync modes    cursor       key     deletes
    StreamPromise("ideas",                IDEA,          INCREMENTAL,  "updated_at", ("id",), TOMB),
    StreamPromise("idea_proxy_votes",     IDEA,          INCREMENTAL,  "updated_at", ("id",), TOMB),
    StreamPromise("idea_comments",        IDEA,          INCREMENTAL,  "updated_at", ("id",), TOMB),
    StreamPromise("idea_votes",           IDEA_ACTIVITY, INCREMENTAL,  "updated_at", ("id",), TOMB),
    StreamPromise("idea_internal_comments", IDEA_ACTIVITY, INCREMENTAL, "updated_at", ("id",),
                  TOMB),
    StreamPromise("idea_organizations",   ACCOUNT,       FULL_REFRESH, None,         ("id",)),
    StreamPromise("idea_users",           ACCOUNT,       FULL_REFRESH, None,         ("id",)),
    StreamPromise("idea_categories",      ACCOUNT,       FULL_REFRESH, None,         ("id",)),
    StreamPromise("idea_portals",         ACCOUNT,       FULL_REFRESH, None,         ("id",)),
    StreamPromise("products",             ACCOUNT,       INCREMENTAL,  "updated_at", ("id",), TOMB),
    StreamPromise("features",             ACCOUNT,       INCREMENTAL,  "updated_at", ("id",), TOMB),
    StreamPromise("releases",             ACCOUNT,       INCREMENTAL,  "updated_at", ("id",), TOMB),
    StreamPromise("epics",                ACCOUNT,       INCREMENTAL,  "updated_at", ("id",), TOMB),
    StreamPromise("initiatives",          ACCOUNT,       INCREMENTAL,  "updated_at", ("id",), TOMB),
    StreamPromise("goals",                ACCOUNT,       INCREMENTAL,  "updated_at", ("id",), TOMB),
    StreamPromise("users",                ACCOUNT,       INCREMENTAL,  "updated_at", ("id",), TOMB),
    StreamPromise("custom_field_definitions", ACCOUNT,     FULL_REFRESH, None,         ("id",)),
    StreamPromise("custom_field_options", ACCOUNT,       FULL_REFRESH, None,         ("id",)),
    StreamPromise("idea_themes",          ACCOUNT,       FULL_REFRESH, None,         ("id",)),
    StreamPromise("tasks",                ACCOUNT,       INCREMENTAL,  "updated_at", ("id",), TOMB),
    StreamPromise("requirements",         ACCOUNT,       INCREMENTAL,  "updated_at", ("id",), TOMB),
    StreamPromise("integrations",         ACCOUNT,       FULL_REFRESH, None,         ("id",)),
    StreamPromise("workflows",            ACCOUNT,       FULL_REFRESH, None,         BY_PRODUCT),
    StreamPromise("teams",                ACCOUNT,       FULL_REFRESH, None,         ("id",)),
    StreamPromise("idea_portal_users",    ACCOUNT,       FULL_REFRESH, None,         ("id",)),
    StreamPromise("idea_subscriptions",   IDEA_ACTIVITY, INCREMENTAL,  "created_at", ("id",),
                  opt_in="read_idea_subscriptions"),
)
# fmt: on

PROMISES = {promise.name: promise for promise in STREAMS}
# The streams whose deleted records come back as tombstones, in discover's order.
TRACKED = tuple(promise.name for promise in STREAMS if promise.tombstones)
# The tracked streams whose rows belong to an idea (an audit of theirs names the idea).
IDEA_CHILDREN = tuple(
    name for name in TRACKED if PROMISES[name].family in (IDEA, IDEA_ACTIVITY) and name != "ideas"
)


def _names(family: str) -> tuple[str, ...]:
    return tuple(promise.name for promise in STREAMS if promise.family == family)


IDEA_STREAMS = _names(IDEA)
IDEA_ACTIVITY_STREAMS = _names(IDEA_ACTIVITY)
ACCOUNT_STREAMS = _names(ACCOUNT)
# Every stream discover offers under the default config; the opt-in ones need their setting.
EVERY_STREAM = tuple(promise.name for promise in STREAMS if promise.opt_in is None)
OPT_IN_STREAMS = tuple(promise.name for promise in STREAMS if promise.opt_in is not None)
FULL_REFRESH_ONLY = tuple(promise.name for promise in STREAMS if not promise.incremental)

# Every setting of the spec.
SPEC_KEYS = frozenset(
    {
        "api_key",
        "subdomain",
        "start_date",
        "ideas_workflow_status",
        "ideas_q",
        "q",
        "max_ideas",
        "base_url",
        "max_requests_per_minute",
        "num_workers",
        "read_idea_subscriptions",
        "track_deletes",
        "assume_comments_count_is_portal",
        "assume_child_changes_move_idea",
    }
)
