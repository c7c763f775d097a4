"""Deletes: Aha!'s destroy audits, turned into tombstone records in the streams they belong to.

Aha! lists no deleted records, but it writes an audit for every destroy and keeps audits for
12 months (`GET /api/v1/audits`). Once per incremental sync, for the whole account, the destroy
audits since the deletes cursor are read (`created_since` + `after_id`, as Aha!'s docs advise),
routed by `auditable_type` through `AUDIT_STREAMS`, and emitted as `{id, updated_at,
_ab_cdc_deleted_at[, idea_id]}` in each stream just before the stream completes: an append +
dedup destination then removes the row (Airbyte's CDC convention). The cursor travels in each
such stream's own state, under `deletes`, and moves only once its tombstones are out.

This wraps the engine's message stream instead of adding a partition to each stream: the
records never pass through the streams' cursors, and no CDK internals are touched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from airbyte_cdk.models import (
    AirbyteMessage,
    AirbyteRecordMessage,
    AirbyteStateBlob,
    AirbyteStateMessage,
    AirbyteStateType,
    AirbyteStreamState,
    AirbyteStreamStatus,
    ConfiguredAirbyteCatalog,
    StreamDescriptor,
    SyncMode,
    Type,
)

from source_aha.components import (
    AUDIT_STREAMS,
    IDEA_CHILDREN,
    TRACKED,
    Notes,
    parse_time,
    type_key,
    warn_unknown_audit_types,
)

logger = logging.getLogger("airbyte")

STATE_KEY = "deletes"
DELETED_AT = "_ab_cdc_deleted_at"
RETENTION = timedelta(days=365)  # "the last 12 calendar months" (Aha!'s audits docs)
# A destroy audit may become visible a little after its `created_at`: each sync looks back
# this far, and `after_id` keeps what it saw before out.
LOOKBACK = timedelta(hours=1)
TIMESTAMP = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True, order=True)
class Position:
    """Where a walk of the audits resumes: at `created_since`, after audit `after_id`."""

    created_since: datetime
    after_id: int | None = None

    @classmethod
    def from_state(cls, stream_state: Mapping[str, Any]) -> Position | None:
        """The stream's saved deletes cursor; for a state saved before deletes were tracked,
        the stream's own `updated_at` less the lookback; None for a first sync."""
        saved = stream_state.get(STATE_KEY)
        if isinstance(saved, Mapping):
            since = parse_time(saved.get("created_since"))
            after = str(saved.get("after_id") or "")
            if since is not None:
                return cls(since, int(after) if after.isdigit() else None)
        inner = stream_state.get("state")
        cursor = stream_state.get("updated_at") or (
            inner.get("updated_at") if isinstance(inner, Mapping) else None
        )
        since = parse_time(cursor)
        return cls(since - LOOKBACK) if since else None

    def as_state(self) -> dict[str, str]:
        out = {"created_since": self.created_since.strftime(TIMESTAMP)}
        if self.after_id is not None:
            out["after_id"] = str(self.after_id)
        return out

    def covers(self, created_at: datetime, audit_id: int) -> bool:
        """Whether an audit lies after this position (so its tombstone is still to be sent)."""
        if created_at < self.created_since:
            return False
        return self.after_id is None or audit_id > self.after_id


AuditReader = Callable[[Mapping[str, str]], Iterable[Mapping[str, Any]]]


