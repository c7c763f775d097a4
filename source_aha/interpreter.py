"""A guard for a CPython 3.11 bug that fails syncs at random: concurrent `ast.literal_eval`.

Before 3.11.8, `ast` kept the depth of the tree it was building in state shared by every
thread. When a garbage collection inside one `ast.literal_eval` let another thread run its own,
the count went wrong and one of them raised `SystemError: AST constructor recursion depth
mismatch` (python/cpython#106905, fixed in 3.11.8). The CDK calls `ast.literal_eval` on every
rendered template (request parameters, URLs, pagination) from its worker threads, so on those
interpreters a stream could fail with that error once in thousands of requests: seen here on
3.11.7 while reading `idea_comments`. Serializing the calls removes the race; the lock is
uncontended almost always, so it costs nothing measurable. Newer interpreters are left alone.
"""

from __future__ import annotations

import ast
import functools
import sys
import threading

FIXED_IN = (3, 11, 8)


def serialize_literal_eval(version: tuple[int, ...] = tuple(sys.version_info[:3])) -> bool:
    """Wraps `ast.literal_eval` in a lock on an affected interpreter; True when it did (or had)."""
    if version >= FIXED_IN:
        return False
    if getattr(ast.literal_eval, "_source_aha_serialized", False):
        return True
    original = ast.literal_eval
    lock = threading.Lock()

    @functools.wraps(original)
    def literal_eval(node_or_string: str | ast.AST) -> object:
        with lock:
            return original(node_or_string)

    literal_eval._source_aha_serialized = True  # type: ignore[attr-defined]
    ast.literal_eval = literal_eval
    return True
