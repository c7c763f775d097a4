"""Flat memory for the per-idea streams: what the CDK keeps per partition, bounded.

`idea_comments` and the other per-idea streams read one partition per parent idea with one
global cursor (`global_substream_cursor: true`). In airbyte-cdk 7.39.1 two things made a full
sync's memory grow with the number of ideas (peak RSS +42% from 2,000 to 20,000 ideas), and a
third made it climb through the first minute of a fast sync:

- `ConcurrentPerPartitionCursor` stores a `ConcurrentCursor` for every partition it generates
  in `_cursor_per_partition`, in every mode, and drops them only past 25,000 partitions;
  `_cleanup_if_done` frees a finished partition's semaphore and bookkeeping but not its cursor.
  In global mode nothing reads that cursor once the partition's slices are generated: `state`,
  `observe`, `close_partition` and `_get_cursor` use the global cursor, `split_request_window`
  a cursor of its own. Patched: `_cleanup_if_done` is wrapped so that, in global mode, the
  partition it has just cleaned up loses its cursor too. Per-partition mode, which needs every
  cursor for its state, is untouched; the state written is the same. A duplicate of a finished
  partition gets a fresh cursor from the global state, as in the CDK past its 25,000 limit.
- The thread pool lets 10,000 tasks wait and prunes done futures only past that. A parent page
  yields 200 partitions at once and each takes a request to read, so the partition generator
  ran thousands of partitions ahead of the readers, each waiting in the pool's queue with its
  cursor, semaphore, slice and future (about 6 KB). Patched: the limit the CDK's
  `ConcurrentSource.create` gives its `ThreadPoolManager` is `MAX_PENDING_TASKS`; past it the
  CDK's own `PartitionEnqueuer` waits in 0.1 s steps for the readers, as it did past 10,000.
  A few hundred queued reads keep 8 workers busy. The cost: while it waits, the generator holds
  one worker, as it already did past 10,000 partitions. The warning about futures "getting
  bigger than expected" keeps its threshold of 20,000.
- `MovingWindowCallRatePolicy` (the manifest's `api_budget`) hands each `PreparedRequest` to
  pyrate_limiter as the name of the `RateItem` it keeps for the 61 s window, so the budget held
  every request of the last minute with its headers and cookie jar (about 3 KB each; 8,000 at
  full speed). The name is only printed in the item's repr; patched: the policy's limiter
  names every item `"request"`.

Applied only to the CDK version they were written against (otherwise one warning);
`unit_tests/test_partition_memory.py` records the CDK code they rely on and fails when it
changes. Installed from `source_aha.source`, so not under the Connector Builder or
`source-declarative-manifest`, which exec `components.py` alone.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from importlib import metadata
from typing import Any

from airbyte_cdk.sources.concurrent_source.thread_pool_manager import ThreadPoolManager
from airbyte_cdk.sources.declarative.incremental.concurrent_partition_cursor import (
    ConcurrentPerPartitionCursor,
)
from airbyte_cdk.sources.streams.call_rate import MovingWindowCallRatePolicy

WRITTEN_FOR = "7.39.1"
MAX_PENDING_TASKS = 250
RATE_ITEM_NAME = "request"
_MARK = "_source_aha_bounds_partition_memory"

logger = logging.getLogger("airbyte")


def bound_partition_memory(installed: str | None = None) -> bool:
    """Installs the patches on the CDK version they were written for; True when it did (or had)."""
    installed = installed or metadata.version("airbyte-cdk")
    if installed != WRITTEN_FOR:
        logger.warning(
            "source_aha.partition_memory: airbyte-cdk %s is not %s; finished partitions' "
            "cursors and pending tasks are not bounded (memory grows with the number of ideas).",
            installed,
            WRITTEN_FOR,
        )
        return False
    original_cleanup = ConcurrentPerPartitionCursor._cleanup_if_done
    if getattr(original_cleanup, _MARK, False):
        return True

    @functools.wraps(original_cleanup)
    def _cleanup_if_done(self: ConcurrentPerPartitionCursor, partition_key: str) -> None:
        original_cleanup(self, partition_key)
        # Called under `self._lock` by `close_partition`, which has just acquired the
        # partition's semaphore: a missing semaphore means the partition was cleaned up.
        if self._use_global_cursor and partition_key not in self._semaphore_per_partition:
            self._cursor_per_partition.pop(partition_key, None)

    original_init = ThreadPoolManager.__init__
    cdk_limit = ThreadPoolManager.DEFAULT_MAX_QUEUE_SIZE

    @functools.wraps(original_init)
    def init_bounded(self: ThreadPoolManager, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401 (forwarded as is)
        original_init(self, *args, **kwargs)
        if self._max_concurrent_tasks == cdk_limit:  # the default: `ConcurrentSource.create`
            self._max_concurrent_tasks = MAX_PENDING_TASKS
            self._logging_threshold = 2 * cdk_limit

    original_policy_init = MovingWindowCallRatePolicy.__init__

    @functools.wraps(original_policy_init)
    def init_unnamed(self: MovingWindowCallRatePolicy, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401 (forwarded as is)
        original_policy_init(self, *args, **kwargs)
        wrap_item = self._limiter.bucket_factory.wrap_item
        self._limiter.bucket_factory.wrap_item = (  # type: ignore[method-assign]
            lambda name, weight=1: wrap_item(RATE_ITEM_NAME, weight)
        )

    for patched in (_cleanup_if_done, init_bounded, init_unnamed):
        setattr(patched, _MARK, True)
    ConcurrentPerPartitionCursor._cleanup_if_done = _cleanup_if_done  # type: ignore[method-assign]
    ThreadPoolManager.__init__ = init_bounded  # type: ignore[method-assign]
    MovingWindowCallRatePolicy.__init__ = init_unnamed  # type: ignore[method-assign]
    return True


def original(method: Callable[..., object]) -> Callable[..., object]:
    """The CDK's own version of a method, whether or not the patches are installed."""
    unwrapped: Callable[..., object] = getattr(method, "__wrapped__", method)
    return unwrapped
