"""The checks of what Aha! is assumed to do (`IdeaFanOut`), on `idea_comments`: the probes of
ideas whose `comments_count` is 0, and the audits that name ideas whose comments changed without
moving the idea. Each request is mocked exactly; one not mocked fails the read."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.mock_http import HttpMocker, HttpResponse
from airbyte_cdk.test.state_builder import StateBuilder

from unit_tests.conftest import read_stream
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.request_builder import PER_PAGE, AhaRequestBuilder, aha_timestamp
from unit_tests.mock_server.response_builder import a_record_of, a_response_of
from unit_tests.mock_server.stream_scenarios import an_idea_with, record_ids, warnings

COUNT = "assume_comments_count_is_portal"
MOVES = "assume_child_changes_move_idea"
PARENT_CURSOR = datetime(2024, 4, 1, tzinfo=timezone.utc)
_JSON = {"Content-Type": "application/json"}


def _ideas(http_mocker: HttpMocker, counts: dict[str, int], updated_since: bool = False) -> None:
    request = AhaRequestBuilder.ideas_endpoint()
    if updated_since:
        request = request.with_updated_since(PARENT_CURSOR)
    rows = (an_idea_with(i, comments_count=n) for i, n in counts.items())
    http_mocker.get(
        request.build(), a_response_of("ideas").with_records(*rows).with_page(1, 1).build()
    )


def _comments(http_mocker: HttpMocker, idea_id: str, *comment_ids: str) -> None:
    records = (a_record_of("idea_comments").with_id(c) for c in comment_ids)
    http_mocker.get(
        AhaRequestBuilder.idea_comments_endpoint(idea_id).build(),
        a_response_of("idea_comments").with_records(*records).with_page(1, 1).build(),
    )


def _audits_request() -> Any:
    """The walk of the ideas' children's audits, from a second before the parent's cursor."""
    query = {"associated_type": "idea", "created_since": "2024-03-31T23:59:59Z"}
    return AhaRequestBuilder("audits", query | {"per_page": PER_PAGE}).build()


def _audit(
    audit_id: str, idea_id: str, action: str = "create", at: str = "2024-05-02T00:00:00.000Z"
) -> dict[str, Any]:
    return {
        "id": audit_id,
        "audit_action": action,
        "auditable_type": "idea_comment",
        "auditable_id": f"9{audit_id}",
        "associated_type": "idea",
        "associated_id": idea_id,
        "created_at": at,
    }


def _state() -> list[Any]:
    value = {
        "use_global_cursor": True,
        "state": {"updated_at": aha_timestamp(PARENT_CURSOR)},
        "lookback_window": 0,
        "parent_state": {"ideas": {"updated_at": aha_timestamp(PARENT_CURSOR)}},
    }
    return StateBuilder().with_stream_state("idea_comments", value).build()


def test_given_count_0_and_comments_when_auto_then_every_idea_is_read_with_one_warning() -> None:
    with HttpMocker() as http_mocker:
        _ideas(http_mocker, {"1001": 2, "1002": 0, "1003": 0})
        _comments(http_mocker, "1001", "7001")
        # 1002 is probed (its comments are read once more as its partition), 1003 is read.
        http_mocker.get(
            AhaRequestBuilder.idea_comments_endpoint("1002").build(),
            [
                a_response_of("idea_comments")
                .with_records(a_record_of("idea_comments").with_id(c))
                .with_page(1, 1)
                .build()
                for c in ("7002", "7002")
            ],
        )
        _comments(http_mocker, "1003", "7003")
        config = ConfigBuilder().with_assumption(COUNT, "auto").build()

        output = read_stream("idea_comments", SyncMode.full_refresh, config)

        assert record_ids(output) == ["7001", "7002", "7003"]
        said = [w for w in warnings(output) if "`comments_count` is not the number" in w]
        assert len(said) == 1
        assert "idea 1002" in said[0]


