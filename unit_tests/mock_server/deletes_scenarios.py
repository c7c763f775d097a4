"""`DeletesScenarios`: the tombstones of one tracked stream, run for every stream Aha! audits.

An incremental read from a saved state reads Aha!'s destroy audits once for the sync, from the
oldest time a tracked stream of the sync resumes from (a per-idea stream's copy of `ideas`
resumes from the parent's cursor, older than its own), and emits, after the stream's records,
one tombstone per audit of its records created after the stream's own cursor: `id`, and
`updated_at` and `_ab_cdc_deleted_at` = the audit's time, plus `idea_id` for an idea's children
(an audit of a child of anything but an idea is not one of theirs). Audits of unknown types and
of other streams' records are not the stream's. The tombstones pass through the stream's cursor,
so the state moves to the newest of records and tombstones, and holds no key of its own. A state
that source-aha 0.x saved with its own deletes cursor (`deletes`) resumes from that cursor's time
when it is older, and loses the key. The audit type names are written here, not read from the
connector: Aha!'s answers use lower-case names (`idea_comment`), its other pages Rails class names.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from airbyte_cdk.models import AirbyteStateMessage, SyncMode
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput
from airbyte_cdk.test.mock_http import HttpMocker, HttpResponse

from testkit.streams import IDEA_CHILDREN
from unit_tests.mock_server.request_builder import AhaRequestBuilder, aha_timestamp
from unit_tests.mock_server.response_builder import JSON_HEADERS
from unit_tests.mock_server.stream_scenarios import (
    A_CURSOR,
    SERVER_SIDE,
    StreamScenarios,
    warnings,
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
# A delete after the saved cursor (`stream_scenarios.A_CURSOR`, 2024-05-01T08:30).
DELETED_AT = "2024-05-31T17:45:12.345Z"
# The parent's cursor in a per-idea stream's state (older than the stream's own).
PARENT_CURSOR = datetime(2024, 4, 1, tzinfo=timezone.utc)
# The deletes cursor of a 0.x state, older than `A_CURSOR`, and a delete between the two.
OLD_DELETES_CURSOR = datetime(2024, 4, 20, tzinfo=timezone.utc)
DELETED_BEFORE_THE_CURSOR = "2024-04-25T06:00:00.000Z"


def cursor_value(aha_time: str) -> str:
    """A time as Aha! writes it (`...345Z`), as the state saves it (`...345000Z`)."""
    return aha_timestamp(datetime.fromisoformat(aha_time.replace("Z", "+00:00")))


def an_audit(
    audit_id: str,
    auditable_type: str,
    auditable_id: str,
    created_at: str = DELETED_AT,
    idea_id: str | None = None,
    associated_type: str | None = None,
) -> dict[str, Any]:
    """A destroy audit in Aha!'s documented shape; `idea_id` names the idea of a child record
    (`associated_type` another kind of associated record)."""
    associated = associated_type or ("idea" if idea_id else None)
    return {
        "id": audit_id,
        "audit_action": "destroy",
        "created_at": created_at,
        "interesting": True,
        "user": {"id": "6100000001", "name": "Ann Admin", "email": "ann@example.com"},
        "contributors": [],
        "auditable_type": auditable_type,
        "auditable_id": auditable_id,
        "associated_type": associated,
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


def with_0x_deletes(state: list[AirbyteStateMessage], deletes: Any) -> list[Any]:
    """`state` as source-aha 0.x saved it: with its own deletes cursor (`{"created_since": ...,
    "after_id": ...}`) next to the stream's."""
    for message in state:
        assert message.stream is not None
        assert message.stream.stream_state is not None
        message.stream.stream_state.deletes = deletes  # type: ignore[attr-defined]
    return state


def last_state(output: EntrypointOutput, stream: str | None = None) -> dict[str, Any]:
    """The last state emitted (for `stream`, when given)."""
    states = [
        dict(m.state.stream.stream_state.__dict__)
        for m in output.state_messages
        if stream is None or m.state.stream.stream_descriptor.name == stream
    ]
    assert states, f"no state for {stream}"
    return states[-1]


def states_of(output: EntrypointOutput) -> list[dict[str, Any]]:
    return [dict(m.state.stream.stream_state.__dict__) for m in output.state_messages]


def tombstones(output: EntrypointOutput) -> list[dict[str, Any]]:
    return [m.record.data for m in output.records if "_ab_cdc_deleted_at" in m.record.data]


