"""The deletes components on their own (`source_aha.components`, "Deletes: Aha!'s destroy audits
as tombstones"): the audit type names they accept, where a saved state resumes, what the state
migration notes and takes over from a 0.x state, the sync's one walk of the destroy audits and
its window, which audits become whose tombstones, and where the tombstones' partition comes.

Aha! is replaced by a fake `rows_of` (the audits it would answer from `created_since` on) and a
fake inner retriever (the stream's own records); time is frozen at `NOW`.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any

import freezegun
import pytest
from airbyte_cdk.sources.declarative.partition_routers import PartitionRouter
from airbyte_cdk.sources.declarative.retrievers.retriever import Retriever
from airbyte_cdk.sources.types import StreamSlice

from source_aha import components
from source_aha.components import (
    AUDIT_STREAMS,
    DELETED_AT,
    IDEA_CHILDREN,
    TRACKED,
    DeletesPartition,
    DeletesRetriever,
    DeletesStart,
    DestroyAudits,
    IdeaFanOut,
    deletes_slice,
    resume_time,
    retention_floor,
    type_key,
)
from testkit.streams import IDEA_CHILDREN as PROMISED_IDEA_CHILDREN
from testkit.streams import TRACKED as PROMISED_TRACKED
from unit_tests.mock_server.deletes_scenarios import AUDIT_TYPES

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)
CURSOR = datetime(2024, 5, 1, 8, 30, tzinfo=timezone.utc)
CONFIG: dict[str, Any] = {"api_key": "k", "subdomain": "company", "track_deletes": True}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)  # type: ignore[misc]


def stamp(moment: datetime) -> str:
    """A time as Aha! writes it in audits."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def cursor_stamp(moment: datetime) -> str:
    """A time as the CDK writes it in a slice or a state."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@pytest.fixture(autouse=True)
def frozen() -> Iterator[Any]:
    with freezegun.freeze_time(NOW) as clock:
        yield clock


def an_audit(
    audit_id: str,
    auditable_type: str,
    auditable_id: str,
    at: datetime,
    idea_id: str | None = None,
    associated_type: str | None = None,
    action: str = "destroy",
) -> dict[str, Any]:
    return {
        "id": audit_id,
        "audit_action": action,
        "created_at": stamp(at),
        "auditable_type": auditable_type,
        "auditable_id": auditable_id,
        "associated_type": associated_type or ("idea" if idea_id else None),
        "associated_id": idea_id,
    }


# The connector's own tables ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spelling", "key"),
    [
        ("idea", "idea"),
        ("Ideas::Idea", "idea"),
        ("IdeaComment", "ideacomment"),
        ("idea_comment", "ideacomment"),
        ("Ideas::IdeaEndorsement", "ideaendorsement"),
        ("idea_comments", "ideacomment"),  # a plural of a known type
        ("Features", "feature"),
        ("status", "status"),  # an unknown type ending in `s` keeps it
        (None, ""),
    ],
)
def test_type_key_reduces_every_spelling_of_a_type_to_one_key(spelling: Any, key: str) -> None:
    assert type_key(spelling) == key


def test_the_connector_tracks_the_deletes_of_exactly_the_promised_streams() -> None:
    assert set(PROMISED_TRACKED) == TRACKED
    assert set(AUDIT_TYPES) == set(PROMISED_TRACKED)  # every tracked stream has its scenarios
    assert set(PROMISED_IDEA_CHILDREN) == IDEA_CHILDREN


@pytest.mark.parametrize("stream", sorted(AUDIT_TYPES))
def test_both_spellings_of_each_tracked_streams_audit_type_route_to_it(stream: str) -> None:
    for spelling in AUDIT_TYPES[stream]:
        assert stream in AUDIT_STREAMS[type_key(spelling)]


# Where a saved state resumes --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stream_state", "resumes"),
    [
        ({"updated_at": "2024-05-01T08:30:00.000000Z"}, CURSOR),
        (  # a global substream cursor keeps its `updated_at` under `state`
            {"use_global_cursor": True, "state": {"updated_at": "2024-05-01T08:30:00.000000Z"}},
            CURSOR,
        ),
        (  # less the CDK's lookback window, in seconds
            {"state": {"updated_at": "2024-05-01T08:30:00.000000Z"}, "lookback_window": 3600},
            CURSOR - timedelta(hours=1),
        ),
        ({"updated_at": "2024-05-01T08:30:00Z", "lookback_window": "soon"}, CURSOR),
        ({"updated_at": "2024-05-01T08:30:00"}, CURSOR),  # naive is UTC
        ({}, None),
        ({"updated_at": "yesterday"}, None),
        ({"state": "2024-05-01T08:30:00Z"}, None),
    ],
)
def test_resume_time_is_the_saved_cursor_less_the_lookback(
    stream_state: dict[str, Any], resumes: datetime | None
) -> None:
    assert resume_time(stream_state) == resumes


# DeletesStart: the state migration --------------------------------------------------------------


def deletes_start(stream: str, config: Mapping[str, Any] = CONFIG) -> DeletesStart:
    return DeletesStart(config=dict(config), declarative_stream=SimpleNamespace(name=stream))


def noted(config: Mapping[str, Any] = CONFIG) -> dict[str, datetime]:
    return dict(DestroyAudits._starts.get(DestroyAudits.of(dict(config))._config, {}))


def test_deletes_start_notes_where_each_tracked_stream_resumes() -> None:
    assert not deletes_start("ideas").should_migrate({"updated_at": cursor_stamp(CURSOR)})
    assert not deletes_start("idea_comments").should_migrate(
        {"state": {"updated_at": "2024-05-20T00:00:00.000000Z"}, "lookback_window": 0}
    )

    assert noted() == {"ideas": CURSOR, "idea_comments": utc(2024, 5, 20)}


@pytest.mark.parametrize(
    ("stream", "config"),
    [
        ("idea_subscriptions", CONFIG),  # not tracked
        ("ideas", {**CONFIG, "track_deletes": False}),
    ],
)
def test_deletes_start_notes_nothing_for_a_stream_without_tombstones(
    stream: str, config: dict[str, Any]
) -> None:
    deletes_start(stream, config).should_migrate({"updated_at": cursor_stamp(CURSOR)})

    assert noted(config) == {}


def test_deletes_start_notes_nothing_without_a_saved_cursor() -> None:
    deletes_start("ideas").should_migrate({})

    assert noted() == {}


def test_a_new_note_forgets_the_failure_of_an_earlier_sync_and_keeps_its_walk() -> None:
    # The walk is brought up to date when a slice needs later audits; a failure is retried.
    audits = DestroyAudits.of(CONFIG)
    key = audits._config
    DestroyAudits._walks[key] = components._Walk(CURSOR, NOW, {}, CURSOR)
    DestroyAudits._failed[key] = RuntimeError("earlier")

    audits.note_start("ideas", CURSOR)

    assert key in DestroyAudits._walks
    assert key not in DestroyAudits._failed


def test_a_walk_kept_from_an_earlier_sync_is_brought_up_to_the_slice_end() -> None:
    aha = FakeAha()
    later = NOW + timedelta(hours=2)
    aha.audits = [an_audit("1", "idea", "10", NOW + timedelta(hours=1))]
    DestroyAudits.of(CONFIG).between(CURSOR, NOW, aha.read)  # an earlier sync, at NOW

    found = DestroyAudits.of(CONFIG).between(NOW - timedelta(minutes=5), later, aha.read)

    assert [a["auditable_id"] for a in found] == ["10"]
    assert aha.asked == [CURSOR, NOW - timedelta(seconds=1)]


def test_deletes_start_migrates_only_a_state_with_a_deletes_key() -> None:
    start = deletes_start("ideas")
    assert start.should_migrate({"updated_at": "2024-05-01T08:30:00.000000Z", "deletes": {}})
    assert not start.should_migrate({"updated_at": "2024-05-01T08:30:00.000000Z"})


@pytest.mark.parametrize(
    ("stream_state", "migrated"),
    [
        (  # the 0.x deletes cursor is older: the stream goes back to it
            {
                "updated_at": "2024-05-01T08:30:00.000000Z",
                "deletes": {"created_since": "2024-04-20T00:00:00Z", "after_id": "61"},
            },
            {"updated_at": "2024-04-20T00:00:00.000000Z"},
        ),
        (  # newer: the stream's cursor stays
            {
                "updated_at": "2024-05-01T08:30:00.000000Z",
                "deletes": {"created_since": "2024-05-31T09:00:00Z", "after_id": "61"},
            },
            {"updated_at": "2024-05-01T08:30:00.000000Z"},
        ),
        (  # a global substream cursor: lowered under `state`, the rest kept
            {
                "use_global_cursor": True,
                "state": {"updated_at": "2024-05-01T08:30:00.000000Z"},
                "lookback_window": 0,
                "parent_state": {"ideas": {"updated_at": "2024-04-01T00:00:00.000000Z"}},
                "deletes": {"created_since": "2024-04-20T00:00:00Z"},
            },
            {
                "use_global_cursor": True,
                "state": {"updated_at": "2024-04-20T00:00:00.000000Z"},
                "lookback_window": 0,
                "parent_state": {"ideas": {"updated_at": "2024-04-01T00:00:00.000000Z"}},
            },
        ),
        (  # under `state`, newer
            {
                "state": {"updated_at": "2024-05-01T08:30:00.000000Z"},
                "deletes": {"created_since": "2024-05-31T09:00:00Z"},
            },
            {"state": {"updated_at": "2024-05-01T08:30:00.000000Z"}},
        ),
        ({"updated_at": "2024-05-01T08:30:00.000000Z", "deletes": 7}, None),
        ({"updated_at": "2024-05-01T08:30:00.000000Z", "deletes": {"created_since": 7}}, None),
        ({"updated_at": "2024-05-01T08:30:00.000000Z", "deletes": {"created_since": "x"}}, None),
        ({"updated_at": "2024-05-01T08:30:00.000000Z", "deletes": None}, None),
        (  # no cursor of its own: nothing to lower
            {"deletes": {"created_since": "2024-04-20T00:00:00Z"}},
            {},
        ),
    ],
)
def test_deletes_start_drops_a_0x_deletes_key_and_goes_back_to_it_when_older(
    stream_state: dict[str, Any], migrated: dict[str, Any] | None
) -> None:
    # None: the value is malformed, and simply dropped.
    expected = migrated if migrated is not None else {"updated_at": stream_state["updated_at"]}
    original = copy.deepcopy(stream_state)

    assert deletes_start("ideas").migrate(stream_state) == expected
    assert stream_state == original  # the CDK's copy is left alone


# DestroyAudits: the sync's one walk -------------------------------------------------------------


@dataclass
class FakeAha:
    """Aha!'s destroy audits: those created at or after `created_since`, as it answers them."""

    audits: list[dict[str, Any]] = field(default_factory=list)
    error: Exception | None = None
    asked: list[datetime] = field(default_factory=list)

    def read(self, since: datetime) -> Iterator[Mapping[str, Any]]:
        self.asked.append(since)
        if self.error is not None:
            raise self.error
        since_seconds = since.replace(microsecond=0)
        return iter(
            [a for a in self.audits if components.parse_time(a["created_at"]) >= since_seconds]
        )

    def rows_of(
        self,
        requester: Any,
        stream_slice: StreamSlice,
        params: Mapping[str, Any],
        key: str,
        **_: Any,
    ) -> Iterator[Mapping[str, Any]]:
        assert key == "audits"
        assert set(params) == {"created_since"}
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", params["created_since"])
        return self.read(components.parse_time(params["created_since"]))  # type: ignore[arg-type]