def test_given_count_0_ideas_without_comments_when_auto_then_five_probed_the_rest_skipped() -> None:
    with HttpMocker() as http_mocker:
        zero = {str(1000 + n): 0 for n in range(1, 8)}
        _ideas(http_mocker, {"1000": 1, **zero})
        _comments(http_mocker, "1000", "7000")
        for idea_id in list(zero)[:5]:  # the 6th and 7th are not mocked: asking them fails the read
            _comments(http_mocker, idea_id)
        config = ConfigBuilder().with_assumption(COUNT, "auto").build()

        output = read_stream("idea_comments", SyncMode.full_refresh, config)

        assert record_ids(output) == ["7000"]
        assert not output.errors
        assert not [w for w in warnings(output) if "comments_count" in w]


def test_given_count_setting_no_when_read_then_every_idea_is_asked_without_probes() -> None:
    with HttpMocker() as http_mocker:
        _ideas(http_mocker, {"1001": 0, "1002": 0})
        _comments(http_mocker, "1001", "7001")
        _comments(http_mocker, "1002")
        config = ConfigBuilder().with_assumption(COUNT, "no").build()

        output = read_stream("idea_comments", SyncMode.full_refresh, config)

        assert record_ids(output) == ["7001"]


def test_given_audits_naming_an_unchanged_idea_when_incremental_then_its_comments_are_read() -> (
    None
):
    """An idea audited after the parent's cursor is read; one audited at the cursor is not (the
    last sync read its comments after `ideas`, so after the cursor): 1007 is not mocked."""
    with HttpMocker() as http_mocker:
        _ideas(http_mocker, {"1001": 1}, updated_since=True)
        http_mocker.get(
            _audits_request(),
            HttpResponse(
                '{"audits": ['
                + ",".join(
                    json.dumps(a)
                    for a in (
                        _audit("1", "1001"),
                        _audit("2", "1005"),
                        _audit("3", "1006", "destroy"),
                        _audit("4", "1007", at="2024-03-31T23:59:59.500Z"),
                        _audit("5", "1007", at=aha_timestamp(PARENT_CURSOR)),
                    )
                )
                + '], "pagination": {"total_records": 5, "total_pages": 1, "current_page": 1}}',
                200,
                _JSON,
            ),
        )
        newer = "2024-05-02T00:00:00.000Z"
        for idea_id, comment_id in (("1001", "7001"), ("1005", "7005")):
            record = a_record_of("idea_comments").with_id(comment_id).with_cursor(newer)
            http_mocker.get(
                AhaRequestBuilder.idea_comments_endpoint(idea_id).build(),
                a_response_of("idea_comments").with_records(record).with_page(1, 1).build(),
            )
        config = ConfigBuilder().with_assumption(MOVES, "auto").build()

        output = read_stream("idea_comments", SyncMode.incremental, config, _state())

        assert record_ids(output) == ["7001", "7005"]
        assert not output.errors, output.errors
        said = [w for w in warnings(output) if "did not move" in w]
        assert len(said) == 1


def test_given_a_comment_without_updated_at_then_it_gets_the_later_of_created_and_idea_time() -> (
    None
):
    with HttpMocker() as http_mocker:
        _ideas(http_mocker, {"1001": 1})
        comment = {"id": "7001", "body": "hi", "created_at": "2020-01-01T00:00:00.000Z"}
        http_mocker.get(
            AhaRequestBuilder.idea_comments_endpoint("1001").build(),
            HttpResponse(
                json.dumps(
                    {
                        "idea_comments": [comment],
                        "pagination": {"total_records": 1, "total_pages": 1, "current_page": 1},
                    }
                ),
                200,
                _JSON,
            ),
        )

        output = read_stream("idea_comments", SyncMode.full_refresh, ConfigBuilder().build())

        (record,) = [m.record.data for m in output.records]
        assert record["updated_at"] == an_idea_with("1001").build()["updated_at"]
        assert len([w for w in warnings(output) if "without `updated_at`" in w]) == 1
