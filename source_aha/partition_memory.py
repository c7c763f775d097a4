"""Flat memory for the per-idea streams: free a finished partition's cursor in global-cursor mode.

`idea_comments` and the other per-idea streams read one partition per parent idea with one
global cursor (`global_substream_cursor: true`). In airbyte-cdk 7.39.1 the
`ConcurrentPerPartitionCursor` stores a `ConcurrentCursor` for every partition it generates in
`_cursor_per_partition`, in every mode, and drops them only past 25,000 partitions;
`_cleanup_if_done` frees a finished partition's semaphore and bookkeeping but not its cursor.
In global mode nothing reads that cursor after the partition's slices are generated:
`state`, `observe`, `close_partition` and `_get_cursor` use the global cursor, and
`split_request_window` uses a cursor of its own. So a sync of N ideas kept N dead cursors,
about 1.5 KB each: peak RSS grew by half from 2,000 to 20,000 ideas.

`evict_finished_partition_cursors()` wraps `_cleanup_if_done` so that, in global mode, a
partition it has just cleaned up also loses its cursor. Per-partition mode (which needs every
cursor for its state) is untouched, and so is the state written. A duplicate of an already
finished partition gets a fresh cursor from the global state, as it does in the CDK once a
cursor is dropped past the limit. The patch is applied only to the CDK version it was written
against; `unit_tests/test_partition_memory.py` records the code it relies on and fails when
that code changes.
"""

from __future__ import annotations

import functools
import logging
from importlib import metadata
from typing import Any

from airbyte_cdk.sources.declarative.incremental.concurrent_partition_cursor import (
    ConcurrentPerPartitionCursor,
)

WRITTEN_FOR = "7.39.1"
_MARK = "_source_aha_evicts_finished_cursors"

logger = logging.getLogger("airbyte")


def evict_finished_partition_cursors(installed: str | None = None) -> bool:
    """Installs the eviction on the CDK version it was written for; True when it did (or had)."""
    installed = installed or metadata.version("airbyte-cdk")
    if installed != WRITTEN_FOR:
        logger.warning(
            "source_aha.partition_memory: airbyte-cdk %s is not %s; finished partitions' "
            "cursors are kept (memory grows with the number of ideas).",
            installed,
            WRITTEN_FOR,
        )
        return False
    original = ConcurrentPerPartitionCursor._cleanup_if_done
    if getattr(original, _MARK, False):
        return True

    @functools.wraps(original)
    def _cleanup_if_done(self: ConcurrentPerPartitionCursor, partition_key: str) -> None:
        original(self, partition_key)
        # Called under `self._lock` by `close_partition`, which has just acquired the
        # partition's semaphore: a missing semaphore means the partition was cleaned up.
        if self._use_global_cursor and partition_key not in self._semaphore_per_partition:
            self._cursor_per_partition.pop(partition_key, None)

    setattr(_cleanup_if_done, _MARK, True)
    ConcurrentPerPartitionCursor._cleanup_if_done = _cleanup_if_done  # type: ignore[method-assign]
    return True


def original_cleanup_if_done() -> Any:
    """The CDK's own `_cleanup_if_done`, whether or not the eviction is installed."""
    method = ConcurrentPerPartitionCursor._cleanup_if_done
    return getattr(method, "__wrapped__", method)
