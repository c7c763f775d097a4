"""`check` says in seconds, in one line, when the configured host cannot be reached.

Through the CDK, `check` reads a stream, and a failed connection is retried like any transient
error: about a minute of retries, then a long message about resuming syncs, which means nothing
for a connection test. Before that read, `check` opens one TCP connection (and a TLS handshake for
https) to the host and reports a DNS failure, a refused connection, a timeout or a TLS error as
such, naming the setting to fix. No HTTP request is sent. Behind a proxy this is left to the read.
"""

from __future__ import annotations

import os
import socket
import ssl
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.utils import DEFAULT_CA_BUNDLE_PATH, get_environ_proxies

from source_aha.components import network_cause

TIMEOUT_SECONDS = 10  # the manifest's connect timeout; `check` stays under 15 s


def connection_problem(config: Mapping[str, Any]) -> str | None:
    """One line naming the host, the cause and the setting, or None when the host answers."""
    setting = "base_url" if config.get("base_url") else "subdomain"
    url = str(config.get("base_url") or f"https://{config['subdomain']}.aha.io").rstrip("/")
    parts = urlsplit(url)
    if not parts.hostname or get_environ_proxies(url):
        return None
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname, port), timeout=TIMEOUT_SECONDS) as sock:
            if parts.scheme == "https":
                # requests' own CA bundle (certifi), or the one its environment variables name.
                bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
                context = ssl.create_default_context(cafile=bundle or DEFAULT_CA_BUNDLE_PATH)
                context.wrap_socket(sock, server_hostname=parts.hostname).close()
    except (OSError, requests.RequestException) as error:
        return f"Cannot reach {parts.netloc}: {network_cause(error)}. Check `{setting}`."
    return None
