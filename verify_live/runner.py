"""Runs every check in a safe order and collects one verdict per assumption.

Order: the probe (a setup error ends the run before anything else), the sweep of an earlier
run's leftovers, the read-only checks, the write scenario (only with `--allow-writes`, cleaned up
in `finally` even on an error or Ctrl-C), the audits cursor (which the scenario's audits help on
a quiet account) and last the burst, which spends the rate-limit budget. A check that raises is
reported as "could not test" with the error; it does not stop the others.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

from verify_live.assumptions import ASSUMPTIONS
from verify_live.checks_audits import check_audits_cursor
from verify_live.checks_counts import check_comments_count
from verify_live.checks_deletes import (
    check_destroy_audit_idea,
    check_destroy_audit_idea_comment,
    check_destroy_audit_internal_comment,
    check_destroy_audit_vote,
    check_destroy_audits_cascade,
    check_recycle_bin,
    check_tombstones,
    run_deletes,
)
from verify_live.checks_limits import check_rate_limit_headers, check_retry_after_on_429
from verify_live.checks_lists import (
    check_ideas_fields,
    check_per_page_200,
    check_proxy_votes,
    check_updated_since_exclusive,
)
from verify_live.checks_writes import (
    check_updated_at_on_comment,
    check_updated_at_on_comment_edit,
    check_updated_at_on_internal_comment,
    check_updated_at_on_vote,
)
from verify_live.cleanup import marked_ideas, remove, sweep
from verify_live.client import AhaClient, ApiUnreachableError
from verify_live.connector import Connector
from verify_live.scenario import Scenario, StepError, find_account
from verify_live.settings import Settings, SetupError
from verify_live.times import utc_now
from verify_live.verdicts import WRITES_NOT_ALLOWED, Verdict, untested

Say = Callable[[str], None]
# Aha!'s clock and this machine's may differ: audits are looked up from a few minutes back.
CLOCK_MARGIN = timedelta(minutes=5)
DELETE_CHECKS = (
    check_destroy_audit_idea,
    check_destroy_audit_vote,
    check_destroy_audit_idea_comment,
    check_destroy_audit_internal_comment,
    check_destroy_audits_cascade,
    check_recycle_bin,
    check_tombstones,
)


def probe(client: AhaClient) -> None:
    """One request that must succeed before anything else: else a `SetupError`."""
    try:
        answer = client.get("/api/v1/products", per_page=1)
    except ApiUnreachableError as error:
        raise SetupError(f"cannot reach Aha!: {error}") from None
    if answer.status == 401:
        raise SetupError(f"Aha! refused the API key: {answer.describe()}")
    if not answer.ok or not isinstance(answer.body, dict):
        raise SetupError(f"not an Aha! API answer: {answer.describe()}")


@contextlib.contextmanager
def no_interrupts() -> Iterator[None]:
    """Ctrl-C is held back while cleaning up, so a second one cannot strand test records."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@dataclass
