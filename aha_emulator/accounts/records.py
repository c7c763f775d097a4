"""Accounts are stored as plain dicts in ``State`` pools; this module holds their tables."""

from __future__ import annotations

from ..common import words

ORGS = words(
    "Acme Corp|Globex|Initech|Umbrella|Soylent|Hooli|Vandelay Industries|Stark Industries|"
    "Wayne Enterprises|Tyrell|Société Générale Démo|株式会社テスト|Müller & Söhne GmbH|Pied Piper|"
    "Cyberdyne|Wonka|Aperture|Oscorp|Nakatomi|Dunder Mifflin"
)
CATEGORIES = ("Usability", "Performance", "Integrations", "Reporting", "Security")
PORTALS = (
    ("Customer ideas", "public", "customers"),
    ("Partner portal", "private", "partners"),
    ("Employee suggestions", "submit-only", "employees"),
    ("Beta program", "private", "beta"),
)
PEOPLE = 400  # portal users, each with the matching idea user
CUSTOMER_DOMAINS = 37  # idea users' e-mail domains customer0..36; customer<i> belongs to org i
