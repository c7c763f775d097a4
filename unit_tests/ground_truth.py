"""What the connector offers, written down by hand once: its streams and its settings.

The unit tests compare the manifest with these, and the integration tests what the running
connector announces and reads, so they are literals, never read from the manifest.
"""

from __future__ import annotations

# The three streams the connector is for: ideas, their proxy votes and their portal comments.
IDEA_STREAMS = ("ideas", "idea_proxy_votes", "idea_comments")
# The ideas' other activity: every vote, proxy or not, and the team's internal comments.
IDEA_ACTIVITY_STREAMS = ("idea_votes", "idea_internal_comments")
# The account's records that ideas do not make, in the manifest's order.
ACCOUNT_STREAMS = (
    "idea_organizations",
    "idea_users",
    "idea_categories",
    "idea_portals",
    "products",
    "features",
    "releases",
    "epics",
    "initiatives",
    "goals",
    "users",
)
# Every stream the connector offers, in the manifest's order.
EVERY_STREAM = (*IDEA_STREAMS, *IDEA_ACTIVITY_STREAMS, *ACCOUNT_STREAMS)
# Read whole every sync: their rows have no `updated_at`, or (organizations) one that a new vote
# does not move.
FULL_REFRESH_ONLY = ("idea_organizations", "idea_users", "idea_categories", "idea_portals")

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
    }
)
