"""An append + dedup destination fed every sync, random workspace changes between syncs, and the
comparison of that destination with the emulator's truth. Shared by `test_deletes.py`,
`test_personalities.py` and the benchmark's personality table.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from aha_emulator import AhaEmulator
from integration_tests.connector import DELETED_AT, Run
from integration_tests.test_end_to_end import (
    expected_comments,
    expected_ideas,
    expected_proxy_votes,
    without_top_level_nulls,
)

# The streams an idea and everything that hangs on it land in.
IDEA_STREAMS = (
    "ideas",
    "idea_proxy_votes",
    "idea_comments",
    "idea_votes",
    "idea_internal_comments",
)


class AppendDedup:
    """An append + dedup destination: per key the record with the latest cursor (the later one on
    a tie) wins, and a winner with `_ab_cdc_deleted_at` set is no row at all."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, tuple[datetime, int, dict[str, Any]]]] = {}
        self.seq = 0

    def apply(self, run: Run) -> None:
        for message in run.of_type("RECORD"):
            stream, data = message["record"]["stream"], message["record"]["data"]
            self.seq += 1
            when = datetime.fromisoformat(data["updated_at"].replace("Z", "+00:00"))
            current = self.rows.setdefault(stream, {}).get(data["id"])
            if current is None or (when, self.seq) >= current[:2]:
                self.rows[stream][data["id"]] = (when, self.seq, data)

    def table(self, stream: str) -> dict[str, dict[str, Any]]:
        return {
            key: data
            for key, (_, _, data) in self.rows.get(stream, {}).items()
            if not data.get(DELETED_AT)
        }


def random_step(ws: Any, rng: random.Random) -> list[str]:
    """A few random creates, edits and deletes; returns what was done (for the failure text)."""
    done = []
    for _ in range(rng.randint(3, 7)):
        idea = rng.choice(ws.ideas())["id"]
        votes, comments, internals = ws.votes(), ws.idea_comments(), ws.internal_comments()
        action = rng.choice(
            ["add idea", "edit idea", "add vote", "add comment", "add internal comment"]
            + ["delete idea"]
            + (["delete vote"] if votes else [])
            + (["edit comment", "delete comment"] if comments else [])
            + (["delete internal comment"] if internals else [])
        )
        if action == "add idea":
            ws.add_idea()
        elif action == "edit idea":
            ws.edit_idea(idea)
        elif action == "add vote":
            ws.add_vote(idea)
        elif action == "add comment":
            ws.add_comment(idea)
        elif action == "add internal comment":
            ws.add_internal_comment(idea)
        elif action == "delete idea":
            ws.delete_idea(idea)
        elif action == "delete vote":
            ws.delete_vote(rng.choice(votes)["id"])
        elif action == "edit comment":
            ws.edit_comment(rng.choice(comments)["id"])
        elif action == "delete comment":
            ws.delete_comment(rng.choice(comments)["id"])
        else:
            ws.delete_internal_comment(rng.choice(internals)["id"])
        done.append(action)
    return done


def _compare(
    got: Mapping[str, Mapping[str, Any]],
    want: Mapping[str, Mapping[str, Any]],
    fields: Collection[str] | None = None,
    ignore: Collection[str] = (),
    row_keys_only: bool = False,
) -> dict[str, Any]:
    """What differs between a destination table and the truth: missing and extra ids, and the
    first field differences (only `fields` when given, or only the row's own keys with
    `row_keys_only`; never those in `ignore`)."""
    out: dict[str, Any] = {}
    if missing := sorted(set(want) - set(got)):
        out["missing"] = missing
    if extra := sorted(set(got) - set(want)):
        out["extra"] = extra
    differences = []
    for key in sorted(set(want) & set(got)):
        expected, row = without_top_level_nulls(want[key]), got[key]
        names = set(fields) if fields is not None else set(expected) | set(row)
        names = set(row) if row_keys_only else names
        differences += [
            (key, name, row.get(name, "<absent>"), expected.get(name, "<absent>"))
            for name in sorted(names - set(ignore))
            if row.get(name, "<absent>") != expected.get(name, "<absent>")
        ]
    if differences:
        out["fields"] = differences[:5]
        out["rows_differing"] = len({d[0] for d in differences})
    return out


def differences(
    emulator: AhaEmulator,
    destination: AppendDedup,
    idea_ids: Collection[str] | None = None,
    idea_fields: Collection[str] | None = None,
    idea_ignore: Collection[str] = (),
    comment_ignore: Collection[str] = (),
) -> dict[str, dict[str, Any]]:
    """Per stream of `IDEA_STREAMS`, what the destination holds that the truth does not (empty:
    equal). `idea_ids`: the ideas the filters select (None: every idea); `idea_votes` is
    account-wide, so every vote whatever the filters. Internal comments compare by id (their
    fields are checked in test_more_streams)."""
    ws = emulator.workspace
    selected = set(idea_ids) if idea_ids is not None else {i["id"] for i in ws.ideas()}
    truth: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
        "ideas": ({k: v for k, v in expected_ideas(emulator).items() if k in selected}, {}),
        "idea_comments": (expected_comments(emulator, selected), {"ignore": comment_ignore}),
        "idea_proxy_votes": (expected_proxy_votes(emulator, selected), {"row_keys_only": True}),
        "idea_votes": ({v["id"]: {} for v in ws.votes()}, {"fields": ()}),
        "idea_internal_comments": (
            {c["id"]: {} for c in ws.internal_comments() if c["commentable"]["id"] in selected},
            {"fields": ()},
        ),
    }
    truth["ideas"][1].update({"fields": idea_fields, "ignore": idea_ignore})
    out = {}
    for stream in IDEA_STREAMS:
        want, options = truth[stream]
        found = _compare(destination.table(stream), want, **options)
        if found:
            out[stream] = found
    return out