class DeletesScenarios(StreamScenarios):
    def given_nothing_new(
        self, http_mocker: HttpMocker, resumes_from: datetime = A_CURSOR
    ) -> list[Any]:
        """Mocks an incremental read, resuming from `resumes_from`, that finds no changed record;
        returns the state saved at `A_CURSOR` (and the parent's at `PARENT_CURSOR`)."""
        self.given_parents(
            http_mocker, updated_since=PARENT_CURSOR if self.case.parent_state else None
        )
        request = self.request()
        if self.case.incremental == SERVER_SIDE:
            request = request.with_updated_since(resumes_from)
        http_mocker.get(request.build(), self.page())
        state: list[Any] = self.incoming_state(A_CURSOR, PARENT_CURSOR)
        return state

    def walk_start(self, own: datetime = A_CURSOR) -> datetime:
        """Where the sync's one walk of the audits starts: the stream's own resume time, or its
        copy of `ideas`'s when older."""
        return min(own, PARENT_CURSOR) if self.case.parent_state else own

    def own_types(self, spelling: int) -> tuple[str, str]:
        own = AUDIT_TYPES[self.case.name][spelling]
        other = AUDIT_TYPES["goals" if self.case.name == "releases" else "releases"][spelling]
        return own, other

    def read_tracking(self, state: list[Any]) -> EntrypointOutput:
        return self.read(
            SyncMode.incremental, state, self.case.config().with_track_deletes().build()
        )

    def assert_tombstones(self, http_mocker: HttpMocker, spelling: int) -> None:
        state = self.given_nothing_new(http_mocker)
        own, other = self.own_types(spelling)
        child = self.case.name in IDEA_CHILDREN
        idea = "1001" if child else None
        audits = AhaRequestBuilder.destroy_audits_endpoint(self.walk_start()).build()
        http_mocker.get(
            audits,
            audits_page(
                an_audit("6100000901", own, "7777", idea_id=idea),
                # at the saved cursor itself: the last sync's window had it
                an_audit("6100000902", own, "6666", aha_timestamp(A_CURSOR), idea_id=idea),
                an_audit("6100000903", "widget", "8888"),
                an_audit("6100000904", other, "9999"),
                # a comment or vote on something other than an idea
                *(
                    [an_audit("6100000905", own, "5555", idea_id="42", associated_type="Feature")]
                    if child
                    else []
                ),
            ),
        )

        output = self.read_tracking(state)

        tombstone = {"id": "7777", "updated_at": DELETED_AT, "_ab_cdc_deleted_at": DELETED_AT}
        assert [m.record.data for m in output.records] == [
            tombstone | ({"idea_id": idea} if idea else {})
        ]
        self.assert_records_match_the_schema(output)
        assert self.emitted_cursor(output) == cursor_value(DELETED_AT)
        assert all("deletes" not in s for s in states_of(output))
        [unknown] = warnings(output)
        assert "`widget`" in unknown
        http_mocker.assert_number_of_calls(audits, 1)
        assert not output.errors

    @with_http_mocker
    def test_given_state_when_incremental_read_then_one_tombstone_per_destroy_audit_after_it(
        self, http_mocker: HttpMocker
    ) -> None:
        self.assert_tombstones(http_mocker, spelling=0)

    @with_http_mocker
    def test_given_class_name_audit_types_when_incremental_read_then_the_same_tombstones(
        self, http_mocker: HttpMocker
    ) -> None:
        self.assert_tombstones(http_mocker, spelling=1)

    @with_http_mocker
    def test_given_0x_state_with_older_deletes_cursor_when_read_then_resumes_from_it_without_key(
        self, http_mocker: HttpMocker
    ) -> None:
        # source-aha 0.x had read the deletes only up to its `created_since`: the one between
        # it and the stream's cursor comes now, and the state keeps no `deletes` key.
        state = with_0x_deletes(
            self.given_nothing_new(http_mocker, resumes_from=OLD_DELETES_CURSOR),
            {"created_since": "2024-04-20T00:00:00Z", "after_id": "6100000800"},
        )
        own, _ = self.own_types(0)
        idea = "1001" if self.case.name in IDEA_CHILDREN else None
        audits = AhaRequestBuilder.destroy_audits_endpoint(self.walk_start(OLD_DELETES_CURSOR))
        http_mocker.get(
            audits.build(),
            audits_page(an_audit("6100000901", own, "7777", DELETED_BEFORE_THE_CURSOR, idea)),
        )

        output = self.read_tracking(state)

        assert [m.record.data["id"] for m in output.records] == ["7777"]
        assert self.emitted_cursor(output) == cursor_value(DELETED_BEFORE_THE_CURSOR)
        assert all("deletes" not in s for s in states_of(output))
        assert not output.errors