def ids(audits: Iterable[Mapping[str, Any]]) -> list[str]:
    return sorted(str(a["id"]) for a in audits)


def test_one_walk_serves_every_stream_of_the_sync() -> None:
    aha = FakeAha([an_audit("1", "idea", "10", utc(2024, 5, 10))])
    audits = DestroyAudits.of(CONFIG)

    first = audits.between(CURSOR, NOW, aha.read)
    second = DestroyAudits.of(dict(CONFIG)).between(utc(2024, 5, 5), NOW, aha.read)

    assert ids(first) == ids(second) == ["1"]
    assert aha.asked == [CURSOR]


def test_the_walk_starts_at_the_oldest_start_any_stream_noted() -> None:
    aha = FakeAha([an_audit("1", "feature", "10", utc(2024, 4, 25))])
    audits = DestroyAudits.of(CONFIG)
    audits.note_start("features", utc(2024, 4, 20))
    audits.note_start("ideas", CURSOR)

    mine = audits.between(CURSOR, NOW, aha.read)  # ideas asks first
    theirs = audits.between(utc(2024, 4, 20), NOW, aha.read)

    assert aha.asked == [utc(2024, 4, 20)]
    assert ids(mine) == []  # before the ideas' cursor
    assert ids(theirs) == ["1"]