@dataclass
class DeletesLedger:
    """The deletes of one sync: which streams get tombstones, from where, and the new cursor.

    `read_audits` is handed the query parameters of one audits walk and yields its rows (the
    source reads them through the manifest's `destroy_audits` definition).
    """

    # Every tracked stream of the sync → where its deletes resume; None when it owes no tombstones
    # (a full refresh, or a first sync) and its deletes cursor starts at this sync.
    streams: dict[str, Position | None]
    started: datetime
    config: Mapping[str, Any] = field(default_factory=dict)
    tombstones: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    next_position: Position | None = None
    done: set[str] = field(default_factory=set)
    last_state: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def for_sync(
        cls,
        config: Mapping[str, Any],
        catalog: ConfiguredAirbyteCatalog,
        state: Iterable[AirbyteStateMessage] | None,
        now: datetime | None = None,
    ) -> DeletesLedger | None:
        """None when the sync tracks no deletes: `track_deletes` off, or no tracked stream. A
        stream read in full refresh gets no tombstones (its table is overwritten) but starts its
        deletes cursor, for the incremental syncs after it."""
        if config.get("track_deletes") is False:
            return None
        saved = _stream_states(state or [])
        streams = {
            c.stream.name: Position.from_state(saved.get(c.stream.name, {}))
            if c.sync_mode == SyncMode.incremental
            else None
            for c in catalog.streams
            if c.stream.name in TRACKED
        }
        if not streams:
            return None
        return cls(streams, now or datetime.now(timezone.utc), config)

    @property
    def fresh(self) -> Position:
        """The cursor this sync leaves where nothing older is owed: an hour before it began."""
        return Position(self.started - LOOKBACK)

    def read(self, read_audits: AuditReader) -> None:
        """Reads the destroy audits once, for every stream, and sorts them into tombstones."""
        known = [p for p in self.streams.values() if p is not None]
        self.next_position = self.fresh
        if not known:  # a first sync: no tombstones needed, only a cursor for the next one
            return
        start = min(known)
        floor = self.started - RETENTION
        if start.created_since < floor:
            logger.warning(
                f"Deletes before {floor:%Y-%m-%d} cannot be seen: Aha! keeps audits for 12 "
                f"months and the last deletes were read on {start.created_since:%Y-%m-%d}. "
                "Rows deleted in Aha! before then may remain; a full refresh reconciles them."
            )
            start = Position(floor + timedelta(days=1))
        params = {"audit_action": "destroy"}
        params["created_since"] = start.created_since.strftime(TIMESTAMP)
        if start.after_id is not None and all(p == start for p in known):
            params["after_id"] = str(start.after_id)
        try:
            audits = list(read_audits(params))
        except Exception as error:  # one unreadable answer must not cost the sync
            self.next_position = None
            logger.warning(
                "Deletes are not tracked in this sync: reading Aha!'s audits (GET /api/v1/audits) "
                f"failed: {_reason(error)} Rows deleted in Aha! stay in the destination until the "
                "audits can be read (the next sync tries again from the same point) or a full "
                "refresh; `track_deletes: false` turns this off."
            )
            return
        last_id = start.after_id
        for audit in audits:
            text = str(audit.get("id") or "")
            audit_id = int(text) if text.isdigit() else None
            self._sort(audit, audit_id or 0)
            if audit_id is not None:
                last_id = max(last_id or 0, audit_id)
        self.next_position = Position(self.fresh.created_since, last_id)
        types = [str(a.get("auditable_type") or "") for a in audits]
        warn_unknown_audit_types(
            self.config, [t for t in types if t and type_key(t) not in AUDIT_STREAMS]
        )
        self._check_children(audits)

    def _check_children(self, audits: list[Mapping[str, Any]]) -> None:
        """Aha! is assumed to audit the votes and comments a deleted idea takes with it. When no
        deleted idea is named by a child audit, it is said once: if they had any, they stay."""
        ideas = {
            str(a.get("auditable_id"))
            for a in audits
            if type_key(a.get("auditable_type")) == "idea"
        }
        named = {
            str(a.get("associated_id"))
            for a in audits
            if type_key(a.get("associated_type")) == "idea"
            and set(AUDIT_STREAMS.get(type_key(a.get("auditable_type")), ())) & IDEA_CHILDREN
        }
        alone = ideas - named
        # Only when no deleted idea of the walk has child audits: one that has shows Aha! audits
        # the cascade, and the others had no children.
        if alone == ideas and alone and any(s in IDEA_CHILDREN for s in self.streams):
            Notes.of(self.config).warn_once(
                "deleted-idea-children",
                f"{len(alone)} ideas deleted in Aha! came with no audit of a deleted vote or "
                "comment. If they had votes or comments (Aha! may not audit what a deleted idea "
                "takes with it), those rows stay in idea_votes, idea_proxy_votes, idea_comments "
                "and idea_internal_comments until a full refresh of those streams.",
            )

    def _sort(self, audit: Mapping[str, Any], audit_id: int) -> None:
        created_at, record_id = (
            parse_time(audit.get("created_at")),
            str(audit.get("auditable_id") or ""),
        )
        if created_at is None or not record_id or str(audit.get("audit_action")) != "destroy":
            return
        idea = type_key(audit.get("associated_type")) == "idea"
        for stream in AUDIT_STREAMS.get(type_key(audit.get("auditable_type")), ()):
            position = self.streams.get(stream)
            if position is None or not position.covers(created_at, audit_id):
                continue
            if stream in IDEA_CHILDREN and audit.get("associated_type") and not idea:
                continue
            tombstone = {"id": record_id, "updated_at": audit["created_at"]}
            tombstone[DELETED_AT] = audit["created_at"]
            if stream in IDEA_CHILDREN and idea and audit.get("associated_id"):
                tombstone["idea_id"] = str(audit["associated_id"])
            self.tombstones.setdefault(stream, []).append(tombstone)

    def weave(self, messages: Iterable[AirbyteMessage]) -> Iterator[AirbyteMessage]:
        """The engine's messages with each tracked stream's tombstones, and its state with the
        deletes cursor: the old one until the stream's tombstones are out, then the new one."""
        for message in messages:
            stream = _status_of(message)
            if stream in self.streams and stream not in self.done:
                yield from self._finish(stream)
            elif message.type == Type.STATE and message.state and message.state.stream:
                name = message.state.stream.stream_descriptor.name
                if name in self.streams:
                    message = self._stamped(message, name)
            yield message

    def _finish(self, stream: str) -> Iterator[AirbyteMessage]:
        self.done.add(stream)
        emitted_at = int(datetime.now(timezone.utc).timestamp() * 1000)
        for data in self.tombstones.pop(stream, []):
            yield AirbyteMessage(
                type=Type.RECORD,
                record=AirbyteRecordMessage(stream=stream, data=data, emitted_at=emitted_at),
            )
        blob, saved = self.last_state.get(stream), self.streams[stream]
        if blob is None and saved is None:
            return  # the engine saved nothing for the stream: neither is there a cursor to carry
        yield self._stamped(_state_message(stream, blob or {}), stream)

    def _stamped(self, message: AirbyteMessage, stream: str) -> AirbyteMessage:
        assert message.state is not None
        assert message.state.stream is not None
        data = _as_dict(message.state.stream.stream_state)
        data.pop(STATE_KEY, None)
        self.last_state[stream] = deepcopy(data)
        saved = self.streams[stream]
        if saved is None:  # nothing owed: the cursor starts at this sync
            position = self.fresh
        else:  # the saved cursor until the stream's tombstones are out
            position = (self.next_position if stream in self.done else None) or saved
        data[STATE_KEY] = position.as_state()
        message.state.stream.stream_state = AirbyteStateBlob(data)
        return message


