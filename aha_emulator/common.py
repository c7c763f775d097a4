"""Shared helpers of the emulator's resource families: ids, times, formats, field projection.

Records are stored compactly (ints for ids and epoch-millisecond timestamps, indices into shared
pools) and rendered into fresh JSON-ready dicts on every read by field registries: one
``Renderer`` per field name, in the order Aha! sends the fields.
"""

from __future__ import annotations

import copy
import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from .state import State

T = TypeVar("T")

JSON = dict[str, Any]
Renderer = Callable[["State", Any], Any]

START_MS = 1_609_459_200_000  # 2021-01-01T00:00:00.000Z
END_MS = 1_751_327_999_999  # 2025-06-30T23:59:59.999Z
DAY_MS = 86_400_000
POOL_START_MS = 1_546_300_800_000  # 2019-01-01: users and products predate every idea
VISIBILITIES = (
    "Visible to all ideas portal users",
    "Visible to creator and employees",
    "Visible to employees only",
)
ABSENT = object()  # a renderer's answer for "leave the key out"


class RecordNotFoundError(KeyError):
    """Raised when an idea, vote or comment id (or reference) does not exist."""


def words(text: str) -> tuple[str, ...]:
    """Split a ``|``-separated word list (keeps long constant lists compact)."""
    return tuple(text.split("|"))


FIRST_NAMES = words(
    "Ana|José|Zoë|Chloé|Björn|Li|Priya|Tom|Ólafur|Kenji|Amara|Sam|Renée|Ivan|Grace|Mateo|"
    "Yuki|Noah|Fatima|Lena"
)
LAST_NAMES = words(
    "Silva|Núñez|Brontë|Dubois|Åberg|Wang|Patel|Smith|Arnalds|田中|Okafor|Lee|O'Brien|Petrov|"
    "Hopper|García|佐藤|Müller|Haddad|Novak"
)


def format_ms(ms: int) -> str:
    """Format epoch milliseconds as Aha!'s ``YYYY-MM-DDTHH:MM:SS.mmmZ``."""
    seconds, millis = divmod(ms, 1000)
    t = time.gmtime(seconds)
    return (
        f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T"
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}.{millis:03d}Z"
    )


def format_seconds(ms: int) -> str:
    """Format like custom fields' ``updatedAt`` (``2019-01-01T00:00:00Z``, no millis)."""
    return format_ms(ms)[:19] + "Z"


class Ids:
    """Ascending id allocator with random gaps (ids are never reused)."""

    def __init__(self, start: int, max_gap: int) -> None:
        self.last = start
        self.max_gap = max_gap

    def next(self, rng: random.Random) -> int:
        self.last += rng.randint(1, self.max_gap)
        return self.last


def after(rng: random.Random, start: int, mean_days: float) -> int:
    """A moment after ``start`` (exponential gap, at least a second), capped at END_MS."""
    gap = 1000 + int(rng.expovariate(1 / (mean_days * DAY_MS)))
    return min(END_MS, start + gap)


def pick_author(rng: random.Random, users: int, people: int) -> tuple[str, int]:
    """Who wrote an idea or comment: ("user" | "portal" | "idea_user", pool index)."""
    kind = rng.choices(("user", "portal", "idea_user"), weights=(3, 4, 3))[0]
    return kind, rng.randrange(users if kind == "user" else people)


def int_id(value: str | int) -> int:
    """A numeric id from a request (anything else matches no record)."""
    text = str(value).strip()
    return int(text) if text.isdigit() else -1


def by_int_id(table: Mapping[int, T], record_id: str | int) -> T:
    """The record with this id in a by-id table; raises ``RecordNotFoundError``."""
    record = table.get(int_id(record_id))
    if record is None:
        raise RecordNotFoundError(str(record_id))
    return record


def merge_overrides(
    current: JSON | None, registry: dict[str, Renderer], changes: JSON
) -> JSON | None:
    """Add verbatim field overrides; only existing field names are accepted."""
    bad = sorted(k for k in changes if k not in registry or k == "id")
    if bad:
        raise ValueError(f"unknown or read-only fields: {bad}")
    if not changes:
        return current
    return {**(current or {}), **copy.deepcopy(changes)}


def field_names(
    fields: Sequence[str] | None, default: Sequence[str], star: Sequence[str]
) -> list[str]:
    """Resolve a ``fields=`` list: None → default set, ``*`` → star set, always with ``id``."""
    if fields is None:
        return list(default)
    names = ["id", *fields]
    if "*" in fields:
        names.extend(star)
    return names


def render(st: State, registry: dict[str, Renderer], row: Any, names: Iterable[str]) -> JSON:
    """Render the named fields of ``row`` in registry order; the row's overrides (set by edits)
    replace rendered values."""
    wanted = set(names)
    out: JSON = {}
    for name, field in registry.items():
        if name in wanted:
            value = field(st, row)
            if value is not ABSENT:
                out[name] = value
    overrides = getattr(row, "overrides", None)
    if overrides:
        out.update({k: copy.deepcopy(v) for k, v in overrides.items() if k in wanted})
    return out


def status_index(statuses: list[JSON], wanted: object) -> int:
    """The position of a workflow status given by id or name (any case)."""
    text = str(wanted).lower()
    return next(n for n, s in enumerate(statuses) if text in (s["id"], s["name"].lower()))
