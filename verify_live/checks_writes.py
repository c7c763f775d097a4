"""Write checks of the central assumption: a new or edited child (proxy vote, portal comment,
internal comment) moves its idea's `updated_at`.

The connector re-reads the children only of ideas whose `updated_at` moved, so each check reads
the test idea's `updated_at`, makes one change, reads it again, and then runs an incremental sync
to show whether the connector picked the change up (the sync is evidence, not the verdict: the
verdict is about Aha!).
"""

from __future__ import annotations

from collections.abc import Callable

from verify_live.scenario import STREAM, Created, Scenario, StepError
from verify_live.times import parse_time
from verify_live.verdicts import Verdict, confirmed, refuted, untested


def _sync_note(scenario: Scenario, idea_id: str, child: Created) -> str:
    result = scenario.sync()
    if isinstance(result, str):
        return result
    number = len(scenario.syncs)
    ideas = result.find("ideas", idea_id)
    children = result.find(STREAM[child.kind], child.id)
    idea_note = f"the idea (updated_at {ideas[-1].get('updated_at')})" if ideas else "NOT the idea"
    kind = child.kind.replace("_", " ")
    child_note = f"the {kind}" if children else f"NOT the {kind}"
    return f"sync {number} emitted {idea_note} and {child_note}"


def _moves(scenario: Scenario, key: str, change: Callable[[], Created], what: str) -> Verdict:
    """Reads `updated_at`, makes the change, reads it again, syncs."""
    if scenario.idea is None:
        return untested(key, "the test idea could not be created")
    try:
        before = scenario.idea_now().get("updated_at")
        child = change()
        after = scenario.idea_now().get("updated_at")
    except StepError as error:
        return untested(key, f"{what}: {error}")
    earlier, later = parse_time(before), parse_time(after)
    if earlier is None or later is None:
        return untested(key, f"idea {scenario.idea.id} has no readable updated_at: {before!r}")
    evidence = (
        f"idea {scenario.idea.id} updated_at {before} -> {after} after {what} {child.id}; "
        + _sync_note(scenario, scenario.idea.id, child)
    )
    return confirmed(key, evidence) if later > earlier else refuted(key, evidence)


def check_updated_at_on_vote(scenario: Scenario) -> Verdict:
    return _moves(scenario, "updated_at_on_vote", scenario.add_vote, "new proxy vote")


def check_updated_at_on_comment(scenario: Scenario) -> Verdict:
    return _moves(
        scenario, "updated_at_on_comment", scenario.add_portal_comment, "new portal comment"
    )


def check_updated_at_on_comment_edit(scenario: Scenario) -> Verdict:
    key = "updated_at_on_comment_edit"
    comments = [c for c in scenario.created if c.kind == "idea_comment" and not c.deleted]
    if not comments:
        return untested(key, "no portal comment to edit (creating one failed)")
    return _moves(
        scenario,
        key,
        lambda: scenario.edit_portal_comment(comments[0]),
        "edit of portal comment",
    )


def check_updated_at_on_internal_comment(scenario: Scenario) -> Verdict:
    return _moves(
        scenario,
        "updated_at_on_internal_comment",
        scenario.add_internal_comment,
        "new internal comment",
    )
