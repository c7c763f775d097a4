"""The connector against every personality of the emulator (`aha_emulator/personality.py`): a
full sync, then two incremental syncs after random creates, edits and deletes, into an append +
dedup destination that must equal the emulator's truth, with and without an idea filter. Where
the connector cannot be right it says so: each such warning appears once per sync. Costs are
checked where they are cheap to state.

What stays behind, by design, under a personality (the exceptions to "equals the truth"):
- comment_no_bump / vote_no_bump: the `ideas` row's `updated_at` and counts lag until the idea
  itself changes; ideas are compared without them.
- comments_without_updated_at: comments are compared without `updated_at` (the connector gives
  them one).
- fields_ignored: ideas are compared on the abbreviated fields only.
- audit_types_unknown, audits_forbidden: deleted rows stay (warned); no_child_audits: the
  children of a deleted idea stay (warned).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from aha_emulator import AhaEmulator
from aha_emulator.ideas.render import IDEA_ABBREVIATED
from aha_emulator.personality import PERSONALITIES
from integration_tests.conftest import API_KEY, emulator_config
from integration_tests.connector import DELETED_AT, AuditReads, Run, audit_reads
from integration_tests.destination_model import (
    IDEA_STREAMS,
    AppendDedup,
    differences,
    random_step,
)
from integration_tests.test_end_to_end import read
from testkit.catalog import configured_catalog

AUDITS = "GET /api/v1/audits"
IDEA_COMMENTS = "GET /api/v1/ideas/{id}/idea_comments"
PER_IDEA_PREFIX = "GET /api/v1/ideas/{id}/"
STATUS = "New"  # the workflow status of the filtered runs (about half the ideas)
FILTERS = {"all": {}, "status": {"ideas_workflow_status": STATUS}}
IDEAS = 80
PROBES = 5

# What a warning says, per personality (a fragment of each expected LOG message).
COUNT_WARNING = "`comments_count` is not the number of these records"
FIELDS_WARNING = "Aha! ignored `fields=`"
PROXY_WARNING = "Aha! sent votes without an organization for `proxy=true`"
UPDATED_AT_WARNING = "idea_comments: Aha! sent records without `updated_at`"
UNKNOWN_TYPE_WARNING = "Aha!'s audits name a record type this connector does not know"
CHILDLESS_WARNING = "came with no audit of a deleted vote or comment"
DELETES_WARNING = "Deletes are not tracked in this sync"
MOVES_WARNING = "audits show a change to a record of an idea whose"
UNCONFIRMED_WARNING = "cannot confirm that a new or edited record moves its idea's"

# The ideas columns that lag under the no-bump personalities (documented as staying behind).
LAGGING = ("updated_at", "comments_count", "endorsements_count", "votes")


@dataclass
class Sequence:
    """One emulator, its three syncs and the destination they fed."""

    emulator: AhaEmulator
    filters: dict[str, Any]
    runs: list[Run] = field(default_factory=list)
    routes: list[dict[str, int]] = field(default_factory=list)
    audits: list[AuditReads] = field(default_factory=list)
    steps: list[list[str]] = field(default_factory=list)
    destroyed: set[str] = field(default_factory=set)  # every id deleted after the first sync
    destroyed_ideas: set[str] = field(default_factory=set)
    destination: AppendDedup = field(default_factory=AppendDedup)

    def warnings(self, run: Run) -> list[str]:
        return [m["log"]["message"] for m in run.of_type("LOG") if m["log"]["level"] == "WARN"]

    def selected(self) -> set[str] | None:
        if not self.filters:
            return None
        ideas = self.emulator.workspace.ideas()
        return {i["id"] for i in ideas if i["workflow_status"]["name"] == STATUS}


def _child_ids(ws: Any, idea_id: str) -> set[str]:
    return (
        {v["id"] for v in ws.votes() if v["idea_id"] == idea_id}
        | {c["id"] for c in ws.idea_comments(include_spam=True) if c["idea_id"] == idea_id}
        | {c["id"] for c in ws.internal_comments() if c["commentable"]["id"] == idea_id}
    )


def _everything(ws: Any) -> tuple[set[str], set[str]]:
    """The ids of the ideas, and of every idea, vote and comment."""
    ideas = {i["id"] for i in ws.ideas(include_spam=True)}
    rest = {v["id"] for v in ws.votes()} | {c["id"] for c in ws.internal_comments()}
    return ideas, ideas | rest | {c["id"] for c in ws.idea_comments(include_spam=True)}


def _step(sequence: Sequence, rng: random.Random) -> list[str]:
    """The random changes, then one of each change a personality is about, on ideas the filters
    select: a comment, an internal comment and a vote added to old ideas, a comment edited, an
    idea with votes and comments deleted."""
    ws = sequence.emulator.workspace
    ideas_before, before = _everything(ws)
    done = random_step(ws, rng)
    selected = sequence.selected()
    ideas = [i for i in ws.ideas() if selected is None or i["id"] in selected]
    ws.add_comment(rng.choice(ideas)["id"])
    ws.add_internal_comment(rng.choice(ideas)["id"])
    ws.add_vote(rng.choice(ideas)["id"])
    comments = [c for c in ws.idea_comments() if c["idea_id"] in {i["id"] for i in ideas}]
    ws.edit_comment(rng.choice(comments)["id"])
    rich = [i for i in ideas if i["endorsements_count"] and i["comments_count"]]
    ws.delete_idea(rng.choice(rich or ideas)["id"])
    ideas_after, after = _everything(ws)
    sequence.destroyed |= before - after
    sequence.destroyed_ideas |= ideas_before - ideas_after
    return [*done, "add comment", "add internal comment", "add vote", "edit comment", "del idea"]


def run_sequence(tmp_path: Path, emulator: AhaEmulator, filters: dict[str, Any], seed: int):
    sequence = Sequence(emulator, filters)
    config = emulator_config(emulator, **filters)
    catalog = configured_catalog(IDEA_STREAMS)
    rng = random.Random(seed)
    state = None
    for number in range(3):
        if number:
            sequence.steps.append(_step(sequence, rng))
        emulator.stats.reset()
        run = read(tmp_path, config, f"sync{number}", catalog=catalog, state=state)
        sequence.routes.append(emulator.stats.by_route())
        sequence.audits.append(audit_reads(r.path for r in emulator.stats.requests))
        sequence.runs.append(run)
        sequence.destination.apply(run)
        state = run.final_state()
    return sequence


@dataclass(frozen=True)
class Expect:
    """What the connector does under one personality: the warnings (a fragment each, and the
    syncs, 0 = the full one, that must say it exactly once), what the comparison leaves out, and
    which deleted rows stay."""

    warnings: tuple[tuple[str, tuple[int, ...]], ...] = ()
    quiet: bool = False  # no warning at all
    idea_fields: tuple[str, ...] | None = None
    idea_ignore: tuple[str, ...] = ()
    comment_ignore: tuple[str, ...] = ()
    deleted_stay: str = ""  # "all": any deleted row may stay; "children": those of deleted ideas


def expect(name: str, filtered: bool) -> Expect:
    fan_out = ["idea_comments", "idea_internal_comments"] + (["idea_proxy_votes"] * filtered)
    return {
        "documented": Expect(quiet=True),
        "comments_count_internal": Expect(warnings=((COUNT_WARNING, (0,)),)),
        "comments_count_portal_and_internal": Expect(quiet=True),
        "comment_no_bump": Expect(idea_ignore=LAGGING),
        "vote_no_bump": Expect(idea_ignore=LAGGING),
        "comments_without_updated_at": Expect(
            warnings=((UPDATED_AT_WARNING, (0, 1, 2)),), comment_ignore=("updated_at",)
        ),
        "per_page_100": Expect(quiet=True),
        "updated_since_inclusive": Expect(quiet=True),
        # With a filter, the few ideas read may have proxy votes only: nothing to leave out.
        "proxy_ignored": Expect(warnings=((PROXY_WARNING, () if filtered else (0,)),)),
        "fields_ignored": Expect(warnings=((FIELDS_WARNING, (0,)),), idea_fields=IDEA_ABBREVIATED),
        "audit_types_plural": Expect(quiet=True),
        "audit_types_unknown": Expect(
            warnings=((f"{UNKNOWN_TYPE_WARNING}: `Aha::IdeaRecord`", (1, 2)),), deleted_stay="all"
        ),
        "no_child_audits": Expect(warnings=((CHILDLESS_WARNING, (1, 2)),), deleted_stay="children"),
        "audits_forbidden": Expect(
            warnings=(
                (DELETES_WARNING, (1, 2)),
                *((f"{stream}: {UNCONFIRMED_WARNING}", (1, 2)) for stream in fan_out),
            ),
            deleted_stay="all",
        ),
    }[name]


def assert_warnings(sequence: Sequence, expected: Expect, once: bool = False) -> None:
    """Each expected warning in its syncs; `once`: exactly once, and no warning repeated."""
    for number, run in enumerate(sequence.runs):
        said = sequence.warnings(run)
        if once:
            repeated = [text for text, n in Counter(said).items() if n > 1]
            assert repeated == [], f"sync {number} repeated a warning"
        if expected.quiet:
            assert said == [], f"sync {number} warned"
        for fragment, syncs in expected.warnings:
            if number in syncs:
                matching = [text for text in said if fragment in text]
                assert matching if not once else len(matching) == 1, f"sync {number}: {fragment!r}"


def remaining_differences(sequence: Sequence, expected: Expect) -> dict[str, dict[str, Any]]:
    """What differs from the truth, less what the personality is documented to leave behind."""
    found = differences(
        sequence.emulator,
        sequence.destination,
        sequence.selected(),
        idea_fields=expected.idea_fields,
        idea_ignore=expected.idea_ignore,
        comment_ignore=expected.comment_ignore,
    )
    for stream, problems in list(found.items()):
        extra = set(problems.get("extra", ()))
        table = sequence.destination.table(stream)
        if (expected.deleted_stay == "all" and extra <= sequence.destroyed) or (
            expected.deleted_stay == "children"
            and stream != "ideas"
            and extra <= sequence.destroyed
            and {table[key].get("idea_id") for key in extra} <= sequence.destroyed_ideas
        ):
            problems.pop("extra", None)
        if not problems:
            del found[stream]
    return found


def assert_costs(sequence: Sequence, name: str) -> None:
    ws = sequence.emulator.workspace
    fan_out = 3 if sequence.filters else 2
    full = sequence.routes[0]
    assert AUDITS not in full, "a first sync needs no audits"
    for number, audits in enumerate(sequence.audits[1:], start=1):
        # the deletes once (caught up for a stream that starts later), once per stream read
        # idea by idea
        audits.assert_one_walk_and_catch_ups()
        assert audits.children <= fan_out, f"sync {number}: {audits}"
    in_scope = len(sequence.runs[0].records("ideas"))
    if name == "comments_count_internal":  # every idea once, the probes on top
        assert full.get(IDEA_COMMENTS, 0) <= in_scope + PROBES, full
    if name == "documented":  # only the ideas with comments, and the probes
        del ws  # the counts are those the full sync read
        commented = sum(1 for r in sequence.runs[0].records("ideas") if r.get("comments_count"))
        assert full.get(IDEA_COMMENTS, 0) <= commented + PROBES, full


# Each personality with and without an idea filter, on two seeds (one seed each, to keep the
# suite within its time).
@pytest.mark.parametrize(("scope", "seed"), [("all", 1), ("status", 2)])
@pytest.mark.parametrize("name", list(PERSONALITIES))
def test_destination_equals_the_truth_under_each_personality(
    tmp_path: Path, name: str, scope: str, seed: int
) -> None:
    with AhaEmulator(ideas=IDEAS, seed=seed, api_key=API_KEY, personality=name) as emulator:
        sequence = run_sequence(tmp_path, emulator, FILTERS[scope], seed)
        expected = expect(name, bool(FILTERS[scope]))
        context = f"{name}, {scope}, seed {seed}, steps {sequence.steps}"
        try:
            assert_warnings(sequence, expected)
            assert remaining_differences(sequence, expected) == {}
            assert_costs(sequence, name)
        except AssertionError as error:
            raise AssertionError(f"{context}: {error}") from error
        if name == "fields_ignored":  # the columns Aha! did not send stay null
            ideas = sequence.destination.table("ideas").values()
            assert all(row.get("comments_count") is None for row in ideas)


@pytest.mark.parametrize("seed", [1, 2])
def test_documented_aha_gets_no_warning_that_child_changes_leave_their_idea_alone(
    tmp_path: Path, seed: int
) -> None:
    """Under the documented Aha!, where every new or edited vote or comment moves its idea, the
    audits re-read from the hour before the cursor name ideas the last sync read: no warning."""
    with AhaEmulator(ideas=IDEAS, seed=seed, api_key=API_KEY) as emulator:
        sequence = run_sequence(tmp_path, emulator, {}, seed)
        for number, run in enumerate(sequence.runs):
            said = [t for t in sequence.warnings(run) if MOVES_WARNING in t]
            assert said == [], f"sync {number}, steps {sequence.steps}"


def test_per_page_100_with_max_ideas_300_reads_exactly_300_ideas_and_their_children(
    tmp_path: Path,
) -> None:
    with AhaEmulator(ideas=350, seed=1, api_key=API_KEY, personality="per_page_100") as emulator:
        config = emulator_config(emulator, max_ideas=300)
        run = read(tmp_path, config, catalog=configured_catalog(IDEA_STREAMS))
        destination = AppendDedup()
        destination.apply(run)
        first = {idea["id"] for idea in emulator.workspace.ideas()[:300]}
        assert len(run.records("ideas")) == 300
        found = differences(emulator, destination, first)
        found.pop("idea_votes", None)  # account-wide: every vote, whatever max_ideas
        assert found == {}


def test_documented_idle_incremental_sync_asks_only_the_audits(tmp_path: Path) -> None:
    with AhaEmulator(ideas=IDEAS, seed=1, api_key=API_KEY) as emulator:
        config, catalog = emulator_config(emulator), configured_catalog(IDEA_STREAMS)
        first = read(tmp_path, config, "first", catalog=catalog)
        # The first incremental sync also sends the tombstones of the emulator's older deletes.
        settle = read(tmp_path, config, "settle", catalog=catalog, state=first.final_state())
        emulator.stats.reset()
        second = read(tmp_path, config, "second", catalog=catalog, state=settle.final_state())
        routes = emulator.stats.by_route()
        # No record; only a tombstone the settling sync sent may come again, from within the
        # global cursor's lookback (README, "Trade-offs"; the key absorbs it).
        for stream in second.record_counts():
            rows = second.records(stream)
            sent = {r["id"] for r in settle.records(stream) if r.get(DELETED_AT)}
            assert all(r.get(DELETED_AT) for r in rows), stream
            assert {r["id"] for r in rows} <= sent, stream
        audits = audit_reads(r.path for r in emulator.stats.requests)
        audits.assert_one_walk_and_catch_ups()
        assert audits.children <= 2  # idea_comments, internal comments
        assert [r for r in routes if r.startswith(PER_IDEA_PREFIX)] == []


@pytest.mark.parametrize(
    "name",
    ["comments_without_updated_at", "proxy_ignored", "fields_ignored", "audit_types_unknown"],
)
def test_each_warning_is_said_exactly_once_per_sync(tmp_path: Path, name: str) -> None:
    """A warning met on every page or partition (the proxy filter, a comment without
    `updated_at`) is said once per sync, though the CDK hands components copies of the config."""
    with AhaEmulator(ideas=IDEAS, seed=1, api_key=API_KEY, personality=name) as emulator:
        sequence = run_sequence(tmp_path, emulator, {}, 1)
        assert_warnings(sequence, expect(name, False), once=True)
