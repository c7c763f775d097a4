"""What a check concludes, and the Markdown table the kit prints for the README.

A verdict is one of three words: `confirmed` (the account behaves as the connector assumes),
`refuted` (it does not: a finding, not a failure of the kit) or `could not test` (the account,
the plan or the flags did not allow the check), always with the evidence that decided it, so a
reader can judge the verdict without rerunning the kit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from verify_live.assumptions import BY_KEY


class Status(str, Enum):
    CONFIRMED = "confirmed"
    REFUTED = "refuted"
    UNTESTED = "could not test"


@dataclass(frozen=True)
class Verdict:
    """One assumption's answer.

    Attributes:
        key: a stable identifier (`updated_since_exclusive`), for tests and diffs.
        assumption: the claim in the README's words.
        status: the verdict.
        evidence: ids, timestamps, headers or the reason it could not be tested.
    """

    key: str
    assumption: str
    status: Status
    evidence: str


WRITES_NOT_ALLOWED = "writes not allowed: pass --allow-writes"


def verdict(key: str, status: Status, evidence: str) -> Verdict:
    """The verdict on the assumption `key` of `ASSUMPTIONS`."""
    return Verdict(key, BY_KEY[key].text, status, evidence)


def confirmed(key: str, evidence: str) -> Verdict:
    return verdict(key, Status.CONFIRMED, evidence)


def refuted(key: str, evidence: str) -> Verdict:
    return verdict(key, Status.REFUTED, evidence)


def untested(key: str, evidence: str) -> Verdict:
    return verdict(key, Status.UNTESTED, evidence)


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def markdown_table(verdicts: Iterable[Verdict]) -> str:
    """The verdicts as a Markdown table, one row per assumption, in the order given."""
    lines = ["| # | Assumption | Verdict | Evidence |", "|---|---|---|---|"]
    for number, verdict in enumerate(verdicts, start=1):
        cells = (str(number), verdict.assumption, f"**{verdict.status.value}**", verdict.evidence)
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)


def summary(verdicts: Iterable[Verdict]) -> str:
    """`N confirmed, N refuted, N could not test`."""
    counts = dict.fromkeys(Status, 0)
    for verdict in verdicts:
        counts[verdict.status] += 1
    return ", ".join(f"{counts[s]} {s.value}" for s in Status)


# The connector's settings that follow a verdict: each names the verdicts that decide it. All
# confirmed → "yes" (trust, skip the check's requests); any refuted → "no" (the safe path
# without the check); otherwise the setting stays "auto" (the connector checks each sync).
SETTINGS_BY_VERDICTS: dict[str, tuple[str, ...]] = {
    "assume_comments_count_is_portal": ("comments_count",),
    "assume_child_changes_move_idea": (
        "updated_at_on_vote",
        "updated_at_on_comment",
        "updated_at_on_comment_edit",
        "updated_at_on_internal_comment",
    ),
}


def config_settings(verdicts: Iterable[Verdict]) -> dict[str, str]:
    """The config settings that match the verdicts (`auto` where a verdict is missing)."""
    status = {v.key: v.status for v in verdicts}
    settings = {}
    for setting, keys in SETTINGS_BY_VERDICTS.items():
        found = [status.get(key, Status.UNTESTED) for key in keys]
        if Status.REFUTED in found:
            settings[setting] = "no"
        elif all(s is Status.CONFIRMED for s in found):
            settings[setting] = "yes"
        else:
            settings[setting] = "auto"
    return settings
