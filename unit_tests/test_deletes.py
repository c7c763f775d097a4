"""`source_aha.deletes` on its own: the audit type names it accepts, where a stream's deletes
resume, which audits become whose tombstones, and the state file's check of a deletes cursor."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from airbyte_cdk.models import AirbyteStateMessageSerializer, SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder

from source_aha.components import IDEA_CHILDREN as CONNECTOR_IDEA_CHILDREN
from source_aha.deletes import TRACKED as CONNECTOR_TRACKED
from source_aha.deletes import DeletesLedger, Position, type_key
from source_aha.state import normalize_state
from testkit.streams import IDEA_CHILDREN, PROMISES, TRACKED
from unit_tests.mock_server.deletes_scenarios import AUDIT_TYPES

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("spelling", "key"),
    [
        ("idea", "idea"),
        ("Ideas::Idea", "idea"),
        ("IdeaComment", "ideacomment"),
        ("idea_comment", "ideacomment"),
        ("Ideas::IdeaEndorsement", "ideaendorsement"),
        (None, ""),
    ],
)
def test_type_key_reduces_every_spelling_of_a_type_to_one_key(spelling: Any, key: str) -> None:
    assert type_key(spelling) == key


@pytest.mark.parametrize(
    ("stream_state", "position"),
    [
        (
            {
                "updated_at": "x",
                "deletes": {"created_since": "2024-05-01T00:00:00Z", "after_id": "9"},
            },
            Position(datetime(2024, 5, 1, tzinfo=timezone.utc), 9),
        ),
        (  # saved before deletes were tracked: the stream's cursor, less an hour
            {"updated_at": "2024-05-01T08:30:00.000000Z"},
            Position(datetime(2024, 5, 1, 7, 30, tzinfo=timezone.utc)),
        ),
        (  # a global cursor keeps its `updated_at` under `state`
            {"use_global_cursor": True, "state": {"updated_at": "2024-05-01T08:30:00.000000Z"}},
            Position(datetime(2024, 5, 1, 7, 30, tzinfo=timezone.utc)),
        ),
        ({}, None),
    ],
)
def test_position_from_state(stream_state: dict[str, Any], position: Position | None) -> None:
    assert Position.from_state(stream_state) == position


def _ledger(*streams: str) -> DeletesLedger:
    catalog = CatalogBuilder()
    for stream in streams:
        catalog.with_stream(stream, SyncMode.incremental)
    state_blob = {"deletes": {"created_since": "2024-05-31T00:00:00Z", "after_id": "100"}}
    state = [
        {"type": "STREAM", "stream": {"stream_descriptor": {"name": s}, "stream_state": state_blob}}
        for s in streams
    ]
    ledger = DeletesLedger.for_sync(
        {},
        catalog.build(),
        [AirbyteStateMessageSerializer.load(m) for m in state],  # type: ignore[arg-type]
        NOW,
    )
    assert ledger is not None
    return ledger


def _audit(audit_id: str, kind: str, record: str, **more: Any) -> dict[str, Any]:
    return {
        "id": audit_id,
        "audit_action": "destroy",
        "created_at": "2024-05-31T10:00:00.000Z",
        "auditable_type": kind,
        "auditable_id": record,
    } | more


def test_audits_become_tombstones_of_their_streams_only() -> None:
    ledger = _ledger("idea_internal_comments", "idea_votes", "idea_proxy_votes", "features")

    ledger.read(
        lambda params: [
            _audit("101", "comment", "1", associated_type="idea", associated_id="55"),
            _audit("102", "Comment", "2", associated_type="Feature", associated_id="66"),
            _audit(
                "103", "idea_endorsement", "3", associated_type="Ideas::Idea", associated_id="55"
            ),
            _audit("104", "feature", "4"),
            _audit("105", "gadget", "5"),
            _audit("106", "feature", "6", audit_action="update"),
            _audit("100", "feature", "7"),  # already seen: at `after_id`
        ]
    )

    ids = {stream: [t["id"] for t in rows] for stream, rows in ledger.tombstones.items()}
    assert ids == {
        "idea_internal_comments": ["1"],  # "2" is a feature's comment
        "idea_votes": ["3"],
        "idea_proxy_votes": ["3"],
        "features": ["4"],
    }
    assert ledger.tombstones["idea_votes"][0]["idea_id"] == "55"
    assert "idea_id" not in ledger.tombstones["features"][0]
    assert ledger.next_position == Position(datetime(2024, 6, 1, 11, tzinfo=timezone.utc), 106)


def test_streams_with_different_cursors_read_from_the_oldest_without_after_id() -> None:
    ledger = _ledger("ideas", "features")
    ledger.streams["features"] = Position(datetime(2024, 5, 1, tzinfo=timezone.utc), 50)
    asked: list[dict[str, str]] = []

    ledger.read(lambda params: asked.append(dict(params)) or [_audit("60", "idea", "9")])

    assert asked == [{"audit_action": "destroy", "created_since": "2024-05-01T00:00:00Z"}]
    assert ledger.tombstones == {}  # "60" is before the ideas' own position


def test_the_connector_tracks_the_deletes_of_exactly_the_promised_streams() -> None:
    assert set(TRACKED) == CONNECTOR_TRACKED
    assert set(AUDIT_TYPES) == set(TRACKED)  # every tracked stream has its deletes scenarios
    assert set(IDEA_CHILDREN) == CONNECTOR_IDEA_CHILDREN


@pytest.mark.parametrize("stream", [p.name for p in PROMISES.values() if not p.incremental][:3])
def test_full_refresh_only_streams_track_no_deletes(stream: str) -> None:
    catalog = CatalogBuilder().with_stream(stream, SyncMode.full_refresh).build()
    assert DeletesLedger.for_sync({}, catalog, [], NOW) is None


@pytest.mark.parametrize(
    "deletes",
    [{"created_since": "yesterday"}, {"created_since": "2024-01-01T00:00:00Z", "after_id": "x"}, 7],
)
def test_state_file_with_a_bad_deletes_cursor_names_the_stream(deletes: Any) -> None:
    state = [
        {
            "type": "STREAM",
            "stream": {
                "stream_descriptor": {"name": "ideas"},
                "stream_state": {"updated_at": "2024-01-01T00:00:00.000000Z", "deletes": deletes},
            },
        }
    ]
    _, problems = normalize_state(state, ["ideas"])
    [problem] = problems
    assert "`ideas`" in problem
    assert "stream_state.deletes" in problem
