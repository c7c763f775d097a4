"""Aha!'s timestamps (`2019-01-01T00:00:00.000Z`) read and written at millisecond precision,
the precision the `updated_since` checks need."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone


def parse_time(value: object) -> datetime | None:
    """An aware UTC datetime from Aha!'s ISO 8601 text, or None when it is not one."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def format_ms(moment: datetime) -> str:
    """`2019-01-01T00:00:00.000Z`: Aha!'s own format."""
    utc = moment.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def minus_ms(moment: datetime, ms: int = 1) -> datetime:
    return moment - timedelta(milliseconds=ms)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)
