"""Keeps answers that the connector retries out of the CDK's request cache, so a retry reaches Aha!.

Parent streams (`ideas`, `products`) read through a `requests_cache.CachedSession` that the CDK
builds in `HttpClient._request_session` (CDK 7.39.1, `sources/streams/http/http_client.py`). The
session saves every 200 before the error handler sees it, so when the handler retries a page whose
body is cut off or empty, the retry (and every other copy of the parent) is answered from the cache
with the same bad body until the retries run out: `ideas` and its children failed with 0 records.

requests-cache has a public setting for exactly this, `CachedSession.settings.filter_fn` ("may be
modified after initialization"): a response it rejects is not saved, and a cached one it rejects is
deleted when read. The CDK offers no way to set it, so the session factory is wrapped to set it,
only on the CDK version this was checked against (a unit test fails when that code changes).
"""

from __future__ import annotations

import functools
import logging
from importlib.metadata import version

import requests
import requests_cache
from airbyte_cdk.sources.streams.http.http_client import HttpClient

from source_aha.components import json_body

CDK_VERSION = "7.39.1"
logger = logging.getLogger("airbyte")


def is_usable_answer(response: requests.Response) -> bool:
    """What may be cached: a JSON answer whose body decodes to something (what the error handler
    accepts; an empty or undecodable body is retried)."""
    content_type = (response.headers.get("Content-Type") or "").lower()
    return "json" in content_type and bool(json_body(response))


def keep_retried_answers_out_of_the_cache(installed: str | None = None) -> bool:
    """Installs the cache filter on every cached session the CDK builds; True when installed."""
    installed = installed or version("airbyte-cdk")
    if installed != CDK_VERSION:
        logger.warning(
            f"source_aha.request_cache was written for airbyte-cdk {CDK_VERSION}, not "
            f"{installed}: a retried parent page may be answered from the request cache."
        )
        return False
    original = HttpClient._request_session
    if getattr(original, "_source_aha_filtered", False):
        return True

    @functools.wraps(original)
    def request_session(self: HttpClient) -> requests.Session:
        session = original(self)
        if isinstance(session, requests_cache.CacheMixin):  # what CachedSession is made of
            session.settings.filter_fn = is_usable_answer
        return session

    request_session._source_aha_filtered = True  # type: ignore[attr-defined]
    HttpClient._request_session = request_session  # type: ignore[method-assign]
    return True
