"""The kit's own records on the account: a marked test idea and its children, made and removed
through Aha!'s documented write endpoints (docs/aha-api.md §11), with a connector sync between
steps.

Only this module writes, and only when the runner was given `--allow-writes`. Every record it
creates is registered in `created` before anything else can fail, so `cleanup.remove` can delete
whatever a failed or interrupted run leaves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from verify_live import MARKER
from verify_live.client import AhaClient, ApiResponse
from verify_live.connector import Connector, SyncError, SyncResult

# Where each kind of record is deleted, and the connector stream it lands in.
STREAM = {
    "idea": "ideas",
    "vote": "idea_proxy_votes",
    "idea_comment": "idea_comments",
    "internal_comment": "idea_internal_comments",
}


class StepError(Exception):
    """A write the scenario needs was refused; the message is the answer's description."""


@dataclass
class Created:
    """One record the kit made: its kind (a key of `STREAM`), id and idea."""

    kind: str
    id: str
    idea_id: str
    deleted: bool = False

    def delete_path(self) -> str:
        return {
            "idea": f"/api/v1/ideas/{self.id}",
            "vote": f"/api/v1/ideas/{self.idea_id}/endorsements/{self.id}",
            "idea_comment": f"/api/v1/ideas/{self.idea_id}/idea_comments/{self.id}",
            "internal_comment": f"/api/v1/comments/{self.id}",
        }[self.kind]


@dataclass(frozen=True)
class Account:
    """What the writes need: a product to create in, the key's user, an organization."""

    product_id: str
    user_id: str | None
    user_email: str | None
    org_id: str | None


def _first(client: AhaClient, path: str, key: str) -> dict[str, Any]:
    rows = client.get(path, per_page=1).rows(key)
    return rows[0] if rows else {}


def find_account(client: AhaClient, product: str | None) -> Account:
    """The product (`--product` or the first one), the key's user (`/me`, else the first user)
    and the first idea organization (proxy votes need one; None if the plan lacks them)."""
    product_id = product or str(_first(client, "/api/v1/products", "products").get("id") or "")
    if not product_id:
        raise StepError("the account lists no product to create the test idea in")
    me = client.get("/api/v1/me")
    user = me.record("user") if me.ok else {}
    user = user or _first(client, "/api/v1/users", "users")
    org = _first(client, "/api/v1/idea_organizations", "idea_organizations")
    return Account(
        product_id,
        str(user["id"]) if user.get("id") else None,
        str(user["email"]) if user.get("email") else None,
        str(org["id"]) if org.get("id") else None,
    )


@dataclass
class Scenario:
    """The test idea's life: create, add children, edit, delete; syncs in between."""

    client: AhaClient
    connector: Connector
    account: Account
    stamp: str  # the run's UTC start, in every name and body
    created: list[Created] = field(default_factory=list)
    idea: Created | None = None
    idea_name: str = ""
    state: list[dict[str, Any]] = field(default_factory=list)
    syncs: list[SyncResult] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{MARKER} {self.stamp}"

    def _made(self, answer: ApiResponse, key: str, kind: str, idea_id: str | None) -> Created:
        record = answer.record(key)
        if not answer.ok or not record.get("id"):
            raise StepError(answer.describe())
        made = Created(kind, str(record["id"]), idea_id or str(record["id"]))
        self.created.append(made)
        return made

    def create_idea(self) -> Created:
        self.idea_name = self.label
        body: dict[str, Any] = {
            "name": self.idea_name,
            "description": f"<p>Created by source-aha's live verification kit ({self.stamp}); "
            "it deletes this idea when it ends.</p>",
            "skip_portal": True,
        }
        if self.account.user_email:
            body["created_by"] = self.account.user_email
        path = f"/api/v1/products/{self.account.product_id}/ideas"
        self.idea = self._made(self.client.post(path, {"idea": body}), "idea", "idea", None)
        return self.idea

    def _idea(self) -> Created:
        if self.idea is None:
            raise StepError("no test idea")
        return self.idea

    def add_vote(self) -> Created:
        idea = self._idea()
        if self.account.org_id is None:
            raise StepError("the account lists no idea organization (Ideas Advanced plan?)")
        vote: dict[str, Any] = {
            "idea_organization_id": self.account.org_id,
            "value": 1,
            "description": f"<p>{self.label} proxy vote</p>",
        }
        if self.account.user_email:
            vote["created_by_user"] = self.account.user_email
        answer = self.client.post(
            f"/api/v1/ideas/{idea.id}/endorsements", {"idea_endorsement": vote}
        )
        return self._made(answer, "idea_endorsement", "vote", idea.id)

    def add_portal_comment(self, spam: bool = False) -> Created:
        """A public portal comment by the key's user (`spam` marks it spam when made)."""
        idea = self._idea()
        comment: dict[str, Any] = {
            "body": f"<p>{self.label} portal comment{' (spam)' if spam else ''}</p>",
            "visibility": "public",
        }
        if spam:
            comment["spam"] = True
        if self.account.user_id:
            comment["user"] = {"id": self.account.user_id}
        answer = self.client.post(
            f"/api/v1/ideas/{idea.id}/idea_comments", {"idea_comment": comment}
        )
        return self._made(answer, "idea_comment", "idea_comment", idea.id)

    def edit_portal_comment(self, comment: Created) -> Created:
        body = {"idea_comment": {"body": f"<p>{self.label} portal comment (edited)</p>"}}
        answer = self.client.put(f"/api/v1/idea_comments/{comment.id}", body)
        if not answer.ok:
            raise StepError(answer.describe())
        return comment

    def add_internal_comment(self) -> Created:
        idea = self._idea()
        body = {"comment": {"body": f"<p>{self.label} internal comment</p>"}}
        answer = self.client.post(f"/api/v1/ideas/{idea.id}/comments", body)
        return self._made(answer, "comment", "internal_comment", idea.id)

    def edit_idea(self) -> None:
        idea = self._idea()
        name = f"{self.label} (edited)"
        answer = self.client.put(f"/api/v1/ideas/{idea.id}", {"idea": {"name": name}})
        if not answer.ok:
            raise StepError(answer.describe())
        self.idea_name = name

    def delete(self, record: Created) -> ApiResponse:
        """Deletes one record; a 404 counts as deleted (it is gone either way)."""
        answer = self.client.delete(record.delete_path())
        if answer.ok or answer.status == 404:
            record.deleted = True
            if record.kind == "idea":  # its children go with it
                for child in self.created:
                    if child.idea_id == record.id:
                        child.deleted = True
        return answer

    def idea_now(self) -> dict[str, Any]:
        """The test idea's `updated_at` and counts as `GET /ideas/:id` gives them."""
        answer = self.client.get(
            f"/api/v1/ideas/{self._idea().id}",
            fields="id,updated_at,comments_count,endorsements_count",
        )
        if not answer.ok:
            raise StepError(answer.describe())
        return answer.record("idea")

    def sync(self) -> SyncResult | str:
        """One incremental sync from the last state: its result, or why it failed."""
        try:
            result = self.connector.read(self.state)
        except SyncError as error:
            return str(error)
        self.state = result.state or self.state
        self.syncs.append(result)
        return result
