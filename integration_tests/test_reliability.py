"""Reliability of the installed `source-aha` against the local emulator: injected faults and rate
limits, 429 storms, persistent server errors, reads killed and restarted, and saved states (round
trips, older layouts, hand edits). Records are compared with the emulator's ground truth; waits
and retries are measured at the server. Every output is scanned for the API key.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from aha_emulator import AhaEmulator, Faults
from integration_tests.conftest import ROOT, emulator_config
from integration_tests.connector import DELETED_AT, IDEA_STREAMS, Run, configured_catalog
from integration_tests.reliability_support import (
    API_KEY,
    guard_outputs,
    run,
    run_read_killed,
)
from integration_tests.test_end_to_end import (
    assert_same_records,
    assert_votes_match,
    by_id,
    expected_comments,
    expected_ideas,
    expected_proxy_votes,
)
from integration_tests.test_more_streams import (
    FULL_REFRESH_ONLY,
    MORE_STREAMS,
    keyed,
    record_key,
)
from integration_tests.test_more_streams import catalog as catalog_of
from integration_tests.test_more_streams import truth as more_truth
from testkit.streams import PROMISES

ACCOUNT_VOTES = "GET /api/v1/ideas/endorsements"
EVERY_STREAM = IDEA_STREAMS + MORE_STREAMS
_DEFINITIONS = yaml.safe_load((ROOT / "manifest.yaml").read_text(encoding="utf-8"))["definitions"]
READ_TIMEOUT = float(_DEFINITIONS["requester"]["read_timeout_in_seconds"])


@pytest.fixture(autouse=True)
def api_key_never_leaks() -> Iterator[None]:
    yield from guard_outputs()


WORKSPACE = {"ideas": 120, "seed": 7}  # the same data in every emulator made from it


@pytest.fixture
def emulator() -> Iterator[AhaEmulator]:
    with AhaEmulator(**WORKSPACE, api_key=API_KEY) as server:
        yield server


@dataclass
class Baseline:
    """A full read of every stream of `WORKSPACE`: its STATE count and its final state (valid for
    any emulator made from `WORKSPACE`, the data being the same)."""

    states: int
    final_state: list[dict[str, Any]]


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Baseline:
    with AhaEmulator(**WORKSPACE, api_key=API_KEY) as server:
        result = read(tmp_path_factory.mktemp("baseline"), emulator_config(server))
    return Baseline(len(result.of_type("STATE")), result.final_state())


# Helpers ----------------------------------------------------------------------------------------


def read(workdir: Path, config: Mapping[str, Any], **kwargs: Any) -> Run:
    """A read of every stream (incremental where offered) that must succeed."""
    kwargs.setdefault("catalog", catalog_of(EVERY_STREAM))
    result = run("read", workdir, config=config, **kwargs)
    assert result.returncode == 0, result.stderr[-2000:] + json.dumps(result.errors)[:2000]
    assert result.errors == []
    return result


def truth(emulator: AhaEmulator) -> dict[str, dict[str, dict[str, Any]]]:
    """Every stream's records as the connector should emit them, keyed by id."""
    return {
        "ideas": expected_ideas(emulator),
        "idea_comments": expected_comments(emulator),
        "idea_proxy_votes": expected_proxy_votes(emulator),
        **more_truth(emulator),
    }


def assert_destination_equals_truth(
    destination: Mapping[str, Mapping[str, dict[str, Any]]],
    emulator: AhaEmulator,
    streams: tuple[str, ...] = EVERY_STREAM,
    ignore: Mapping[str, set[str]] | None = None,
) -> None:
    """What a destination that upserts by id holds equals the emulator's current workspace
    (apart from the `ignore`d fields of each stream)."""
    expected = truth(emulator)
    for stream in streams:
        skip = (ignore or {}).get(stream, set())
        got, want = (
            {i: {k: v for k, v in r.items() if k not in skip} for i, r in records.items()}
            for records in (destination.get(stream, {}), expected[stream])
        )
        compare = assert_votes_match if stream == "idea_proxy_votes" else assert_same_records
        compare(got, want)


# Counts derived from other records: they change without the record's `updated_at` moving, so an
# incremental read cannot see the change (the emulator models it so; Aha! presumably too).
DERIVED_WITHOUT_UPDATED_AT = {"idea_organizations": {"endorsements_count"}}