def _as_dict(blob: object) -> dict[str, Any]:
    """A stream state as a plain dict (the CDK hands it over as an `AirbyteStateBlob`)."""
    if isinstance(blob, AirbyteStateBlob):
        return dict(blob.__dict__)
    return dict(blob) if isinstance(blob, Mapping) else {}


def _stream_states(state: Iterable[AirbyteStateMessage]) -> dict[str, Mapping[str, Any]]:
    return {
        message.stream.stream_descriptor.name: _as_dict(message.stream.stream_state)
        for message in state
        if message.stream and message.stream.stream_state is not None
    }


def _status_of(message: AirbyteMessage) -> str | None:
    """The stream a COMPLETE or INCOMPLETE status is about (records may not follow those)."""
    trace = message.trace if message.type == Type.TRACE else None
    status = trace.stream_status if trace else None
    done = (AirbyteStreamStatus.COMPLETE, AirbyteStreamStatus.INCOMPLETE)
    return status.stream_descriptor.name if status and status.status in done else None


def _state_message(stream: str, blob: Mapping[str, Any]) -> AirbyteMessage:
    return AirbyteMessage(
        type=Type.STATE,
        state=AirbyteStateMessage(
            type=AirbyteStateType.STREAM,
            stream=AirbyteStreamState(
                stream_descriptor=StreamDescriptor(name=stream),
                stream_state=AirbyteStateBlob(dict(blob)),
            ),
        ),
    )


def _reason(error: Exception) -> str:
    text = str(getattr(error, "message", None) or error).strip() or type(error).__name__
    if "HTTP 403" in text:  # the requester's 403 message is about ideas; this one is not
        return (
            "Aha! answered 403 (forbidden): the account's plan or the API key's user may not "
            "read audits (record history)."
        )
    return text if text.endswith(".") else text + "."