def test_a_start_before_the_walk_walks_again_from_it() -> None:
    aha = FakeAha([an_audit("1", "feature", "10", utc(2024, 4, 25))])
    audits = DestroyAudits.of(CONFIG)

    audits.between(CURSOR, NOW, aha.read)
    older = audits.between(utc(2024, 4, 20), NOW, aha.read)

    assert aha.asked == [CURSOR, utc(2024, 4, 20)]
    assert ids(older) == ["1"]


def test_the_window_excludes_its_start_and_includes_its_end() -> None:
    end = utc(2024, 5, 31)
    aha = FakeAha(
        [
            an_audit("at-start", "idea", "1", CURSOR),
            an_audit("inside", "idea", "2", CURSOR + timedelta(milliseconds=1)),
            an_audit("at-end", "idea", "3", end),
            an_audit("after-end", "idea", "4", end + timedelta(milliseconds=1)),
        ]
    )

    assert ids(DestroyAudits.of(CONFIG).between(CURSOR, end, aha.read)) == ["at-end", "inside"]


def test_the_walk_is_extended_only_when_a_slice_needs_later_audits(frozen: Any) -> None:
    aha = FakeAha([an_audit("1", "idea", "10", utc(2024, 5, 10))])
    audits = DestroyAudits.of(CONFIG)
    audits.between(CURSOR, NOW, aha.read)  # walked up to NOW
    later = NOW + timedelta(minutes=10)
    frozen.move_to(later)
    aha.audits.append(an_audit("2", "idea", "11", NOW + timedelta(minutes=5)))

    # The slice ends later, but its records are no newer than the walk: its cursor stays
    # before the new audit, which the next sync finds.
    within = audits.between(CURSOR, later, aha.read, need=NOW - timedelta(hours=1))
    assert aha.asked == [CURSOR]
    assert ids(within) == ["1"]

    # A record newer than the walk moves the cursor past it: the walk goes on, from a second
    # before where it stopped (`created_since` has whole seconds).
    beyond = audits.between(CURSOR, later, aha.read, need=NOW + timedelta(minutes=8))
    assert aha.asked == [CURSOR, NOW - timedelta(seconds=1)]
    assert ids(beyond) == ["1", "2"]
    assert DestroyAudits._walks[audits._config].until == later


