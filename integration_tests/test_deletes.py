"""Deletes end to end: the installed `source-aha` against the emulator, whose audits say what was
deleted and when. An incremental read after deletes emits exactly the expected tombstones, and an
append + dedup destination fed every sync stays equal to the emulator's data (the model test).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from aha_emulator import AhaEmulator
from integration_tests.conftest import API_KEY, emulator_config
from integration_tests.connector import DELETED_AT, Run, audit_reads, run_source
from integration_tests.destination_model import AppendDedup, random_step
from integration_tests.test_end_to_end import (
    assert_same_records,
    assert_votes_match,
    expected_comments,
    expected_ideas,
    expected_proxy_votes,
    read,
)
from testkit.catalog import configured_catalog
from testkit.streams import TRACKED

IDEA_STREAMS = TRACKED[:5]  # an idea and everything that hangs on it


@pytest.fixture
def small() -> Iterable[AhaEmulator]:
    with AhaEmulator(ideas=120, seed=11, api_key=API_KEY) as server:
        yield server


def tombstones(run: Run) -> dict[str, dict[str, dict[str, Any]]]:
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for message in run.of_type("RECORD"):
        data = message["record"]["data"]
        if data.get(DELETED_AT):
            out.setdefault(message["record"]["stream"], {})[data["id"]] = data
    return out


def destroyed_since(emulator: AhaEmulator, after_id: int) -> dict[str, str]:
    """`auditable_id` -> deletion time of every destroy audit after `after_id` (the truth)."""
    return {
        str(a["auditable_id"]): a["created_at"]
        for a in emulator.workspace.audits()
        if a["audit_action"] == "destroy" and int(a["id"]) > after_id
    }


# The emulator's own spelling of the record types its seeded history deletes, and the streams whose
# rows they are (what the test knows about the emulator, not the connector's routing table).
HISTORY_STREAMS = {
    "idea": ("ideas",),
    "idea_endorsement": ("idea_proxy_votes", "idea_votes"),
    "idea_comment": ("idea_comments",),
}


def resumes(run: Run) -> dict[str, datetime]:
    """Where each stream's next sync resumes: its final state's cursor less the CDK's lookback."""
    out = {}
    for message in run.of_type("STATE"):
        stream = message["state"]["stream"]
        blob = stream["stream_state"]
        cursor = blob.get("updated_at") or (blob.get("state") or {}).get("updated_at")
        if cursor:
            at = datetime.fromisoformat(cursor.replace("Z", "+00:00"))
            out[stream["stream_descriptor"]["name"]] = at - timedelta(
                seconds=int(blob.get("lookback_window") or 0)
            )
    return out


def deleted_after_cursors(
    emulator: AhaEmulator, up_to_id: int, resume: Mapping[str, datetime]
) -> dict[str, dict[str, dict[str, Any]]]:
    """The tombstones owed for the emulator's seeded deletes (audits up to `up_to_id`): those
    after the stream's cursor, within Aha!'s 12 months of audits."""
    floor = datetime.now(timezone.utc) - timedelta(days=364)
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for audit in emulator.workspace.audits():
        if audit["audit_action"] != "destroy" or int(audit["id"]) > up_to_id:
            continue
        at = datetime.fromisoformat(audit["created_at"].replace("Z", "+00:00"))
        for stream in HISTORY_STREAMS[audit["auditable_type"]]:
            if stream in resume and at > max(resume[stream], floor):
                row = {"id": str(audit["auditable_id"]), "updated_at": audit["created_at"]}
                row[DELETED_AT] = audit["created_at"]
                if stream != "ideas":
                    row["idea_id"] = str(audit["associated_id"])
                out.setdefault(stream, {})[row["id"]] = row
    return out


def last_audit_id(emulator: AhaEmulator) -> int:
    return max((int(a["id"]) for a in emulator.workspace.audits()), default=0)


def test_discover_declares_the_deleted_at_column_on_every_tracked_stream(
    tmp_path: Path, emulator: AhaEmulator
) -> None:
    run = run_source("discover", tmp_path, config=emulator_config(emulator))

    schemas = {s["name"]: s["json_schema"]["properties"] for s in run.catalog["streams"]}
    declared = sorted(name for name, props in schemas.items() if DELETED_AT in props)
    assert declared == sorted(TRACKED)
    for name in TRACKED:
        assert schemas[name][DELETED_AT] == {"type": ["null", "string"], "format": "date-time"}


