"""The write endpoints the live verification kit uses (aha-api.md §11), over the Workspace.

Each route is described once: method, path template, and a handler turning the JSON payload
into one ``Workspace`` call. A missing required field, a malformed body or an unknown option
answers 400 with a JSON error, an unknown record 404, a delete 204 without a body. Routing
shares the GET table's rule that a literal segment wins: ``DELETE /api/v1/ideas/endorsements``
is the GET-only list, not ``DELETE /api/v1/ideas/{id}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from .comments.mutations import VISIBILITY_WORDS
from .common import JSON, RecordNotFoundError
from .responses import Response, error_response, json_response
from .workspace import Workspace

Args = tuple[str, ...]
Handler = Callable[[Workspace, Args, JSON], Response]


class WriteError(ValueError):
    """A request body the endpoint cannot take (answered 400)."""


@dataclass(frozen=True)
class WriteRoute:
    """One write endpoint; each ``{name}`` in the template is a path argument."""

    method: str
    template: str
    handler: Handler
    payload: str | None = None  # the body's wrapper key ("idea"); None: no body read
    pattern: re.Pattern[str] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        regex = re.sub(r"\{[a-z_]+\}", "([^/]+)", self.template)
        object.__setattr__(self, "pattern", re.compile(regex))

    @property
    def name(self) -> str:
        """The route as counted in ``Stats``, e.g. ``POST /api/v1/ideas/{id}/endorsements``."""
        return f"{self.method} {self.template}"

    def answer(self, ws: Workspace, args: Args, body: bytes) -> Response:
        try:
            payload = {} if self.payload is None else _payload(body, self.payload)
            return self.handler(ws, tuple(unquote(a) for a in args), payload)
        except WriteError as exc:
            return json_response(400, {"error": str(exc), "errors": [{"message": str(exc)}]})
        except RecordNotFoundError:
            return error_response(404, "Record not found.")


def _payload(body: bytes, key: str) -> JSON:
    try:
        parsed = json.loads(body or b"null")
    except ValueError:
        raise WriteError("Invalid JSON in the request body") from None
    inner = parsed.get(key) if isinstance(parsed, dict) else None
    if not isinstance(inner, dict):
        raise WriteError(f'The body must be a JSON object {{"{key}": {{...}}}}')
    return inner


def _required(payload: JSON, *names: str) -> None:
    missing = [n for n in names if payload.get(n) in (None, "")]
    if missing:
        raise WriteError(f"Missing required field(s): {', '.join(missing)}")


def _picked(payload: JSON, *names: str) -> JSON:
    return {n: payload[n] for n in names if n in payload}


def _id_of(value: Any) -> str | None:
    """``{"id": ...}`` or a bare id."""
    value = value.get("id") if isinstance(value, dict) else value
    return None if value is None else str(value)


def _created(key: str, record: JSON) -> Response:
    return json_response(200, {key: record})


def _deleted() -> Response:
    return Response(204)


def _create_idea(ws: Workspace, args: Args, p: JSON) -> Response:
    _required(p, "name", "created_by")
    fields = _picked(p, "name", "description", "created_by", "initial_votes", "tags")
    try:
        return _created("idea", ws.add_idea(product_id=args[0], **fields))
    except (TypeError, ValueError, AttributeError) as exc:  # bad initial_votes or tags
        raise WriteError(f"Invalid field: {exc}") from None


def _edit_idea(ws: Workspace, args: Args, p: JSON) -> Response:
    fields = _picked(p, "name", "description", "workflow_status", "tags")
    if not fields:
        raise WriteError("Nothing to change: give name, description, workflow_status or tags")
    try:
        return _created("idea", ws.edit_idea(args[0], **fields))
    except StopIteration:
        raise WriteError(f"Unknown workflow_status: {fields['workflow_status']!r}") from None
    except (TypeError, AttributeError) as exc:  # tags is not a list of names
        raise WriteError(f"Invalid field: {exc}") from None


def _create_vote(ws: Workspace, args: Args, p: JSON) -> Response:
    _required(p, "idea_organization_id")
    given = _picked(p, "idea_organization_id", "value", "link", "description", "email")
    if "created_by_user" in p:
        given["created_by_user"] = p["created_by_user"]
    try:
        return _created("idea_endorsement", ws.add_vote(args[0], True, **given))
    except (TypeError, ValueError) as exc:  # value is not a number
        raise WriteError(f"Invalid value: {exc}") from None


def _create_comment(ws: Workspace, args: Args, p: JSON) -> Response:
    _required(p, "body")
    visibility = p.get("visibility")
    if visibility is not None and visibility not in VISIBILITY_WORDS:
        raise WriteError(f"Unknown visibility {visibility!r}: one of {sorted(VISIBILITY_WORDS)}")
    comment = ws.add_comment(
        args[0],
        p.get("parent_idea_comment_id"),
        body=str(p["body"]),
        visibility=visibility,
        portal_user=_id_of(p.get("portal_user")),
        user=_id_of(p.get("user")),
    )
    return _created("idea_comment", _as_served(ws, comment))


def _edit_comment(ws: Workspace, args: Args, p: JSON) -> Response:
    _required(p, "body")
    comment = ws.edit_comment(args[0], body=str(p["body"]))
    return _created("idea_comment", _as_served(ws, comment))


def _as_served(ws: Workspace, comment: JSON) -> JSON:
    """A portal comment without ``updated_at`` when the personality never serves it."""
    if ws.personality.comment_updated_at:
        return comment
    return {k: v for k, v in comment.items() if k != "updated_at"}


def _create_internal(ws: Workspace, args: Args, p: JSON) -> Response:
    _required(p, "body")
    return _created("comment", ws.add_internal_comment(args[0], str(p["body"])))


def _delete_idea(ws: Workspace, args: Args, p: JSON) -> Response:
    ws.delete_idea(args[0])
    return _deleted()


def _delete_vote(ws: Workspace, args: Args, p: JSON) -> Response:
    ws.delete_vote(args[1], idea_id=args[0])
    return _deleted()


def _delete_comment(ws: Workspace, args: Args, p: JSON) -> Response:
    ws.delete_comment(args[1], idea_id=args[0])
    return _deleted()


def _delete_internal(ws: Workspace, args: Args, p: JSON) -> Response:
    ws.delete_internal_comment(args[0])
    return _deleted()


WRITES: tuple[WriteRoute, ...] = (
    WriteRoute("POST", "/api/v1/products/{id}/ideas", _create_idea, "idea"),
    WriteRoute("PUT", "/api/v1/ideas/{id}", _edit_idea, "idea"),
    WriteRoute("DELETE", "/api/v1/ideas/{id}", _delete_idea),
    WriteRoute("POST", "/api/v1/ideas/{id}/endorsements", _create_vote, "idea_endorsement"),
    WriteRoute("DELETE", "/api/v1/ideas/{id}/endorsements/{vote_id}", _delete_vote),
    WriteRoute("POST", "/api/v1/ideas/{id}/idea_comments", _create_comment, "idea_comment"),
    WriteRoute("PUT", "/api/v1/idea_comments/{id}", _edit_comment, "idea_comment"),
    WriteRoute("DELETE", "/api/v1/ideas/{id}/idea_comments/{comment_id}", _delete_comment),
    WriteRoute("POST", "/api/v1/ideas/{id}/comments", _create_internal, "comment"),
    WriteRoute("DELETE", "/api/v1/comments/{id}", _delete_internal),
)
WRITE_NAMES = frozenset(w.name for w in WRITES)


def candidates(path: str, get_template: str | None) -> list[tuple[WriteRoute, Args]]:
    """The write routes serving ``path`` (any method); where a GET route serves it too, only
    those with the same template (a literal segment of a GET route wins over ``{id}``)."""
    out = []
    for route in WRITES:
        found = route.pattern.fullmatch(path)
        if found and get_template in (None, route.template):
            out.append((route, found.groups()))
    return out
