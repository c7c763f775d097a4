"""Read-only checks of the list endpoints: `updated_since`, `per_page`, `fields=`, `proxy=`.

Each function asks the account a few questions whose answers the connector's incremental reads
depend on, and returns one verdict with the ids and timestamps that decided it. None writes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from verify_live.client import AhaClient
from verify_live.times import format_ms, minus_ms, parse_time
from verify_live.verdicts import Verdict, confirmed, refuted, untested

IDEAS = "/api/v1/ideas"
VOTES = "/api/v1/ideas/endorsements"
# Derived counts the connector reads from the ideas list rather than idea by idea.
COUNT_FIELDS = ("votes", "endorsements_count", "comments_count")
NARROWING_STEPS = 6


def newest_idea(client: AhaClient) -> tuple[datetime, dict[str, Any]] | str:
    """One of the most recently updated ideas: the newest of a page, then the newest of the
    ideas updated after it, until one page holds them all (few ideas were updated later, so
    the `updated_since` questions below can be paged to their end). Or why there is none."""
    params: dict[str, str | int] = {"fields": "id,updated_at", "per_page": 200}
    newest: tuple[datetime, dict[str, Any]] | None = None
    for _ in range(NARROWING_STEPS):
        answer = client.get(IDEAS, **params)
        if not answer.ok:
            return answer.describe()
        dated = [(t, r) for r in answer.rows("ideas") if (t := parse_time(r.get("updated_at")))]
        if dated:
            newest = max(dated, key=lambda pair: pair[0])
        if newest is None:
            return "no idea with an updated_at on the first page of GET /ideas"
        if int(answer.pagination.get("total_pages") or 0) <= 1:
            break
        params["updated_since"] = str(newest[1]["updated_at"])
    assert newest is not None
    return newest


def check_updated_since_exclusive(client: AhaClient) -> Verdict:
    """A recently updated idea, asked for with `updated_since` at exactly its `updated_at` and
    one millisecond earlier: exclusive means absent, then present."""
    key = "updated_since_exclusive"
    found = newest_idea(client)
    if isinstance(found, str):
        return untested(key, found)
    moment, idea = found
    idea_id, stamp = str(idea["id"]), str(idea["updated_at"])

    def listed(bound: str) -> tuple[bool | None, str]:
        rows, complete, last = client.pages(
            IDEAS, "ideas", updated_since=bound, fields="id,updated_at", per_page=200
        )
        found = any(str(r.get("id")) == idea_id for r in rows)
        if not last.ok:
            return None, last.describe()
        return (found if found or complete else None), f"{len(rows)} rows"

    at_bound, at_note = listed(stamp)
    earlier = format_ms(minus_ms(moment))
    before, before_note = listed(earlier)
    evidence = (
        f"idea {idea_id} updated_at {stamp}: updated_since={stamp} -> "
        f"{'listed' if at_bound else 'not listed'} ({at_note}); updated_since={earlier} -> "
        f"{'listed' if before else 'not listed'} ({before_note})"
    )
    if at_bound is None or before is None:
        return untested(key, f"{evidence}; too many rows to page through")
    if at_bound:
        return refuted(key, f"inclusive: {evidence}")
    if not before:
        return untested(
            key, f"the filter drops the idea even 1 ms early (coarser precision?): {evidence}"
        )
    return confirmed(key, evidence)


def check_per_page_200(client: AhaClient) -> Verdict:
    """The first list with more than 200 rows must answer 200 of them on a `per_page=200` page
    (and says, as evidence, what `per_page=201` gives)."""
    key = "per_page_200"
    notes = []
    for path, envelope, params in (
        (IDEAS, "ideas", {"fields": "id"}),
        (VOTES, "idea_endorsements", {}),
        ("/api/v1/users", "users", {}),
    ):
        answer = client.get(path, per_page=200, **params)
        if not answer.ok:
            notes.append(answer.describe())
            continue
        rows, total = len(answer.rows(envelope)), int(answer.pagination.get("total_records") or 0)
        notes.append(f"GET {path}?per_page=200: {rows} rows of total_records {total}")
        if total <= 200:
            continue
        above = client.get(path, per_page=201, **params)
        more = f"; per_page=201 gives {len(above.rows(envelope))} rows" if above.ok else ""
        evidence = f"GET {path}?per_page=200: {rows} rows of total_records {total}{more}"
        return confirmed(key, evidence) if rows == 200 else refuted(key, evidence)
    return untested(key, "no list has more than 200 rows: " + "; ".join(notes))


def check_ideas_fields(client: AhaClient) -> Verdict:
    """The ideas list with `fields=` naming the counts must give them, equal to the idea's own
    `GET /ideas/:id` (the connector never asks idea by idea)."""
    key = "ideas_fields"
    answer = client.get(IDEAS, fields="id,updated_at," + ",".join(COUNT_FIELDS), per_page=5)
    if not answer.ok:
        return untested(key, answer.describe())
    rows = answer.rows("ideas")
    if not rows:
        return untested(key, "the account has no ideas")
    missing = sorted({f for r in rows for f in COUNT_FIELDS if f not in r})
    row = rows[0]
    full = client.get(f"{IDEAS}/{row['id']}").record("idea")
    listed = {f: row.get(f) for f in COUNT_FIELDS}
    detail = {f: full.get(f) for f in COUNT_FIELDS}
    evidence = f"idea {row['id']}: list {listed}, GET /ideas/{row['id']} {detail}"
    if missing:
        return refuted(key, f"list rows lack {missing}; {evidence}")
    if listed != detail:
        return refuted(key, f"list and detail differ: {evidence}")
    return confirmed(key, f"{len(rows)} rows carry {list(COUNT_FIELDS)}; {evidence}")


def check_proxy_votes(client: AhaClient) -> Verdict:
    """`proxy=true` rows must all have an organization, and (when every vote fits in a few
    pages) be exactly the votes that have one."""
    key = "proxy_votes"
    proxy, proxy_complete, last = client.pages(
        VOTES, "idea_endorsements", proxy="true", per_page=200
    )
    if not last.ok:
        return untested(key, last.describe())
    if not proxy:
        return untested(key, "GET /ideas/endorsements?proxy=true lists no vote")
    without = [str(v.get("id")) for v in proxy if not v.get("idea_organization")]
    every, every_complete, last = client.pages(VOTES, "idea_endorsements", per_page=200)
    with_org = {str(v.get("id")) for v in every if v.get("idea_organization")}
    proxy_ids = {str(v.get("id")) for v in proxy}
    evidence = (
        f"proxy=true: {len(proxy)} votes (e.g. {sorted(proxy_ids)[:3]}); all votes: {len(every)}, "
        f"{len(with_org)} with an idea_organization"
    )
    if without:
        return refuted(key, f"proxy=true votes without an organization: {without[:5]}; {evidence}")
    if proxy_complete and every_complete and last.ok and proxy_ids != with_org:
        odd = sorted(proxy_ids ^ with_org)[:5]
        return refuted(key, f"the two sets differ (e.g. {odd}); {evidence}")
    if not (proxy_complete and every_complete):
        evidence += " (not every page read: compared the rows read)"
    return confirmed(key, evidence)
