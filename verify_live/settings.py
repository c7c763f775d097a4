"""The kit's settings: the connector's own config file, read and checked before any request.

The kit takes the same `secrets/config.json` the connector reads, so it checks the account the
connector will sync. The API key goes only to the configured host: `https://<subdomain>.aha.io`
or `base_url`, which must be HTTPS unless it points at this machine (an emulator in the tests).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from verify_live.redact import Redactor

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
DEFAULT_BUDGET = 240  # the connector's default `max_requests_per_minute`
_SUBDOMAIN = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9-]{1,63})?$")


class SetupError(Exception):
    """The kit cannot start: bad config, unreachable host, or a key Aha! refuses (exit 2)."""


@dataclass(frozen=True)
class Settings:
    """What the kit needs from the config file.

    Attributes:
        api_key: the Bearer key (never printed: see `Redactor`).
        base_url: scheme, host and port, without `/api/v1` or a trailing slash.
        requests_per_minute: the kit's own pace, the connector's `max_requests_per_minute`.
        connector_config: the config file as read, for the connector's syncs.
    """

    api_key: str
    base_url: str
    requests_per_minute: int
    connector_config: dict[str, Any]

    @property
    def redactor(self) -> Redactor:
        return Redactor(self.api_key)


def checked_base_url(url: str) -> str:
    """`url` without a trailing slash if the key may be sent there, else a `SetupError`.

    HTTPS anywhere; plain HTTP only to the loopback interface, where nothing crosses a network.
    """
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    if parts.username or parts.password or parts.query or parts.fragment:
        raise SetupError("base_url must be a scheme, host and port only (no credentials or query)")
    if parts.path not in ("", "/"):
        raise SetupError("base_url must not have a path (the kit adds /api/v1)")
    if parts.scheme == "https" and host:
        return url.strip().rstrip("/")
    if parts.scheme == "http" and host in LOOPBACK_HOSTS:
        return url.strip().rstrip("/")
    raise SetupError(
        f"refusing base_url {url.strip()!r}: the API key is only sent over https://, "
        "or over http:// to 127.0.0.1, localhost or ::1"
    )


def load_settings(path: Path) -> Settings:
    """Reads and checks the config file; any problem is a `SetupError` naming the setting."""
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SetupError(f"cannot read the config file {path}: {error.strerror}") from None
    except ValueError as error:
        raise SetupError(f"the config file {path} is not JSON: {error}") from None
    if not isinstance(config, dict):
        raise SetupError(f"the config file {path} must hold a JSON object")
    key = config.get("api_key")
    if not isinstance(key, str) or not key.strip():
        raise SetupError("api_key is missing or empty")
    redactor = Redactor(key)
    base_url = config.get("base_url")
    if base_url:
        if not isinstance(base_url, str):
            raise SetupError("base_url must be a string")
        url = checked_base_url(base_url)
    else:
        subdomain = config.get("subdomain")
        if not isinstance(subdomain, str) or not _SUBDOMAIN.match(subdomain.strip()):
            raise SetupError(redactor.clean(f"subdomain {subdomain!r} is not an Aha! subdomain"))
        url = f"https://{subdomain.strip()}.aha.io"
    budget = config.get("max_requests_per_minute") or DEFAULT_BUDGET
    if not isinstance(budget, int) or budget < 1:
        raise SetupError("max_requests_per_minute must be a positive integer")
    return Settings(key.strip(), url, budget, config)
