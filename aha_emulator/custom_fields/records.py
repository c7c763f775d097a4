"""The account's custom field definitions: a fixed table, the same for every seed.

One definition of every type per record type the connector types columns for (ideas,
features, epics, initiatives), plus one release field that those streams must leave out.
Aha! names types ``CustomFieldDefinitions::<Class>``; the docs show only ``SelectConstant``,
the others are the names seen in public client code (docs/aha-endpoints.md). ``CheckboxField``
is a guess: no source names a boolean field type. The record-level ``type`` of a value
(``api_type``) is ``string``, ``url``, ``date`` or ``array`` where a source shows it; ``number``,
``boolean``, ``note`` and ``scorecard`` are guesses.
"""

from __future__ import annotations

from typing import NamedTuple

PREFIX = "CustomFieldDefinitions::"
SEGMENTS = ("Enterprise", "Mid-market", "SMB", "Public sector")  # the ideas' select options
PLATFORMS = ("Web", "iOS", "Android", "Desktop")


class Definition(NamedTuple):
    id: int
    key: str
    name: str
    type: str  # without PREFIX
    record_type: str  # custom_fieldable_type
    api_type: str  # the ``type`` of the value on a record
    options: tuple[str, ...] = ()


DEFINITIONS: tuple[Definition, ...] = (
    # ideas: the first three were always on ideas' custom_fields
    Definition(581360601, "customer_segment", "Customer segment", "SelectConstant",
               "Ideas::Idea", "string", SEGMENTS),
    Definition(581360602, "expected_value", "Expected value (€)", "NumberField",
               "Ideas::Idea", "number"),
    Definition(581360603, "platforms", "Platforms", "SelectMultipleEditable",
               "Ideas::Idea", "array", PLATFORMS),
    Definition(581360604, "launch_date", "Launch date", "DateField", "Ideas::Idea", "date"),
    Definition(581360605, "reviewers", "Reviewers", "Records::UsersField",
               "Ideas::Idea", "array"),
    Definition(581360606, "legal_review", "Needs legal review", "CheckboxField",
               "Ideas::Idea", "boolean"),
    Definition(581360607, "crm_link", "CRM link", "UrlField", "Ideas::Idea", "url"),
    Definition(581360608, "impact", "Impact", "ScorecardField", "Ideas::Idea", "scorecard"),
    # features (``priority`` is the docs' example)
    Definition(581360680, "priority", "Priority", "SelectConstant", "Feature", "string",
               ("P1", "P2", "P3")),
    Definition(581360681, "target_launch", "Target launch", "DateField", "Feature", "date"),
    Definition(581360682, "effort_points", "Effort points", "NumberField", "Feature", "number"),
    Definition(581360683, "components", "Components", "SelectMultipleConstant", "Feature",
               "array", ("Backend", "Frontend", "Mobile", "Docs")),
    Definition(581360684, "stakeholders", "Stakeholders", "Records::UsersField", "Feature",
               "array"),
    Definition(581360685, "spec_url", "Spec", "UrlField", "Feature", "url"),
    Definition(581360686, "customer_facing", "Customer facing", "CheckboxField", "Feature",
               "boolean"),
    Definition(581360687, "release_notes", "Release notes", "NoteField", "Feature", "note"),
    Definition(581360688, "team_code", "Team code", "TextField", "Feature", "string"),
    # epics
    Definition(581360690, "theme", "Theme", "SelectEditable", "Epic", "string",
               ("Growth", "Retention", "Platform")),
    Definition(581360691, "budget", "Budget", "NumberField", "Epic", "number"),
    Definition(581360692, "review_date", "Review date", "DateField", "Epic", "date"),
    # initiatives
    Definition(581360695, "pillar", "Strategic pillar", "SelectConstant", "Initiative",
               "string", ("Expand", "Delight", "Scale")),
    Definition(581360696, "investment", "Investment", "NumberField", "Initiative", "number"),
    Definition(581360697, "board_review", "Board review", "DateField", "Initiative", "date"),
    Definition(581360698, "sponsors", "Sponsors", "Records::UsersField", "Initiative", "array"),
    # not on any stream with columns: proves the record type is respected
    Definition(581360699, "release_train", "Release train", "TextField", "Release", "string"),
)  # fmt: skip
BY_ID = {d.id: d for d in DEFINITIONS}
