"""What every part of the ``Workspace`` facade shares: the state and its lock."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import threading

    from ..state import State

T = TypeVar("T")


class Facade:
    """Holds ``State``; ``_locked`` runs a family function on it under the lock."""

    _st: State
    lock: threading.RLock

    def _locked(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with self.lock:
            return fn(self._st, *args, **kwargs)