def test_the_window_ends_where_the_walk_stopped(frozen: Any) -> None:
    aha = FakeAha()
    audits = DestroyAudits.of(CONFIG)
    audits.between(CURSOR, NOW, aha.read)
    frozen.move_to(NOW + timedelta(minutes=10))
    aha.audits.append(an_audit("late", "idea", "10", NOW + timedelta(minutes=5)))

    # Not walked that far (and not needed): left to the next sync.
    assert audits.between(CURSOR, NOW + timedelta(minutes=10), aha.read, need=CURSOR) == []


def test_by_default_a_slice_needs_audits_up_to_its_end(frozen: Any) -> None:
    aha = FakeAha()
    audits = DestroyAudits.of(CONFIG)
    audits.between(CURSOR, NOW, aha.read)
    frozen.move_to(NOW + timedelta(minutes=10))

    audits.between(CURSOR, NOW + timedelta(minutes=10), aha.read)

    assert aha.asked == [CURSOR, NOW - timedelta(seconds=1)]


def test_an_audit_seen_by_two_walks_is_kept_once(frozen: Any) -> None:
    aha = FakeAha([an_audit("1", "idea", "10", NOW - timedelta(milliseconds=500))])
    audits = DestroyAudits.of(CONFIG)
    audits.between(CURSOR, NOW, aha.read)
    frozen.move_to(NOW + timedelta(minutes=1))

    found = audits.between(CURSOR, NOW + timedelta(minutes=1), aha.read)

    assert len(aha.asked) == 2
    assert ids(found) == ["1"]


def test_an_error_is_kept_for_the_sync_and_raised_to_every_stream() -> None:
    aha = FakeAha(error=RuntimeError("Aha! answered 500"))
    audits = DestroyAudits.of(CONFIG)

    with pytest.raises(RuntimeError, match="500"):
        audits.between(CURSOR, NOW, aha.read)
    with pytest.raises(RuntimeError, match="500"):
        DestroyAudits.of(dict(CONFIG)).between(utc(2024, 4, 1), NOW, aha.read)

    assert aha.asked == [CURSOR]  # asked once: the second stream gets the same error


def test_a_failed_extension_is_kept_for_the_sync_too(frozen: Any) -> None:
    aha = FakeAha()
    audits = DestroyAudits.of(CONFIG)
    audits.between(CURSOR, NOW, aha.read)
    frozen.move_to(NOW + timedelta(minutes=1))
    aha.error = RuntimeError("gone")

    with pytest.raises(RuntimeError):
        audits.between(CURSOR, NOW + timedelta(minutes=1), aha.read)
    with pytest.raises(RuntimeError):
        audits.between(CURSOR, NOW, aha.read)
    assert len(aha.asked) == 2


def test_walks_of_other_configs_are_their_own() -> None:
    aha = FakeAha()
    DestroyAudits.of(CONFIG).between(CURSOR, NOW, aha.read)
    DestroyAudits.of({**CONFIG, "subdomain": "other"}).between(CURSOR, NOW, aha.read)

    assert aha.asked == [CURSOR, CURSOR]


def test_the_walk_never_starts_before_the_retention_floor() -> None:
    aha = FakeAha()
    audits = DestroyAudits.of(CONFIG)
    audits.note_start("ideas", utc(2020, 1, 1))

    audits.between(CURSOR, NOW, aha.read)

    assert retention_floor() == utc(2023, 6, 3, 12)  # NOW less 365 days, plus one
    assert aha.asked == [retention_floor()]


