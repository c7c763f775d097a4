"""`DeletesScenarios`: the tombstones of one tracked stream, run for every stream Aha! audits.

An incremental read from a state reads Aha!'s destroy audits once, from the state's deletes
cursor, and emits one tombstone per audit of this stream's records (`id`, `updated_at` and
`_ab_cdc_deleted_at` = the audit's time, `idea_id` for an idea's children); audits of unknown
types and of other streams' records are not this stream's; the state then carries the next
deletes cursor. The audit type names are written here, not read from the connector: Aha!'s
answers use lower-case names (`idea_comment`), its other pages Rails class names.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from airbyte_cdk.models import AirbyteStateMessage, SyncMode
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput
from airbyte_cdk.test.mock_http import HttpMocker, HttpResponse

from testkit.streams import IDEA_CHILDREN
from unit_tests.mock_server.request_builder import AhaRequestBuilder
from unit_tests.mock_server.response_builder import JSON_HEADERS
from unit_tests.mock_server.stream_scenarios import (
    A_CURSOR,
    SERVER_SIDE,
    StreamScenarios,
    with_http_mocker,
)

# (as Aha!'s answers spell it, as its class names spell it)
AUDIT_TYPES: dict[str, tuple[str, str]] = {
    "ideas": ("idea", "Ideas::Idea"),
    "idea_proxy_votes": ("idea_endorsement", "Ideas::IdeaEndorsement"),
    "idea_votes": ("idea_endorsement", "Ideas::IdeaEndorsement"),
    "idea_comments": ("idea_comment", "Ideas::IdeaComment"),
    "idea_internal_comments": ("comment", "Comment"),
    "products": ("project", "Project"),
    "features": ("feature", "Feature"),
    "releases": ("release", "Release"),
    "epics": ("epic", "Epic"),
    "initiatives": ("initiative", "Initiative"),
    "goals": ("goal", "Goal"),
    "users": ("user", "User"),
    "tasks": ("task", "Task"),
    "requirements": ("requirement", "Requirement"),
}
# The deletes cursor a previous sync left (an hour before it ran), and the next one: an hour
# before this sync (`stream_scenarios.NOW`), after the last audit read.
SAVED_CURSOR = {"created_since": "2024-05-31T09:00:00Z", "after_id": "6100000900"}
NEXT_CREATED_SINCE = "2024-06-01T11:00:00Z"
DELETED_AT = "2024-05-31T17:45:12.345Z"
_PARENT_CURSOR = datetime(2024, 4, 1, tzinfo=timezone.utc)


def an_audit(
    audit_id: str,
    auditable_type: str,
    auditable_id: str,
    created_at: str = DELETED_AT,
    idea_id: str | None = None,
) -> dict[str, Any]:
    """A destroy audit in Aha!'s documented shape."""
    return {
        "id": audit_id,
        "audit_action": "destroy",
        "created_at": created_at,
        "interesting": True,
        "user": {"id": "6100000001", "name": "Ann Admin", "email": "ann@example.com"},
        "contributors": [],
        "auditable_type": auditable_type,
        "auditable_id": auditable_id,
        "associated_type": "idea" if idea_id else None,
        "associated_id": idea_id,
        "description": f"deleted {auditable_type} {auditable_id}",
        "auditable_url": None,
        "changes": [],
    }


def audits_page(
    *audits: dict[str, Any], page: int = 1, total_pages: int = 1, status: int = 200
) -> HttpResponse:
    pagination = {"total_records": len(audits), "total_pages": total_pages, "current_page": page}
    body = {"audits": list(audits), "pagination": pagination}
    return HttpResponse(json.dumps(body), status, JSON_HEADERS)


def with_deletes(state: list[AirbyteStateMessage], cursor: dict[str, str]) -> list[Any]:
    """`state` with the deletes cursor a previous sync saved next to the stream's own."""
    for message in state:
        assert message.stream is not None
        assert message.stream.stream_state is not None
        message.stream.stream_state.deletes = dict(cursor)  # type: ignore[attr-defined]
    return state


def last_state(output: EntrypointOutput) -> dict[str, Any]:
    assert output.most_recent_state is not None
    return dict(output.most_recent_state.stream_state.__dict__)


class DeletesScenarios(StreamScenarios):
    def given_nothing_new(self, http_mocker: HttpMocker) -> list[Any]:
        """Mocks an incremental read from a state at `A_CURSOR` that finds no changed record;
        returns that state."""
        self.given_parents(
            http_mocker, updated_since=_PARENT_CURSOR if self.case.parent_state else None
        )
        request = self.request()
        if self.case.incremental == SERVER_SIDE:
            request = request.with_updated_since(A_CURSOR)
        http_mocker.get(request.build(), self.page())
        state: list[Any] = self.incoming_state(A_CURSOR, _PARENT_CURSOR)
        return state

    def assert_tombstones(self, http_mocker: HttpMocker, spelling: int) -> None:
        state = with_deletes(self.given_nothing_new(http_mocker), SAVED_CURSOR)
        own = AUDIT_TYPES[self.case.name][spelling]
        other = AUDIT_TYPES["goals" if self.case.name == "releases" else "releases"][spelling]
        idea = "1001" if self.case.name in IDEA_CHILDREN else None
        audits = AhaRequestBuilder.destroy_audits_endpoint(**SAVED_CURSOR).build()
        http_mocker.get(
            audits,
            audits_page(
                an_audit("6100000901", own, "7777", idea_id=idea),
                an_audit("6100000902", "widget", "8888"),
                an_audit("6100000903", other, "9999"),
            ),
        )

        output = self.read(
            SyncMode.incremental, state, self.case.config().with_track_deletes().build()
        )

        tombstone = {"id": "7777", "updated_at": DELETED_AT, "_ab_cdc_deleted_at": DELETED_AT}
        assert [m.record.data for m in output.records] == [
            tombstone | ({"idea_id": idea} if idea else {})
        ]
        self.assert_records_match_the_schema(output)
        assert last_state(output)["deletes"] == {
            "created_since": NEXT_CREATED_SINCE,
            "after_id": "6100000903",
        }
        http_mocker.assert_number_of_calls(audits, 1)
        assert not output.errors

    @with_http_mocker
    def test_given_state_when_incremental_read_then_one_tombstone_per_destroy_audit_of_its_records(
        self, http_mocker: HttpMocker
    ) -> None:
        self.assert_tombstones(http_mocker, spelling=0)

    @with_http_mocker
    def test_given_class_name_audit_types_when_incremental_read_then_the_same_tombstones(
        self, http_mocker: HttpMocker
    ) -> None:
        self.assert_tombstones(http_mocker, spelling=1)
