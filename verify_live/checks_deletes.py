"""Write checks of deletes: the destroy audits each deletion writes (and how they spell the
record's type), the cascade when an idea goes, the recycle bin, and the connector's tombstones.

`run_deletes` removes the kit's records in two rounds, each followed by an incremental sync:
first a vote, a portal comment and an internal comment on their own, then the idea with one more
of each still on it (which Aha! deletes with the idea). The check functions read what it saw.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from verify_live.audits import audit_problems, describe_audit, destroy_audits, recycle_bin_entry
from verify_live.connector import SyncResult
from verify_live.scenario import STREAM, Created, Scenario, StepError
from verify_live.verdicts import Verdict, confirmed, refuted, untested


@dataclass
class Deletions:
    """What the delete rounds did and found."""

    idea: Created | None
    singles: list[Created] = field(default_factory=list)  # deleted one by one
    cascade: list[Created] = field(default_factory=list)  # deleted with the idea
    problems: list[str] = field(default_factory=list)  # writes refused
    audits: dict[str, dict[str, Any]] = field(default_factory=dict)  # by auditable_id
    audits_error: str | None = None
    bin_row: dict[str, Any] | None = None
    bin_error: str | None = None
    syncs: list[tuple[int, SyncResult]] = field(default_factory=list)
    sync_errors: list[str] = field(default_factory=list)
    idea_deleted: bool = False

    def deleted(self) -> list[Created]:
        idea = [self.idea] if self.idea_deleted and self.idea else []
        return self.singles + self.cascade + idea


def _sync(scenario: Scenario, seen: Deletions) -> None:
    result = scenario.sync()
    if isinstance(result, str):
        seen.sync_errors.append(result)
    else:
        seen.syncs.append((len(scenario.syncs), result))


def _audits(scenario: Scenario, since: datetime, seen: Deletions) -> None:
    wanted = {r.id for r in seen.deleted()}
    found, failed = destroy_audits(scenario.client, since, wanted)
    seen.audits.update(found)
    seen.audits_error = failed.describe() if failed is not None else None


def run_deletes(scenario: Scenario, since: datetime) -> Deletions:
    """Edits the idea, deletes its children, then the idea with new children; syncs after each
    round; looks up the destroy audits (created after `since`) and the recycle bin."""
    seen = Deletions(scenario.idea)
    if scenario.idea is None:
        return seen
    singles = [c for c in scenario.created if c.kind != "idea" and not c.deleted]
    for make in (scenario.add_vote, scenario.add_portal_comment, scenario.add_internal_comment):
        try:
            seen.cascade.append(make())
        except StepError as error:
            seen.problems.append(str(error))
    try:
        scenario.edit_idea()
    except StepError as error:
        seen.problems.append(f"editing the idea: {error}")
    for child in singles:
        answer = scenario.delete(child)
        if answer.ok:
            seen.singles.append(child)
        else:
            seen.problems.append(answer.describe())
    _audits(scenario, since, seen)
    _sync(scenario, seen)
    answer = scenario.delete(scenario.idea)
    seen.idea_deleted = answer.ok
    if not answer.ok:
        seen.problems.append(answer.describe())
        seen.cascade = []
    _audits(scenario, since, seen)
    if seen.idea_deleted:
        row, failed = recycle_bin_entry(scenario.client, scenario.idea_name)
        seen.bin_row, seen.bin_error = row, failed.describe() if failed is not None else None
    _sync(scenario, seen)
    return seen


def _audit_verdict(key: str, seen: Deletions, record: Created | None, what: str) -> Verdict:
    if record is None:
        return untested(key, f"no {what} was deleted: {'; '.join(seen.problems) or 'none made'}")
    audit = seen.audits.get(record.id)
    if audit is None:
        if seen.audits_error:
            return untested(key, seen.audits_error)
        return refuted(key, f"no destroy audit lists {what} {record.id} (GET /audits)")
    problems = _problems(audit, record)
    if problems:
        return refuted(key, f"{describe_audit(audit)}: {'; '.join(problems)}")
    return confirmed(key, describe_audit(audit))


def _problems(audit: dict[str, Any], record: Created) -> list[str]:
    idea = None if record.kind == "idea" else record.idea_id
    return audit_problems(audit, STREAM[record.kind], idea)


def _single(seen: Deletions, kind: str) -> Created | None:
    return next((r for r in seen.singles if r.kind == kind), None)


def check_destroy_audit_idea(seen: Deletions) -> Verdict:
    idea = seen.idea if seen.idea_deleted else None
    return _audit_verdict("destroy_audit_idea", seen, idea, "idea")


def check_destroy_audit_vote(seen: Deletions) -> Verdict:
    return _audit_verdict("destroy_audit_vote", seen, _single(seen, "vote"), "proxy vote")


def check_destroy_audit_idea_comment(seen: Deletions) -> Verdict:
    record = _single(seen, "idea_comment")
    return _audit_verdict("destroy_audit_idea_comment", seen, record, "portal comment")


def check_destroy_audit_internal_comment(seen: Deletions) -> Verdict:
    record = _single(seen, "internal_comment")
    return _audit_verdict("destroy_audit_internal_comment", seen, record, "internal comment")


def check_destroy_audits_cascade(seen: Deletions) -> Verdict:
    key = "destroy_audits_cascade"
    if not seen.cascade:
        return untested(key, "the idea was not deleted with children: " + "; ".join(seen.problems))
    if seen.audits_error:
        return untested(key, seen.audits_error)
    notes, wrong = [], False
    for child in seen.cascade:
        audit = seen.audits.get(child.id)
        problems = ["NO destroy audit"] if audit is None else _problems(audit, child)
        wrong = wrong or bool(problems)
        shown = describe_audit(audit) if audit is not None else ""
        notes.append(f"{child.kind} {child.id}: " + ": ".join(filter(None, [shown, *problems])))
    return (refuted if wrong else confirmed)(key, "; ".join(notes))


def check_recycle_bin(seen: Deletions) -> Verdict:
    key = "recycle_bin"
    if not seen.idea_deleted or seen.idea is None:
        return untested(key, "the idea was not deleted: " + "; ".join(seen.problems))
    if seen.bin_error:
        return untested(key, seen.bin_error)
    if seen.bin_row is None:
        return refuted(key, f"GET /deletions does not list idea {seen.idea.id}")
    row = seen.bin_row
    found = row.get("record")
    record: dict[str, Any] = found if isinstance(found, dict) else {}
    return confirmed(
        key,
        f"deletion {row.get('id')} status={row.get('status')!r} record.type="
        f"{record.get('type')!r} record.name={record.get('name')!r} deleted_at="
        f"{row.get('deleted_at')}; record keys {sorted(record)}",
    )


def check_tombstones(seen: Deletions) -> Verdict:
    key = "tombstones"
    deleted = seen.deleted()
    if not deleted:
        return untested(key, "nothing was deleted: " + "; ".join(seen.problems))
    if not seen.syncs:
        return untested(key, "; ".join(seen.sync_errors) or "no sync ran")
    notes, missing = [], []
    for record in deleted:
        stream = STREAM[record.kind]
        hit = next(
            ((n, t) for n, s in seen.syncs if (t := s.tombstone(stream, record.id)) is not None),
            None,
        )
        if hit is None:
            missing.append(record)
            notes.append(f"{stream} {record.id}: NO tombstone")
            continue
        number, tomb = hit
        notes.append(
            f"{stream} {record.id}: _ab_cdc_deleted_at={tomb['_ab_cdc_deleted_at']} (sync {number})"
        )
    notes += seen.sync_errors
    return (refuted if missing else confirmed)(key, "; ".join(notes))