def test_streams_that_start_before_the_floor_share_the_walk_as_the_clock_moves(frozen: Any) -> None:
    # Each stream's start is clamped to the walk's floor, not to a floor computed a moment later
    # (which would fall before nothing and still restart the walk).
    aha = FakeAha()
    audits = DestroyAudits.of(CONFIG)
    audits.between(utc(2020, 1, 1), NOW, aha.read)
    frozen.move_to(NOW + timedelta(seconds=3))

    audits.between(utc(2021, 1, 1), NOW, aha.read)

    assert aha.asked == [utc(2023, 6, 3, 12)]


# DeletesRetriever: records, then tombstones -----------------------------------------------------


@dataclass
class FakeRetriever(Retriever):
    """The stream's own retriever: its records, and the slices it was asked for."""

    records: list[dict[str, Any]] = field(default_factory=list)
    asked: list[StreamSlice] = field(default_factory=list)

    def read_records(
        self, records_schema: Mapping[str, Any], stream_slice: StreamSlice | None = None
    ) -> Iterable[Any]:
        assert stream_slice is not None
        self.asked.append(stream_slice)
        yield from self.records


def retriever(
    stream: str,
    records: list[dict[str, Any]] | None = None,
    config: Mapping[str, Any] = CONFIG,
) -> tuple[DeletesRetriever, FakeRetriever]:
    inner = FakeRetriever(list(records or []))
    outer = DeletesRetriever(
        retriever=inner,
        requester=SimpleNamespace(name="destroy_audits"),  # type: ignore[arg-type]
        config=dict(config),
        parameters={"name": stream},
    )
    return outer, inner


def window(
    start: datetime | None = CURSOR, end: datetime | None = NOW, **partition: Any
) -> StreamSlice:
    cursor = {}
    if start is not None:
        cursor["start_time"] = cursor_stamp(start)
    if end is not None:
        cursor["end_time"] = cursor_stamp(end)
    return StreamSlice(partition=partition, cursor_slice=cursor)


def read(outer: DeletesRetriever, stream_slice: StreamSlice) -> list[dict[str, Any]]:
    return [dict(r) for r in outer.read_records({}, stream_slice)]


def tombstone(record_id: str, at: datetime, idea_id: str | None = None) -> dict[str, Any]:
    row = {"id": record_id, "updated_at": stamp(at), DELETED_AT: stamp(at)}
    return row | ({"idea_id": idea_id} if idea_id else {})


@pytest.fixture
def aha(monkeypatch: pytest.MonkeyPatch) -> FakeAha:
    fake = FakeAha()
    monkeypatch.setattr(components, "rows_of", fake.rows_of)
    return fake


def warned(caplog: pytest.LogCaptureFixture, text: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and text in r.getMessage()
    ]


def test_the_slices_records_come_first_then_its_tombstones(aha: FakeAha) -> None:
    deleted = utc(2024, 5, 31, 17, 45, 12, 345000)
    aha.audits = [an_audit("61", "Ideas::Idea", "1009", deleted)]
    live = {"id": "1001", "updated_at": "2024-05-02T00:00:00.000Z"}
    outer, inner = retriever("ideas", [live])

    assert read(outer, window()) == [live, tombstone("1009", deleted)]
    assert len(inner.asked) == 1
    assert aha.asked == [CURSOR]


@pytest.mark.parametrize(
    ("start", "config"),
    [
        (utc(1970, 1, 1), CONFIG),  # a first sync or a full refresh, without `start_date`
        (utc(2024, 1, 1), {**CONFIG, "start_date": "2024-01-01T00:00:00Z"}),  # ... with one
        (utc(2023, 12, 1), {**CONFIG, "start_date": "2024-01-01T00:00:00Z"}),
        (None, CONFIG),  # a slice without a window
    ],
)
def test_a_window_that_resumes_no_saved_state_gets_no_tombstones(
    aha: FakeAha, start: datetime | None, config: dict[str, Any]
) -> None:
    aha.audits = [an_audit("61", "idea", "1009", utc(2024, 5, 10))]
    outer, _ = retriever("ideas", [{"id": "1001"}], config)

    assert read(outer, window(start)) == [{"id": "1001"}]
    assert aha.asked == []


def test_a_window_after_the_start_date_gets_its_tombstones(aha: FakeAha) -> None:
    aha.audits = [an_audit("61", "idea", "1009", utc(2024, 5, 10))]
    outer, _ = retriever("ideas", [], {**CONFIG, "start_date": "2024-01-01T00:00:00Z"})

    assert [r["id"] for r in read(outer, window())] == ["1009"]