def test_incremental_read_after_deletes_emits_exactly_the_tombstones_of_what_was_deleted(
    tmp_path: Path, emulator: AhaEmulator
) -> None:
    ws, config = emulator.workspace, emulator_config(emulator)
    catalog = configured_catalog(TRACKED)
    first = read(tmp_path, config, "first", catalog=catalog)
    assert tombstones(first) == {}
    before = last_audit_id(emulator)
    ideas = [i for i in ws.ideas() if i["endorsements_count"] and i["comments_count"]]
    gone_ideas = ideas[:2]
    votes = {v["id"]: v for v in ws.votes()}
    comments = {c["id"]: c for c in ws.idea_comments(include_spam=True)}
    # An internal comment names its idea in `commentable`; the connector adds `idea_id`.
    internals = {c["id"]: c | {"idea_id": c["commentable"]["id"]} for c in ws.internal_comments()}
    children = {
        "votes": [v for v in votes.values() if v["idea_id"] in {i["id"] for i in gone_ideas}],
        "comments": [c for c in comments.values() if c["idea_id"] in {i["id"] for i in gone_ideas}],
        "internals": [
            c for c in internals.values() if c["idea_id"] in {i["id"] for i in gone_ideas}
        ],
    }
    other = ideas[2]
    vote = next(v for v in votes.values() if v["idea_id"] == other["id"])
    comment = next(c for c in comments.values() if c["idea_id"] == other["id"])
    internal = next(iter(c for c in internals.values() if c not in children["internals"]))
    # A deleted comment takes its replies with it, a deleted feature its requirements.
    replies = [c for c in comments.values() if str(c["parent_idea_comment_id"]) == comment["id"]]
    feature = ws.features()[0]
    requirements = [r for r in ws.requirements() if str(r["parent"]) == feature["id"]]
    for idea in gone_ideas:
        ws.delete_idea(idea["id"])
    ws.delete_vote(vote["id"])
    ws.delete_comment(comment["id"])
    ws.delete_internal_comment(internal["id"])
    ws.delete_feature(feature["id"])

    second = read(tmp_path, config, "second", catalog=catalog, state=first.final_state())

    when = destroyed_since(emulator, before)

    def expected(rows: Iterable[Mapping[str, Any]], idea_child: bool) -> dict[str, dict]:
        out = {}
        for row in rows:
            tombstone = {
                "id": row["id"],
                "updated_at": when[row["id"]],
                DELETED_AT: when[row["id"]],
            }
            out[row["id"]] = tombstone | ({"idea_id": row["idea_id"]} if idea_child else {})
        return out

    gone_votes = [*children["votes"], vote]
    now = {
        "ideas": expected(gone_ideas, False),
        "idea_proxy_votes": expected(gone_votes, True),  # an endorsement audit: both vote streams
        "idea_votes": expected(gone_votes, True),
        "idea_comments": expected([*children["comments"], comment, *replies], True),
        "idea_internal_comments": expected([*children["internals"], internal], True),
        "features": expected([feature], False),
    } | ({"requirements": expected(requirements, False)} if requirements else {})
    # A stream's window starts at its newest record, so the emulator's older deletes after it
    # come too (the first incremental sync after a full one cannot tell them apart).
    history = deleted_after_cursors(emulator, before, resumes(first))
    assert history, "the emulator seeds deletes after some stream's newest record"
    owed = {s: history.get(s, {}) | now.get(s, {}) for s in {*history, *now}}
    assert tombstones(second) == owed
    # Only in the second read (a first sync needs no tombstones): the destroy audits once for
    # every stream (caught up for a stream that starts after that read), and one walk of the
    # ideas' children's audits (the assumption check).
    audits = audit_reads(r.path for r in emulator.stats.requests)
    audits.assert_one_walk_and_catch_ups()
    assert audits.children == 1
    live_ideas = {r["id"] for r in second.records("ideas") if not r.get(DELETED_AT)}
    assert other["id"] in live_ideas  # its counts changed with the deleted vote and comment


def test_audits_forbidden_read_goes_on_without_tombstones_and_warns_once(
    tmp_path: Path, emulator: AhaEmulator
) -> None:
    config = emulator_config(emulator)
    first = read(tmp_path, config, "first")
    emulator.set_forbidden({"GET /api/v1/audits"})
    emulator.workspace.delete_idea(emulator.workspace.ideas()[0]["id"])

    second = read(tmp_path, config, "second", state=first.final_state())

    assert tombstones(second) == {}
    warnings = [
        m["log"]["message"]
        for m in second.of_type("LOG")
        if m["log"]["level"] == "WARN" and "Deletes are not tracked" in m["log"]["message"]
    ]
    assert len(warnings) == 1
    assert "403" in warnings[0]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_append_dedup_destination_equals_the_emulator_after_every_sync(
    tmp_path: Path, small: AhaEmulator, seed: int
) -> None:
    ws, config, rng = small.workspace, emulator_config(small), random.Random(seed)
    destination = AppendDedup()
    catalog = configured_catalog(IDEA_STREAMS)
    run = read(tmp_path, config, "step0", catalog=catalog)
    destination.apply(run)
    for step in range(1, 5):
        done = random_step(ws, rng)
        run = read(tmp_path, config, f"step{step}", catalog=catalog, state=run.final_state())
        destination.apply(run)
        try:
            assert_same_records(destination.table("ideas"), expected_ideas(small))
            assert_same_records(destination.table("idea_comments"), expected_comments(small))
            assert_votes_match(destination.table("idea_proxy_votes"), expected_proxy_votes(small))
            assert set(destination.table("idea_votes")) == {v["id"] for v in ws.votes()}
            assert set(destination.table("idea_internal_comments")) == {
                c["id"] for c in ws.internal_comments()
            }
        except AssertionError as error:
            raise AssertionError(f"seed {seed}, after step {step} ({done}): {error}") from error
