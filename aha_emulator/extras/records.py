"""How the issue-14 tables are stored: one ``Row`` per record, already in Aha!'s full shape.

Unlike the idea and roadmap records, these are few and never re-rendered from shared pools, so
each row keeps its JSON; ``updated`` (epoch ms) serves ``updated_since`` and ``parent`` the
per-parent routes (a feature, portal or product id; None for account-wide lists).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..common import JSON

# Stands for the emulator's address in stored urls: it is known only once the server listens.
BASE = "{base_url}"
SERVICES = ("jira", "slack", "github_issues", "salesforce", "zendesk", "audit_webhook")
THEMES = ("Onboarding friction", "Reporting gaps", "Mobile parity", "Enterprise security")
TEAMS = ("Platform squad", "Growth team", "Mobile crew", "Data guild", "Design studio")
TASK_NAMES = (
    "Review the Q3 roadmap",
    "Approve the pricing page copy",
    "Interview three churned customers",
    "Write release notes",
    "Triage portal ideas",
    "Update the integration guide",
)
TASK_STATUSES = ("pending", "completed", "partially_complete")


@dataclass(slots=True, eq=False)
class Row:
    """One record: its numeric id, last update, parent id and rendered fields."""

    id: int
    updated: int
    data: JSON
    parent: str | None = None
    extra: JSON = field(default_factory=dict)  # fields only `fields=` selects (list rows lack)