@pytest.mark.parametrize(
    ("stream", "config"),
    [("ideas", {**CONFIG, "track_deletes": False}), ("idea_subscriptions", CONFIG)],
)
def test_no_tombstones_with_track_deletes_false_or_for_an_untracked_stream(
    aha: FakeAha, stream: str, config: dict[str, Any]
) -> None:
    aha.audits = [an_audit("61", "idea", "1009", utc(2024, 5, 10))]
    outer, _ = retriever(stream, [{"id": "1001"}], config)

    assert read(outer, window()) == [{"id": "1001"}]
    assert aha.asked == []


def test_track_deletes_is_on_unless_set_to_false(aha: FakeAha) -> None:
    aha.audits = [an_audit("61", "idea", "1009", utc(2024, 5, 10))]
    outer, _ = retriever("ideas", [], {"api_key": "k", "subdomain": "company"})

    assert [r["id"] for r in read(outer, window())] == ["1009"]


def test_a_slice_gets_only_the_audits_of_its_window(aha: FakeAha) -> None:
    end = utc(2024, 5, 20)
    aha.audits = [
        an_audit("before", "idea", "1", CURSOR - timedelta(days=1)),
        an_audit("at-start", "idea", "2", CURSOR),
        an_audit("inside", "idea", "3", utc(2024, 5, 10)),
        an_audit("after", "idea", "4", utc(2024, 5, 25)),
    ]
    outer, _ = retriever("ideas")

    assert [r["id"] for r in read(outer, window(CURSOR, end))] == ["3"]


def test_a_window_without_an_end_ends_now(aha: FakeAha, frozen: Any) -> None:
    aha.audits = [an_audit("61", "idea", "1009", NOW - timedelta(minutes=1))]
    outer, _ = retriever("ideas")

    assert [r["id"] for r in read(outer, window(CURSOR, None))] == ["1009"]


def test_audits_go_to_the_streams_of_their_records_only(aha: FakeAha) -> None:
    at = utc(2024, 5, 10)
    aha.audits = [
        an_audit("1", "idea", "10", at),
        an_audit("2", "Feature", "20", at),
        an_audit("3", "Ideas::IdeaEndorsement", "30", at, idea_id="10"),
        an_audit("4", "idea_comment", "40", at, idea_id="10"),
        an_audit("5", "comment", "50", at, idea_id="10"),
        an_audit("6", "project", "60", at),
        an_audit("7", "feature", "70", at, action="update"),  # not a delete
        an_audit("8", "feature", "", at),  # names no record
    ]

    def got(stream: str) -> list[str]:
        outer, _ = retriever(stream)
        return [r["id"] for r in read(outer, window())]

    assert got("ideas") == ["10"]
    assert got("features") == ["20"]
    assert got("idea_votes") == got("idea_proxy_votes") == ["30"]  # a vote, proxy or not
    assert got("idea_comments") == ["40"]
    assert got("idea_internal_comments") == ["50"]
    assert got("products") == ["60"]
    assert got("releases") == []
    assert aha.asked == [CURSOR]  # one walk for all of them


def test_an_idea_childs_tombstone_names_its_idea(aha: FakeAha) -> None:
    at = utc(2024, 5, 10)
    aha.audits = [an_audit("1", "IdeaComment", "40", at, idea_id="1009")]
    outer, _ = retriever("idea_comments")

    assert read(outer, window()) == [tombstone("40", at, "1009")]


def test_a_child_audit_on_something_other_than_an_idea_is_dropped(aha: FakeAha) -> None:
    at = utc(2024, 5, 10)
    aha.audits = [
        an_audit("1", "comment", "50", at, idea_id="77", associated_type="Feature"),
        an_audit("2", "comment", "51", at, idea_id="1009", associated_type="Ideas::Idea"),
    ]
    outer, _ = retriever("idea_internal_comments")

    assert read(outer, window()) == [tombstone("51", at, "1009")]


def test_a_records_own_tombstone_carries_no_idea_id(aha: FakeAha) -> None:
    at = utc(2024, 5, 10)
    aha.audits = [an_audit("1", "feature", "20", at, idea_id="1009")]
    outer, _ = retriever("features")

    assert read(outer, window()) == [tombstone("20", at)]


def test_the_deletes_partition_sends_only_tombstones(aha: FakeAha) -> None:
    at = utc(2024, 5, 10)
    aha.audits = [an_audit("1", "idea_comment", "40", at, idea_id="1009")]
    outer, inner = retriever("idea_comments", [{"id": "not read"}])
    deletes = deletes_slice()
    partition = StreamSlice(partition=deletes.partition, cursor_slice=window().cursor_slice)

    assert read(outer, partition) == [tombstone("40", at, "1009")]
    assert inner.asked == []


