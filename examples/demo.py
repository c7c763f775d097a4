"""`make demo`: sync Aha! ideas, proxy votes and comments into DuckDB with PyAirbyte.

Without `--config` it starts the local Aha! emulator with a seeded workspace, syncs everything,
changes the workspace (new and edited ideas, new votes and comments; two ideas, a comment and a
proxy vote deleted) and syncs again incrementally, showing that only the changes were read and
that the deleted records leave the tables. With `--config secrets/config.json` it
syncs that real Aha! account (incrementally, from the state PyAirbyte keeps in its cache). Each
account, and the emulator, has a cache of its own (`examples/caches.py`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# PyAirbyte looks its connectors up in Airbyte's online registry unless told not to.
os.environ.setdefault("AIRBYTE_OFFLINE_MODE", "1")
os.environ.setdefault("DO_NOT_TRACK", "1")

import airbyte as ab
import airbyte.progress

from aha_emulator import AhaEmulator
from examples.caches import account_cache, demo_cache

if not sys.stdout.isatty():
    # PyAirbyte takes any non-terminal for a notebook and prints IPython objects; the heartbeat
    # below reports progress instead.
    airbyte.progress.IS_NOTEBOOK = False
    os.environ["NO_LIVE_PROGRESS"] = "1"

EXECUTABLE = str(Path(sys.executable).with_name("source-aha"))
STREAMS = ["ideas", "idea_proxy_votes", "idea_comments"]
TOP_IDEAS_SQL = """
    SELECT i.reference_num, i.name, i.votes,
           COUNT(v.id) AS proxy_votes,
           SUM(TRY_CAST(v.value AS DOUBLE)) AS proxy_vote_value
    FROM ideas i LEFT JOIN idea_proxy_votes v ON v.idea_id = i.id
    GROUP BY i.reference_num, i.name, i.votes
    ORDER BY i.votes DESC, proxy_vote_value DESC NULLS LAST
    LIMIT 10
