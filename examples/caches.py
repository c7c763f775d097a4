"""One PyAirbyte DuckDB cache per Aha! account: the demo's emulator and each real account keep
their own tables and their own saved state, so a sync of one never starts from another's
bookmark or shows another's ideas."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import airbyte as ab
from airbyte.caches import DuckDBCache

DEMO_CACHE = "aha_demo_emulator"


def cache_name(config: Mapping[str, Any]) -> str:
    """`aha_<host>`: the host of `base_url` when set, else `<subdomain>.aha.io`, in the letters,
    digits and underscores PyAirbyte allows in a cache name."""
    host = urlsplit(str(config.get("base_url") or "")).netloc
    host = host or f"{config.get('subdomain')}.aha.io"
    return "aha_" + re.sub(r"[^a-z0-9]+", "_", host.lower()).strip("_")


def account_cache(config: Mapping[str, Any]) -> DuckDBCache:
    return ab.new_local_cache(cache_name=cache_name(config))


def demo_cache() -> DuckDBCache:
    return ab.new_local_cache(cache_name=DEMO_CACHE)