def test_any_other_partition_sends_only_its_records(aha: FakeAha) -> None:
    aha.audits = [an_audit("1", "idea_comment", "40", utc(2024, 5, 10), idea_id="1009")]
    outer, inner = retriever("idea_comments", [{"id": "2001"}])

    assert read(outer, window(idea_id="1009")) == [{"id": "2001"}]
    assert len(inner.asked) == 1
    assert aha.asked == []


def test_a_403_on_the_audits_warns_once_and_the_records_still_come(
    aha: FakeAha, caplog: pytest.LogCaptureFixture
) -> None:
    aha.error = PermissionError("Aha! answered 403")
    ideas, _ = retriever("ideas", [{"id": "1001"}])
    features, _ = retriever("features", [{"id": "2001"}])

    assert read(ideas, window()) == [{"id": "1001"}]
    assert read(features, window()) == [{"id": "2001"}]

    [warning] = warned(caplog, "Deletes are not tracked in this sync")
    assert "403" in warning
    assert "/api/v1/audits" in warning
    assert "track_deletes: false" in warning
    assert aha.asked == [CURSOR]  # the 403 is kept for the sync


def test_any_other_error_on_the_audits_fails_every_tracked_stream(aha: FakeAha) -> None:
    aha.error = RuntimeError("Aha! answered 500")
    ideas, _ = retriever("ideas", [{"id": "1001"}])
    features, _ = retriever("features")

    with pytest.raises(RuntimeError, match="500"):
        read(ideas, window())
    with pytest.raises(RuntimeError, match="500"):
        read(features, window())
    assert aha.asked == [CURSOR]


def test_a_start_older_than_the_retention_is_clamped_and_said_once_without_a_warning(
    aha: FakeAha, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    old = utc(2022, 1, 1)
    aha.audits = [an_audit("1", "idea", "10", utc(2024, 5, 10))]
    ideas, _ = retriever("ideas")

    assert [r["id"] for r in read(ideas, window(old))] == ["10"]
    read(ideas, window(old))  # a second slice of the stream

    said = [r for r in caplog.records if "12 months" in r.getMessage()]
    assert [r.levelno for r in said] == [logging.INFO]
    assert said[0].getMessage().startswith("ideas: deletes are looked for from 2023-06-03")
    assert "(2022-01-01)" in said[0].getMessage()
    assert aha.asked == [retention_floor()]


def test_the_walk_is_extended_when_the_records_are_newer_than_it(aha: FakeAha, frozen: Any) -> None:
    # `ideas` walked at NOW; `features` reads later, and its newest record is newer than the
    # walk: its cursor will move there, so the deletes up to it must be out too.
    ideas, _ = retriever("ideas")
    read(ideas, window())
    later = NOW + timedelta(minutes=10)
    frozen.move_to(later)
    aha.audits = [an_audit("1", "feature", "20", NOW + timedelta(minutes=2))]
    newest = {"id": "2001", "updated_at": stamp(NOW + timedelta(minutes=5))}
    features, _ = retriever("features", [newest])

    assert read(features, window(CURSOR, later)) == [
        newest,
        tombstone("20", NOW + timedelta(minutes=2)),
    ]
    assert aha.asked == [CURSOR, NOW - timedelta(seconds=1)]


def test_the_walk_is_not_extended_for_records_older_than_it(aha: FakeAha, frozen: Any) -> None:
    ideas, _ = retriever("ideas")
    read(ideas, window())
    frozen.move_to(NOW + timedelta(minutes=10))
    features, _ = retriever("features", [{"id": "2001", "updated_at": stamp(utc(2024, 5, 2))}])

    read(features, window(CURSOR, NOW + timedelta(minutes=10)))

    assert aha.asked == [CURSOR]


def test_unknown_audit_types_are_left_out_with_one_warning_each(
    aha: FakeAha, caplog: pytest.LogCaptureFixture
) -> None:
    at = utc(2024, 5, 10)
    aha.audits = [
        an_audit("1", "Widget", "10", at),
        an_audit("2", "Widget", "11", at),
        an_audit("3", "Gadget", "12", at),
        an_audit("4", "idea", "13", at),
    ]
    ideas, _ = retriever("ideas")
    features, _ = retriever("features")

    assert [r["id"] for r in read(ideas, window())] == ["13"]
    read(features, window())

    assert len(warned(caplog, "`Widget`")) == 1
    assert len(warned(caplog, "`Gadget`")) == 1


def test_deleted_ideas_without_child_audits_warn_once_in_the_childrens_streams(
    aha: FakeAha, caplog: pytest.LogCaptureFixture
) -> None:
    aha.audits = [an_audit("1", "idea", "1009", utc(2024, 5, 10))]

    read(retriever("ideas")[0], window())
    assert warned(caplog, "came with no audit") == []  # said by the children's streams

    read(retriever("idea_votes")[0], window())
    read(retriever("idea_comments")[0], window())
    [warning] = warned(caplog, "came with no audit")
    assert warning.startswith("1 ideas deleted in Aha!")


def test_deleted_ideas_with_a_child_audit_do_not_warn(
    aha: FakeAha, caplog: pytest.LogCaptureFixture
) -> None:
    at = utc(2024, 5, 10)
    aha.audits = [
        an_audit("1", "idea", "1009", at),
        an_audit("2", "idea_endorsement", "30", at, idea_id="1009"),
    ]

    assert [r["id"] for r in read(retriever("idea_comments")[0], window())] == []
    assert warned(caplog, "came with no audit") == []


# Where the tombstones' partition comes ----------------------------------------------------------


@dataclass
class FakeRouter(PartitionRouter):
    """A parent's partitions, and its state."""

    slices: list[StreamSlice] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)

    def stream_slices(self) -> Iterable[StreamSlice]:
        yield from self.slices

    def get_stream_state(self) -> Any:
        return self.state

    def set_initial_state(self, stream_state: Any) -> None:
        pass

    def get_request_params(self, **_: Any) -> Mapping[str, Any]:
        return {}

    get_request_headers = get_request_body_data = get_request_body_json = get_request_params