"""
# PyAirbyte's cache keeps the latest record per key but does not apply deletes itself: the
# connector's tombstones arrive as rows with `_ab_cdc_deleted_at` set, removed with one statement.
APPLY_DELETES_SQL = "DELETE FROM {table} WHERE _ab_cdc_deleted_at IS NOT NULL"


@contextmanager
def local_workspace(ideas: int, seed: int) -> Iterator[tuple[AhaEmulator, dict[str, Any]]]:
    """The emulator, with Aha!'s limits scaled up tenfold (and the connector's budget with them)
    so the demo takes seconds rather than minutes."""
    with AhaEmulator(ideas=ideas, seed=seed, per_second=200, per_minute=3000) as emulator:
        config = {
            "api_key": emulator.api_key,
            "subdomain": "demo",
            "base_url": emulator.url,
            "max_requests_per_minute": 3000,
        }
        yield emulator, config


@contextmanager
def heartbeat(describe: Callable[[], str], every: float = 5.0) -> Iterator[None]:
    """Prints a progress line every few seconds while a sync runs outside a terminal."""
    done = threading.Event()
    started = time.monotonic()

    def beat() -> None:
        while not done.wait(every):
            print(f"   ... {time.monotonic() - started:.0f} s, {describe()}", flush=True)

    thread = threading.Thread(target=beat, daemon=True)
    if not sys.stdout.isatty():
        thread.start()
    try:
        yield
    finally:
        done.set()
        if thread.is_alive():
            thread.join()


def sync(
    config: dict[str, Any],
    cache: ab.caches.DuckDBCache,
    full: bool,
    describe: Callable[[], str] = lambda: "still syncing",
) -> tuple[int, float]:
    source = ab.get_source("source-aha", config=config, local_executable=EXECUTABLE)
    source.select_streams(STREAMS)
    started = time.monotonic()
    with heartbeat(describe):
        # A full sync replaces the tables, so that a re-run of the demo starts from scratch.
        result = source.read(
            cache=cache, force_full_refresh=full, write_strategy="replace" if full else "auto"
        )
    return result.processed_records, time.monotonic() - started


def show_tables(cache: ab.caches.DuckDBCache) -> dict[str, int]:
    counts = {
        stream: int(cache.run_sql_query(f"SELECT COUNT(*) AS n FROM {stream}")[0]["n"])
        for stream in STREAMS
    }
    print(f"\nRows in {cache.db_path}:")
    for stream, count in counts.items():
        print(f"  {stream:<18} {count:>7,}")
    return counts


def apply_deletes(cache: ab.caches.DuckDBCache) -> dict[str, int]:
    """Removes the rows whose record was deleted in Aha!; returns how many per table."""
    removed = {}
    for stream in STREAMS:
        query = f"SELECT COUNT(*) AS n FROM {stream} WHERE _ab_cdc_deleted_at IS NOT NULL"
        removed[stream] = int(cache.run_sql_query(query)[0]["n"])
        cache.execute_sql(APPLY_DELETES_SQL.format(table=stream))
    return removed


def delete_some(emulator: AhaEmulator, spared: set[str]) -> dict[str, list[str]]:
    """Deletes two ideas with votes and comments, and a comment and a proxy vote of a third."""
    ws = emulator.workspace
    ideas = [
        i
        for i in ws.ideas()
        if i["id"] not in spared and i["endorsements_count"] and i["comments_count"]
    ]
    gone, other = ideas[:2], ideas[2]
    for idea in gone:
        ws.delete_idea(idea["id"])
    comment = next(c for c in ws.idea_comments() if c["idea_id"] == other["id"])
    vote = next(v for v in ws.votes(proxy=True) if v["idea_id"] == other["id"])
    ws.delete_comment(comment["id"])
    ws.delete_vote(vote["id"])
    return {"ideas": [i["id"] for i in gone], "comments": [comment["id"]], "votes": [vote["id"]]}


def show_top_ideas(cache: ab.caches.DuckDBCache) -> None:
    print("\nTop ideas by votes, with the proxy votes cast for customer organizations:")
    print(f"  {'idea':<12} {'votes':>5} {'proxy':>5} {'value':>8}  name")
    for row in cache.run_sql_query(TOP_IDEAS_SQL):
        value = row["proxy_vote_value"]
        print(
            f"  {row['reference_num']:<12} {row['votes']:>5} {row['proxy_votes']:>5} "
            f"{(value or 0):>8.1f}  {row['name'][:60]}"
        )


def explore_command(db_path: Path) -> str:
    """A shell command that lists the tables of the DuckDB file, with this virtualenv's Python
    (the `duckdb` command-line program is not installed with PyAirbyte)."""
    python = (
        os.path.relpath(sys.executable)
        if Path.cwd() in Path(sys.executable).parents
        else sys.executable
    )
    query = (
        f"import duckdb; db = duckdb.connect('{db_path}', read_only=True); "
        "db.sql('SHOW ALL TABLES').show()"
    )
    return f'{python} -c "{query}"'


def demo_local(ideas: int, seed: int) -> None:
    cache = demo_cache()
    with local_workspace(ideas, seed) as (emulator, config):
        print(f"Local Aha! emulator at {emulator.url} with {ideas:,} ideas (seed {seed}).")
        print("\n1. Full sync of ideas, proxy votes and comments into DuckDB")
        served = lambda: f"{emulator.stats.total:,} API requests served"  # noqa: E731
        records, seconds = sync(config, cache, full=True, describe=served)
        requests = emulator.stats.total
        print(f"   {records:,} records in {seconds:.1f} s with {requests:,} API requests")
        before = show_tables(cache)
        show_top_ideas(cache)

        change = emulator.workspace.mutate_random(25, seed=seed + 1)
        deleted = delete_some(emulator, set(change["changed_idea_ids"]))
        emulator.stats.reset()
        print(
            f"\n2. The workspace changes: {len(change['changed_idea_ids'])} ideas touched "
            f"({len(change['new_idea_ids'])} new, {len(change['edited_idea_ids'])} edited), "
            f"{len(change['new_vote_ids'])} new proxy votes, "
            f"{len(change['new_comment_ids'])} new comments; deleted: ideas "
            f"{', '.join(deleted['ideas'])} (with their votes and comments), comment "
            f"{deleted['comments'][0]}, proxy vote {deleted['votes'][0]}"
        )
        print("\n3. Incremental sync from the state PyAirbyte saved")
        records, seconds = sync(config, cache, full=False, describe=served)
        routes = emulator.stats.by_route()
        print(
            f"   {records:,} records in {seconds:.1f} s with {emulator.stats.total} API requests:"
        )
        print("   " + json.dumps(routes, indent=None))
        removed = apply_deletes(cache)
        print(
            "   Deletes applied ("
            + APPLY_DELETES_SQL.format(table="<table>")
            + "): "
            + ", ".join(f"{n} rows from {stream}" for stream, n in removed.items())
        )
        after = show_tables(cache)
        ids = ", ".join(f"'{i}'" for i in deleted["ideas"])
        left = cache.run_sql_query(f"SELECT COUNT(*) AS n FROM ideas WHERE id IN ({ids})")
        print(
            f"\n   Only the changes were read: {records} records instead of "
            f"{sum(before.values()):,}; ideas changed by {after['ideas'] - before['ideas']:+}, "
            f"proxy votes by {after['idea_proxy_votes'] - before['idea_proxy_votes']:+}, "
            f"comments by {after['idea_comments'] - before['idea_comments']:+}. "
            f"Deleted ideas left in DuckDB: {left[0]['n']}."
        )
    print("\nThe emulator is stopped. Explore the data (DuckDB comes with PyAirbyte):")
    print("   " + explore_command(Path(cache.db_path)))


def demo_account(config_path: Path) -> None:
    config = json.loads(config_path.read_text(encoding="utf-8"))
    cache = account_cache(config)
    print(f"Syncing the Aha! account {config.get('subdomain')!r} (incremental after the first run)")
    print(
        f"   into this account's own cache, {cache.db_path}: the emulator demo's tables and "
        f"state stay in {demo_cache().db_path}"
    )
    records, seconds = sync(config, cache, full=False)
    print(f"   {records:,} records in {seconds:.1f} s")
    removed = apply_deletes(cache)
    print("   Deleted in Aha! since the last sync: " + json.dumps(removed))
    show_tables(cache)
    show_top_ideas(cache)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, help="a real Aha! account's config file")
    parser.add_argument("--ideas", type=int, default=2000, help="emulated workspace size")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.config:
        demo_account(args.config)
    else:
        demo_local(args.ideas, args.seed)


if __name__ == "__main__":
    main()
