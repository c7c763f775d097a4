"""Every assumption the kit checks, in the order of the verdict table, written once.

The texts follow the README's assumptions list (and docs/aha-api.md §9 to §11), so a pasted
table reads against it line by line. `writes` marks the checks that need `--allow-writes`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Assumption:
    key: str
    text: str
    writes: bool


# fmt: off
ASSUMPTIONS = (
    Assumption("updated_at_on_vote", "A new proxy vote moves its idea's `updated_at`", True),
    Assumption("updated_at_on_comment", "A new portal comment moves its idea's `updated_at`", True),
    Assumption("updated_at_on_comment_edit",
               "An edited portal comment moves its idea's `updated_at`", True),
    Assumption("updated_at_on_internal_comment",
               "A new internal comment moves its idea's `updated_at`", True),
    Assumption("updated_since_exclusive",
               "`updated_since` is exclusive: a record updated exactly at the bound is not "
               "returned", False),
    Assumption("per_page_200", "`per_page=200` is honoured", False),
    Assumption("ideas_fields",
               "`fields=` on the ideas list returns the named fields of the full idea", False),
    Assumption("proxy_votes", "`proxy=true` selects exactly the votes with an "
               "`idea_organization`", False),
    Assumption("comments_count",
               "`comments_count` counts portal comments (not internal, not spam)", False),
    Assumption("rate_limit_headers",
               "Answers carry `X-Ratelimit-Limit`, `X-Ratelimit-Remaining`, `X-Ratelimit-Reset`",
               False),
    Assumption("retry_after_on_429",
               "A 429 carries `Retry-After` (or `X-Ratelimit-Reset`)", False),
    Assumption("audits_cursor", "Audit ids grow with time, and `/audits` honours "
               "`created_since` and `after_id` together", False),
    Assumption("destroy_audit_idea",
               "Deleting an idea writes a destroy audit whose type the connector knows", True),
    Assumption("destroy_audit_vote",
               "Deleting a proxy vote writes a destroy audit whose type the connector knows, "
               "naming its idea", True),
    Assumption("destroy_audit_idea_comment",
               "Deleting a portal comment writes a destroy audit whose type the connector "
               "knows, naming its idea", True),
    Assumption("destroy_audit_internal_comment",
               "Deleting an internal comment writes a destroy audit whose type the connector "
               "knows, naming its idea", True),
    Assumption("destroy_audits_cascade",
               "Deleting an idea writes destroy audits for its votes and comments", True),
    Assumption("recycle_bin", "The recycle bin (`/deletions`) lists the deleted idea", True),
    Assumption("tombstones",
               "The connector's next incremental sync emits a tombstone "
               "(`_ab_cdc_deleted_at`) for each deleted record, in its stream", True),
)
# fmt: on
BY_KEY = {a.key: a for a in ASSUMPTIONS}
