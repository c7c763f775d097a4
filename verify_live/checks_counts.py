"""What an idea's `comments_count` counts: portal comments only, without internal or spam ones.

The connector skips the portal comments of ideas whose `comments_count` is 0, so a count of
something else would hide comments. Existing ideas are compared with their portal comments
(with and without `spam=true`) and internal comments; with `--allow-writes` the kit's test idea
(one portal and one internal comment) adds a case that tells the two kinds apart for certain.
"""

from __future__ import annotations

from dataclasses import dataclass

from verify_live.client import AhaClient
from verify_live.verdicts import Verdict, confirmed, refuted, untested

SAMPLE = 8  # ideas with comments, at three requests each


@dataclass(frozen=True)
class Counted:
    idea_id: str
    comments_count: int
    portal: int  # non-spam portal comments
    spam: int
    internal: int

    def __str__(self) -> str:
        return (
            f"idea {self.idea_id}: comments_count={self.comments_count}, portal={self.portal}, "
            f"spam={self.spam}, internal={self.internal}"
        )


def count_idea(client: AhaClient, idea_id: str, comments_count: int) -> Counted | None:
    """The idea's comments of each kind, or None when a list does not answer."""
    portal = client.get(f"/api/v1/ideas/{idea_id}/idea_comments", fields="id,spam", per_page=200)
    with_spam = client.get(
        f"/api/v1/ideas/{idea_id}/idea_comments", fields="id,spam", spam="true", per_page=200
    )
    internal = client.get(f"/api/v1/ideas/{idea_id}/comments", per_page=1)
    if not (portal.ok and with_spam.ok and internal.ok):
        return None
    visible = {str(c.get("id")) for c in portal.rows("idea_comments") if not c.get("spam")}
    # `spam=true` may list spam only, or everything: spam is what is flagged or was hidden.
    spam = {
        str(c.get("id"))
        for c in with_spam.rows("idea_comments")
        if c.get("spam") or str(c.get("id")) not in visible
    }
    internal_total = int(internal.pagination.get("total_records") or 0)
    return Counted(idea_id, comments_count, len(visible), len(spam), internal_total)


def sample_ideas(client: AhaClient) -> list[tuple[str, int]]:
    """(id, comments_count) of up to `SAMPLE` ideas with comments on the first ideas page."""
    answer = client.get("/api/v1/ideas", fields="id,comments_count", per_page=200)
    rows = [r for r in answer.rows("ideas") if isinstance(r.get("comments_count"), int)]
    rows.sort(key=lambda r: -int(r["comments_count"]))
    return [(str(r["id"]), int(r["comments_count"])) for r in rows[:SAMPLE]]


def check_comments_count(client: AhaClient, test_idea: str | None = None) -> Verdict:
    """Every sampled idea's `comments_count` must equal its non-spam portal comments; the
    verdict is confirmed only if some idea had internal comments, so the kinds were told apart."""
    key = "comments_count"
    ideas = sample_ideas(client)
    if test_idea is not None:
        fresh = client.get(f"/api/v1/ideas/{test_idea}", fields="id,comments_count")
        count = fresh.record("idea").get("comments_count")
        if isinstance(count, int):
            ideas.insert(0, (test_idea, count))
    counted = [c for c in (count_idea(client, i, n) for i, n in ideas) if c is not None]
    if not counted:
        return untested(key, "no idea with a comments_count and readable comments")
    wrong = [c for c in counted if c.comments_count != c.portal]
    if wrong:
        fits = {
            "portal + internal": all(c.comments_count == c.portal + c.internal for c in wrong),
            "portal + spam": all(c.comments_count == c.portal + c.spam for c in wrong),
        }
        guess = [name for name, fit in fits.items() if fit]
        hint = f" (fits: {', '.join(guess)})" if guess else ""
        return refuted(key, f"{'; '.join(map(str, wrong[:4]))}{hint}")
    telling = [c for c in counted if c.internal]
    spam_seen = any(c.spam for c in counted)
    shown = (telling[:2] or counted[:2]) + [c for c in counted if c.spam][:1]
    evidence = (
        f"{len(counted)} ideas, each comments_count == portal comments; "
        f"{'; '.join(map(str, shown))}"
        + ("" if spam_seen else "; no sampled idea had spam comments (spam not told apart)")
    )
    if not telling:
        return untested(key, f"no sampled idea has internal comments to tell apart: {evidence}")
    return confirmed(key, evidence)