class Runner:
    settings: Settings
    allow_writes: bool
    burst: int | None
    product: str | None
    say: Say

    def __post_init__(self) -> None:
        self.client = AhaClient(self.settings)
        self.verdicts: dict[str, Verdict] = {}
        self.start = utc_now()

    def _record(self, key: str, check: Callable[[], Verdict]) -> None:
        try:
            verdict = check()
        except Exception as error:  # one broken check must not hide the others' answers
            verdict = untested(key, f"the check failed: {type(error).__name__}: {error}")
        self.verdicts[key] = verdict
        self.say(f"  {verdict.status.value:>14}  {verdict.assumption}")

    def run(self) -> list[Verdict]:
        """Every verdict, in table order (`ASSUMPTIONS`)."""
        probe(self.client)
        if self.allow_writes:
            swept, problems = sweep(self.client)
            if swept or problems:
                self.say(f"swept {len(swept)} marked idea(s) left by an earlier run: {swept}")
            for problem in problems:
                self.say(f"sweep: {problem}")
        record = self._record
        record("updated_since_exclusive", lambda: check_updated_since_exclusive(self.client))
        record("per_page_200", lambda: check_per_page_200(self.client))
        record("ideas_fields", lambda: check_ideas_fields(self.client))
        record("proxy_votes", lambda: check_proxy_votes(self.client))
        record("rate_limit_headers", lambda: check_rate_limit_headers(self.client))
        if self.allow_writes:
            self._writes()
        else:
            record("comments_count", lambda: check_comments_count(self.client))
        record("audits_cursor", lambda: check_audits_cursor(self.client))
        record("retry_after_on_429", lambda: check_retry_after_on_429(self.client, self.burst))
        return self.table()

    def table(self, missing: str = "not reached") -> list[Verdict]:
        """The verdicts so far, in table order; a row not answered says why."""
        rows = []
        for a in ASSUMPTIONS:
            why = WRITES_NOT_ALLOWED if a.writes and not self.allow_writes else missing
            rows.append(self.verdicts.get(a.key) or untested(a.key, why))
        return rows

    def _writes(self) -> None:
        """The write scenario; whatever happens, what it created is deleted afterwards."""
        stamp = self.start.strftime("%Y-%m-%dT%H:%M:%SZ")
        with Connector(self.settings.connector_config, self.start, self.settings.redactor) as sync:
            scenario: Scenario | None = None
            try:
                account = find_account(self.client, self.product)
                scenario = Scenario(self.client, sync, account, stamp)
                idea = scenario.create_idea()
                self.say(f"created test idea {idea.id} ({scenario.label}) in {account.product_id}")
                self._scenario(scenario)
            except (StepError, ApiUnreachableError) as error:
                started = scenario is not None and scenario.idea is not None
                what = "the write steps stopped" if started else "the test idea was not created"
                self._skip_writes(f"{what}: {error}")
            finally:
                if scenario is not None:
                    self._clean(scenario)
        if "comments_count" not in self.verdicts:
            self._record("comments_count", lambda: check_comments_count(self.client))

    def _scenario(self, scenario: Scenario) -> None:
        """The checks in the order their steps build on each other."""
        record = self._record
        scenario.sync()  # the baseline the next syncs start from
        record("updated_at_on_vote", lambda: check_updated_at_on_vote(scenario))
        record("updated_at_on_comment", lambda: check_updated_at_on_comment(scenario))
        record("updated_at_on_comment_edit", lambda: check_updated_at_on_comment_edit(scenario))
        record(
            "updated_at_on_internal_comment",
            lambda: check_updated_at_on_internal_comment(scenario),
        )
        self._count_comments(scenario)
        seen = run_deletes(scenario, self.start - CLOCK_MARGIN)
        for check in DELETE_CHECKS:
            key = check.__name__.removeprefix("check_")
            record(key, lambda check=check: check(seen))  # type: ignore[misc]

    def _count_comments(self, scenario: Scenario) -> None:
        """`comments_count` with the test idea's one portal, one internal and one spam comment
        among the ideas sampled; the spam comment is deleted right after."""
        spam = None
        try:
            spam = scenario.add_portal_comment(spam=True)
        except StepError as error:
            self.say(f"could not add a spam portal comment: {error}")
        idea_id = scenario.idea.id if scenario.idea else None
        self._record("comments_count", lambda: check_comments_count(self.client, idea_id))
        if spam is not None:
            scenario.delete(spam)

    def _skip_writes(self, reason: str) -> None:
        """Every write row not answered yet says why the steps stopped."""
        for assumption in ASSUMPTIONS:
            if assumption.writes and assumption.key not in self.verdicts:
                self.verdicts[assumption.key] = untested(assumption.key, reason)

    def _clean(self, scenario: Scenario) -> None:
        with no_interrupts():
            problems = remove(self.client, scenario.created)
            try:
                left = [i["id"] for i in marked_ideas(self.client) if scenario.stamp in i["name"]]
            except ApiUnreachableError as error:
                left = [f"could not check what is left: {error}"]
        made = len(scenario.created)
        if problems or left:
            self.say(f"CLEANUP INCOMPLETE: {problems} {left}: delete these by hand")
        else:
            self.say(f"cleanup: all {made} record(s) the kit created are deleted")