def idea_slice(idea_id: str, **extra: Any) -> StreamSlice:
    return StreamSlice(
        partition={"idea_id": idea_id, "parent_slice": {}}, cursor_slice={}, extra_fields=extra
    )


def test_deletes_partition_comes_after_the_streams_own_partitions() -> None:
    products = [
        StreamSlice(partition={"product_id": p, "parent_slice": {}}, cursor_slice={})
        for p in ("1", "2")
    ]
    router = DeletesPartition(
        underlying_partition_router=FakeRouter(products, {"products": {"x": 1}}),
        group_size=1,
        config=dict(CONFIG),
    )

    assert list(router.stream_slices()) == [*products, deletes_slice()]
    assert router.get_stream_state() == {"products": {"x": 1}}
    assert deletes_slice().partition == {"deletes": "tombstones"}


def idea_fan_out(stream: str, config: Mapping[str, Any], *slices: StreamSlice) -> IdeaFanOut:
    unused: Any = SimpleNamespace()
    return IdeaFanOut(
        underlying_partition_router=FakeRouter(list(slices)),
        group_size=1,
        all_ideas=FakeRouter(),
        child_audits=unused,
        probe=unused,
        config={**config, "assume_child_changes_move_idea": "yes"},
        parameters={"name": stream},
    )


@pytest.mark.parametrize("stream", sorted(IDEA_CHILDREN))
def test_idea_fan_out_yields_the_deletes_partition_last_for_a_tracked_stream(stream: str) -> None:
    ideas = [idea_slice("1001"), idea_slice("1002")]

    assert list(idea_fan_out(stream, CONFIG, *ideas).stream_slices()) == [*ideas, deletes_slice()]


@pytest.mark.parametrize(
    ("stream", "config"),
    [("idea_subscriptions", CONFIG), ("idea_comments", {**CONFIG, "track_deletes": False})],
)
def test_idea_fan_out_yields_no_deletes_partition_without_tombstones(
    stream: str, config: dict[str, Any]
) -> None:
    ideas = [idea_slice("1001")]

    assert list(idea_fan_out(stream, config, *ideas).stream_slices()) == ideas


def test_idea_fan_out_asks_no_idea_whose_tombstone_the_parent_sent() -> None:
    live, deleted = idea_slice("1001"), idea_slice("1002", **{DELETED_AT: "2024-05-10T00:00Z"})

    slices = list(idea_fan_out("idea_comments", CONFIG, live, deleted).stream_slices())

    assert slices == [live, deletes_slice()]


def test_a_record_newer_than_the_slice_end_moves_the_window_with_the_cursor(aha: FakeAha) -> None:
    # The CDK keeps a record updated after the slice's end and moves the cursor to it, so a
    # delete between the end and that record must come now: the next sync starts after it.
    end = utc(2024, 6, 1, 12)
    deleted, updated = utc(2024, 6, 1, 12, 2), utc(2024, 6, 1, 12, 5)
    aha.audits = [an_audit("61", "idea", "1009", deleted)]
    live = {"id": "1001", "updated_at": stamp(updated)}
    outer, _ = retriever("ideas", [live])

    assert read(outer, window(CURSOR, end)) == [live, tombstone("1009", deleted)]