def stale_derived_fields(
    destination: Mapping[str, Mapping[str, dict[str, Any]]], emulator: AhaEmulator
) -> dict[str, int]:
    expected = truth(emulator)
    return {
        f"{stream}.{field}": sum(
            destination[stream][i].get(field) != expected[stream][i].get(field)
            for i in expected[stream]
        )
        for stream, fields in DERIVED_WITHOUT_UPDATED_AT.items()
        for field in fields
    }


def upsert(
    destination: dict[str, dict[str, dict[str, Any]]], records: Mapping[str, list[dict[str, Any]]]
) -> None:
    """Keeps the last record per key, and drops a key whose last record is a tombstone (an
    Airbyte destination in append + dedup)."""
    for stream, rows in records.items():
        table = destination.setdefault(stream, {})
        for row in rows:
            if row.get(DELETED_AT):
                table.pop(record_key(stream, row), None)
            else:
                table[record_key(stream, row)] = row


def records_of(result: Any) -> dict[str, list[dict[str, Any]]]:
    return {stream: result.records(stream) for stream in EVERY_STREAM}


def as_datetime(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def boundary(
    stream_state: Mapping[str, Any], field: str = "updated_at"
) -> tuple[datetime, datetime]:
    """The oldest and newest cursor value an idle read may emit again for this state."""
    cursor = as_datetime(stream_state.get(field) or stream_state["state"][field])
    return cursor - timedelta(seconds=stream_state.get("lookback_window", 0)), cursor


def stream_states(states: list[dict[str, Any]]) -> dict[str, Any]:
    return {s["stream"]["stream_descriptor"]["name"]: s["stream"]["stream_state"] for s in states}


def cursors(blob: Any, path: str = "") -> dict[str, Any]:
    """Every `updated_at` in a state blob, by path (per-partition entries by partition)."""
    found: dict[str, Any] = {}
    if isinstance(blob, Mapping):
        for key, value in blob.items():
            if key == "updated_at":
                found[f"{path}.updated_at"] = value
            else:
                found.update(cursors(value, f"{path}.{key}"))
    elif isinstance(blob, list):
        for index, value in enumerate(blob):
            found.update(cursors(value, f"{path}[{index}]"))
    return found


@dataclass
class Evidence:
    """What the server saw: answers by kind, and retries of URLs whose 200 the client refused."""

    requests: int
    rate_limited: int
    server_errors: int
    dropped: int
    slow: int
    truncated: int

    @property
    def kinds(self) -> set[str]:
        return {
            k
            for k in ("rate_limited", "server_errors", "dropped", "slow", "truncated")
            if getattr(self, k)
        }


def server_evidence(emulator: AhaEmulator, start: float, end: float) -> Evidence:
    """What the server answered to requests that arrived between `start` and `end` (monotonic
    times: the emulator runs in this process). A 200 followed by another request for the same URL
    was refused by the client: it timed out (a slow answer: the retry came a read timeout later)
    or was cut short (truncated). A slow answer is logged when it ends, after its retry: the
    window is by arrival time, and the last slow answer of a read may be logged too late."""
    requests = sorted(
        (r for r in emulator.stats.requests if start <= r.t <= end), key=lambda r: r.t
    )
    statuses = Counter(r.status for r in requests)
    slow = truncated = 0
    for index, request in enumerate(requests):
        if request.status != 200:
            continue
        retry = next((r for r in requests[index + 1 :] if r.path == request.path), None)
        if retry is not None:
            if retry.t - request.t >= READ_TIMEOUT - 0.5:
                slow += 1
            else:
                truncated += 1
    return Evidence(
        len(requests),
        statuses[429],
        statuses[500] + statuses[502] + statuses[503],
        statuses[0],
        slow,
        truncated,
    )


# Faults and rate limits ------------------------------------------------------------------------


def test_full_then_incremental_read_under_5xx_slow_dropped_truncated_and_429s_equal_ground_truth(
    tmp_path,
):
    """Every stream, while per request the server answers 5% 500/502/503, 2% slower than the
    read timeout, drops 1% of connections and truncates 1% of JSON bodies; and it allows 8
    requests/s and 300/min, below the connector's budget (600/min, 30/s), so 429s come too. The
    fault seed is chosen so that the full read meets every kind of fault but only one slow answer
    (each costs a read timeout), and the incremental read meets faults too."""
    faults = Faults(
        error_rate=0.05,
        slow_rate=0.02,
        slow_seconds=READ_TIMEOUT + 5,
        drop_rate=0.01,
        truncate_rate=0.01,
        seed=3509,
    )
    with AhaEmulator(
        ideas=60, seed=7, api_key=API_KEY, per_second=8, per_minute=300, faults=faults
    ) as emulator:
        config = emulator_config(emulator, max_requests_per_minute=600)
        started = time.monotonic()
        full = read(tmp_path / "full", config)
        between = time.monotonic()
        # A slow answer is logged when its handler wakes, after the client gave up and retried.
        time.sleep(faults.slow_seconds - READ_TIMEOUT + 0.5)
        full_evidence = server_evidence(emulator, started, between)

        workspace = emulator.workspace
        change = workspace.mutate_random(10, seed=5)
        # A feature no idea links to: an idea embeds its feature's name, and renaming a feature
        # does not bump the idea (Aha! too, presumably), so the idea would keep the old name.
        linked = {idea["feature"]["id"] for idea in workspace.ideas() if idea.get("feature")}
        unlinked = next(f for f in workspace.features() if f["id"] not in linked)
        feature = workspace.edit_feature(unlinked["id"], name="Renamed feature")
        plain_vote = workspace.add_vote(workspace.ideas()[4]["id"], proxy=False)
        incremental = read(tmp_path / "incremental", config, state=full.final_state())
        incremental_evidence = server_evidence(emulator, between, time.monotonic())

        print(f"full read {between - started:.1f} s: {full_evidence}")
        print(f"incremental read: {incremental_evidence}")
        assert full_evidence.kinds == {
            "rate_limited",
            "server_errors",
            "dropped",
            "slow",
            "truncated",
        }
        destination: dict[str, dict[str, dict[str, Any]]] = {}
        upsert(destination, records_of(full))
        for stream in EVERY_STREAM:  # the full read alone emits each record once
            keyed(stream, full.records(stream))
        upsert(destination, records_of(incremental))
        print(f"stale after the incremental read: {stale_derived_fields(destination, emulator)}")
        assert_destination_equals_truth(destination, emulator, ignore=DERIVED_WITHOUT_UPDATED_AT)
        cursor = as_datetime(stream_states(full.final_state())["ideas"]["updated_at"])
        live_ideas = truth(emulator)["ideas"]
        changed = {i for i, idea in live_ideas.items() if as_datetime(idea["updated_at"]) > cursor}
        assert set(change["changed_idea_ids"]) <= changed
        ideas = incremental.records("ideas")
        assert {r["id"] for r in ideas if not r.get(DELETED_AT)} == changed
        # The emulator's history deletes some ideas after the full read's cursor: tombstones.
        assert {r["id"] for r in ideas if r.get(DELETED_AT)}.isdisjoint(live_ideas)
        assert set(change["new_vote_ids"]) <= {
            r["id"] for r in incremental.records("idea_proxy_votes")
        }
        assert set(change["new_comment_ids"]) <= {
            r["id"] for r in incremental.records("idea_comments")
        }
        assert [r["id"] for r in incremental.records("features")] == [feature["id"]]
        assert plain_vote["id"] in {r["id"] for r in incremental.records("idea_votes")}
        assert incremental_evidence.kinds - {"rate_limited"}, "the incremental read met no fault"


@pytest.mark.parametrize(
    "per_minute",
    [pytest.param(1000, id="with_ratelimit_headers"), pytest.param(None, id="bare_429")],
)
def test_429_storm_is_absorbed_by_waiting_at_least_retry_after_before_each_retry(
    tmp_path, per_minute
):
    """Six 429s with `Retry-After: 2` in a row, with and without the X-Ratelimit-* headers (bare,
    the client budget reads each as "no calls left"). At the server, every retry of a
    rate-limited URL comes at least Retry-After later, the budget does not stall the read for its
    60-s window, and the read still equals the ground truth."""
    retry_after = 2
    with AhaEmulator(
        ideas=40,
        seed=7,
        api_key=API_KEY,
        per_minute=per_minute,
        faults=Faults(storm_429=6, storm_retry_after=retry_after),
    ) as emulator:
        started = time.monotonic()
        result = read(tmp_path, emulator_config(emulator), catalog=configured_catalog())
        seconds = time.monotonic() - started

        requests = sorted(emulator.stats.requests, key=lambda r: r.t)
        gaps = []
        for index, request in enumerate(requests):
            if request.status == 429:
                retry = next(r for r in requests[index + 1 :] if r.path == request.path)
                gaps.append(round(retry.t - request.t, 2))
        print(f"429s: {len(gaps)}, gaps to the retry of the same URL (s): {gaps}; {seconds:.1f} s")
        assert len(gaps) == 6
        assert min(gaps) >= retry_after
        # A client budget that read a 429 as "no calls left" would stall for its 60-s window.
        assert max(gaps) < 30, "the storm stalled the read well beyond what Retry-After asked"
        destination: dict[str, dict[str, dict[str, Any]]] = {}
        upsert(destination, {s: list(by_id(result.records(s)).values()) for s in IDEA_STREAMS})
        assert_destination_equals_truth(destination, emulator, IDEA_STREAMS)


def test_persistent_5xx_ends_in_bounded_time_with_a_transient_error_and_no_state_past_lost_pages(
    tmp_path,
):
    """The first `/ideas` page is served, then every request answers 500. The read gives up after
    its bounded retries (not a hang), says why with transient errors, exits 1, and emits no
    state that claims the missing pages: a resume from its last states, once the server is
    healthy, ends with every record."""
    with AhaEmulator(ideas=450, seed=7, api_key=API_KEY) as emulator:
        serve = emulator.dispatch

        def first_page_then_500(method, target, headers, body=b""):
            response = serve(method, target, headers, body)
            if target.startswith("/api/v1/ideas?") and response.status == 200:
                emulator.set_faults(Faults(persistent_status=500))
            return response

        emulator.dispatch = first_page_then_500  # type: ignore[method-assign]
        config = emulator_config(emulator)
        started = time.monotonic()
        try:
            failed = run(
                "read",
                tmp_path / "failed",
                config=config,
                catalog=configured_catalog(),
                timeout=200,
            )
        except subprocess.TimeoutExpired:
            pytest.fail("the read was still retrying 200 s into a persistent outage (killed)")
        seconds = time.monotonic() - started
        statuses = Counter(r.status for r in emulator.stats.requests)
        print(f"failed read: {seconds:.1f} s, answers {dict(statuses)}")
        for (kind, message), count in Counter(
            (e["failure_type"], e["message"][:120]) for e in failed.errors
        ).items():
            print(f"  {count} x {kind}: {message}")

        assert failed.returncode == 1
        assert seconds < 150
        per_stream = [e for e in failed.errors if e.get("stream_descriptor")]
        assert per_stream, "each failed stream reports its own error"
        assert {e["failure_type"] for e in per_stream} == {"transient_error"}
        assert all("server error" in e["message"] for e in per_stream)
        assert failed.errors[0]["failure_type"] == "transient_error"
        complete = {
            m["trace"]["stream_status"]["stream_descriptor"]["name"]
            for m in failed.of_type("TRACE")
            if m["trace"]["type"] == "STREAM_STATUS"
            and m["trace"]["stream_status"]["status"] == "COMPLETE"
        }
        assert "ideas" not in complete

        emulator.dispatch = serve  # type: ignore[method-assign]
        emulator.set_faults(Faults())
        resumed = read(
            tmp_path / "resumed", config, catalog=configured_catalog(), state=failed.final_state()
        )
        destination: dict[str, dict[str, dict[str, Any]]] = {}
        upsert(destination, records_of(failed))
        upsert(destination, records_of(resumed))
        assert_destination_equals_truth(destination, emulator, IDEA_STREAMS)


# Kills and restarts -----------------------------------------------------------------------------


def _nth_state(n: int):
    """Kill after the n-th STATE; a read that emits fewer (their number varies with thread
    timing) is killed after its last one, on the final "Finished syncing" log line."""

    def should_kill(message: dict[str, Any], messages: list[dict[str, Any]]) -> bool:
        if message["type"] == "LOG":
            return message["log"]["message"] == "Finished syncing"
        return message["type"] == "STATE" and sum(m["type"] == "STATE" for m in messages) >= n

    return should_kill


@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_read_sigkilled_after_a_state_and_restarted_from_it_loses_nothing(
    tmp_path, emulator, baseline, where
):
    config = emulator_config(emulator)
    total = baseline.states
    n = {"first": 1, "middle": (total + 1) // 2, "last": total}[where]

    killed = run_read_killed(tmp_path / "killed", config, catalog_of(EVERY_STREAM), _nth_state(n))
    assert killed.killed
    state = killed.state()
    resumed = read(tmp_path / "resumed", config, state=state)

    expected = truth(emulator)
    report = []
    for stream in EVERY_STREAM:
        before = [record_key(stream, r) for r in killed.records(stream)]
        after = [record_key(stream, r) for r in resumed.records(stream)]
        missing = set(expected[stream]) - set(before) - set(after)
        assert sorted(missing) == [], f"{stream}: lost on restart"
        duplicates = sorted(set(before) & set(after))
        report.append(
            f"{stream}: {len(before)} before the kill, {len(after)} after, "
            f"{len(duplicates)} duplicates {duplicates[:5]}{'...' if len(duplicates) > 5 else ''}"
        )
    print(f"killed after STATE {n} of {total}; resumed with {sorted(stream_states(state))}")
    print("\n".join(report))


def test_final_state_fed_back_unchanged_reads_nothing_and_emits_the_same_cursors(
    tmp_path, emulator, baseline
):
    config = emulator_config(emulator)
    # The first incremental sync after a full one also sends the tombstones of the emulator's
    # older deletes after each stream's newest record (test_deletes pins them down exactly);
    # from then on, a fed-back state is idle.
    settled = read(tmp_path / "settled", config, state=baseline.final_state).final_state()
    second = read(tmp_path / "second", config, state=settled)

    incremental = {s for s in EVERY_STREAM if s not in FULL_REFRESH_ONLY}
    before, after = stream_states(settled), stream_states(second.final_state())
    again = {s: second.records(s) for s in incremental if second.records(s)}
    print(f"re-emitted by the idle read: { {s: len(r) for s, r in again.items()} }")
    # The three core streams emit nothing (server-side `updated_since` is exclusive; children
    # follow their parent). Two kinds of stream repeat records at the saved cursor, which
    # destinations dedupe by id: list streams filtered on the client (the CDK keeps records AT the
    # cursor), and substreams with a global cursor (the CDK re-reads its `lookback_window`, the
    # previous sync's duration in seconds).
    # A global cursor's lookback may also send a tombstone again (absorbed by the key).
    live = {s for s, records in again.items() if any(not r.get(DELETED_AT) for r in records)}
    assert not live & set(IDEA_STREAMS)
    for stream, records in again.items():
        field = PROMISES[stream].cursor or "updated_at"
        low, high = boundary(before[stream], field)
        assert all(low <= as_datetime(r[field]) <= high for r in records), stream
    assert set(before) == set(after) >= incremental
    for stream in incremental:
        assert cursors(after[stream]) == cursors(before[stream]), stream

    # Besides the cursors, only a global cursor's `lookback_window` (a duration) may change.
    def layout(blob: Mapping[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in blob.items() if k != "lookback_window"}

    assert {s: layout(after[s]) for s in incremental} == {s: layout(before[s]) for s in incremental}


# Older and hand-edited states ----------------------------------------------------------------


def test_legacy_stream_object_state_is_converted_and_resumes_from_its_cursors(
    tmp_path, emulator, baseline
):
    """`{"ideas": {...}, "idea_comments": {...}, ...}` (no list of messages): read as per-stream
    state, with a warning, and resumed from it exactly like the list form."""
    config = emulator_config(emulator)
    legacy = stream_states(baseline.final_state)
    change = emulator.workspace.mutate_random(8, seed=11)

    second = read(tmp_path / "second", config, state=legacy)  # type: ignore[arg-type]

    warnings = [m["log"]["message"] for m in second.of_type("LOG") if m["log"]["level"] == "WARN"]
    assert any("legacy" in w for w in warnings)

    def live(stream: str) -> set[str]:  # the tombstones of older deletes come too (test_deletes)
        return {r["id"] for r in second.records(stream) if not r.get(DELETED_AT)}

    assert live("ideas") == set(change["changed_idea_ids"])
    assert set(change["new_comment_ids"]) <= live("idea_comments")
    assert live("idea_proxy_votes") == set(change["new_vote_ids"])


def test_per_partition_comments_state_from_an_older_layout_resumes_without_loss(
    tmp_path, emulator, baseline
):
    """An `idea_comments` state in the per-partition layout (`states: [{partition, cursor}]`, as
    saved without a global cursor) is accepted; the read after new comments emits every one of
    them, and its own state can be fed back again."""
    config = emulator_config(emulator)
    states = {s: b for s, b in stream_states(baseline.final_state).items() if s in IDEA_STREAMS}
    cursor = states["idea_comments"]["state"]["updated_at"]
    commented = sorted({c["idea_id"] for c in emulator.workspace.idea_comments()})
    states["idea_comments"] = {
        "states": [
            {"partition": {"idea_id": idea_id}, "cursor": {"updated_at": cursor}}
            for idea_id in commented
        ],
        "parent_state": {"ideas": {"updated_at": cursor}},
    }
    old_layout = [
        {"type": "STREAM", "stream": {"stream_descriptor": {"name": n}, "stream_state": s}}
        for n, s in states.items()
    ]
    change = emulator.workspace.mutate_random(10, seed=13)

    second = read(tmp_path / "second", config, catalog=configured_catalog(), state=old_layout)

    comments = by_id(second.records("idea_comments"))
    assert set(change["new_comment_ids"]) <= set(comments)
    all_comments = expected_comments(emulator)
    assert_same_records(comments, {c: all_comments[c] for c in comments})
    extra = sorted(set(comments) - set(change["new_comment_ids"]))
    print(f"per-partition state: {len(comments)} comments re-read, {len(extra)} not new")
    third = read(
        tmp_path / "third", config, catalog=configured_catalog(), state=second.final_state()
    )
    assert third.record_counts() == {}


def test_per_idea_proxy_votes_state_without_a_filter_is_migrated_to_the_account_wide_cursor(
    tmp_path, emulator, baseline
):
    """A proxy-votes state saved while an idea filter was set (global substream cursor layout)
    is fed to a read without a filter: PerIdeaToAccountWideState turns it into the account-wide
    cursor, so only votes after it are asked for and emitted."""
    config = emulator_config(emulator)
    cursor = stream_states(baseline.final_state)["idea_proxy_votes"]["updated_at"]
    per_idea = {
        "use_global_cursor": True,
        "state": {"updated_at": cursor},
        "lookback_window": 1,
        "parent_state": {"ideas": {"updated_at": cursor}},
    }
    idea_id = emulator.workspace.ideas()[3]["id"]
    new_votes = [emulator.workspace.add_vote(idea_id)["id"] for _ in range(3)]
    emulator.stats.reset()

    second = read(
        tmp_path / "second",
        config,
        catalog=configured_catalog(["idea_proxy_votes"]),
        state=[
            {
                "type": "STREAM",
                "stream": {
                    "stream_descriptor": {"name": "idea_proxy_votes"},
                    "stream_state": per_idea,
                },
            }
        ],
    )

    # This state predates deletes, so they are looked up from its cursor less an hour, which finds
    # the emulator's seeded past deletes: their tombstones are not what this test is about.
    live = [r for r in second.records("idea_proxy_votes") if not r.get("_ab_cdc_deleted_at")]
    assert sorted(r["id"] for r in live) == sorted(new_votes)
    (request,) = [r for r in emulator.stats.requests if r.route == ACCOUNT_VOTES]
    assert "updated_since=" + cursor[:19].replace(":", "%3A") in request.path
    assert stream_states(second.final_state())["idea_proxy_votes"]["updated_at"] > cursor


def test_hand_edited_state_with_a_malformed_cursor_is_rejected_naming_the_stream(
    tmp_path, emulator
):
    state = [
        {
            "type": "STREAM",
            "stream": {
                "stream_descriptor": {"name": "ideas"},
                "stream_state": {"updated_at": "yesterday"},
            },
        }
    ]
    result = run(
        "read",
        tmp_path,
        config=emulator_config(emulator),
        catalog=configured_catalog(),
        state=state,
    )
    assert result.returncode == 1
    (error,) = result.errors
    assert error["failure_type"] == "config_error"
    assert "`ideas`" in error["message"]
    assert "'yesterday'" in error["message"]
    assert "Traceback" not in result.stdout + result.stderr
    assert emulator.stats.total == 0
