"""Each stream's endpoint as `manifest.yaml` describes it, so the tests never copy it.

The manifest is the one place where a stream's path, envelope key, `fields=` list, date filter,
parent and plan feature are written. The request builders of the unit tests and the ground truth
of the end-to-end tests read them here instead of keeping their own copies.

A `Resource` describes one stream definition. `idea_proxy_votes` has two (account-wide, or per
idea when an idea filter is set) and the per-product streams read `all_products`, so resources
are keyed by definition; `of_stream()` gives the one a stream uses under the default config.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from airbyte_cdk.sources.declarative.parsers.manifest_reference_resolver import (
    ManifestReferenceResolver,
)

MANIFEST_PATH = Path(__file__).resolve().parent.parent / "manifest.yaml"

# How a stream reads only what changed.
SERVER_SIDE = "server_side"  # Aha! filters on `updated_since`
CLIENT_SIDE = "client_side"  # everything is read, and filtered on `updated_at` here


@dataclass(frozen=True)
class Resource:
    """One stream definition's endpoint.

    Attributes:
        definition: the key under `definitions:` in the manifest.
        stream: the stream it defines.
        endpoint: the path under `/api/v1`; `{idea_id}` or `{product_id}` is the parent's id.
        data_field: the key of the records in Aha!'s answer.
        query: the fixed query parameters (the `fields` list, `proxy`), without `per_page`.
        incremental: `SERVER_SIDE`, `CLIENT_SIDE`, or None when read whole every sync.
        parent: the definition of the parent stream a child fans out over.
        partition_field: the parent id's name in the partition (`idea_id`, `product_id`).
        plan_feature: the Aha! plan feature whose absence (a 403) skips the stream.
    """

    definition: str
    stream: str
    endpoint: str
    data_field: str
    query: Mapping[str, str]
    incremental: str | None
    parent: str | None
    partition_field: str | None
    plan_feature: str | None

    @property
    def fields(self) -> list[str]:
        """The `fields=` the connector asks for (empty when it asks for none)."""
        fields = self.query.get("fields")
        return fields.split(",") if fields else []

    def path(self, **ids: str) -> str:
        """The endpoint with the parent's id filled in, e.g. `ideas/1001/idea_comments`."""
        return self.endpoint.format(**ids)


@functools.cache
def _manifest() -> dict[str, Any]:
    manifest = yaml.safe_load(MANIFEST_PATH.read_text(encoding="utf-8"))
    resolved: dict[str, Any] = ManifestReferenceResolver().preprocess_manifest(manifest)
    return resolved


def _static(parameters: Mapping[str, Any]) -> dict[str, str]:
    """The request parameters that do not depend on the config (those are Jinja templates)."""
    return {k: str(v) for k, v in parameters.items() if "{{" not in str(v)}


def _resource(key: str, definition: Mapping[str, Any], definitions: Mapping[str, Any]) -> Resource:
    parameters = definition["$parameters"]
    outer = definition["retriever"]
    retriever = outer.get("retriever", outer)  # a tracked stream's own, under `DeletesRetriever`
    requester = retriever["requester"]
    # The shared requester takes `$parameters.request_parameters`; `ideas` writes its own.
    own = requester.get("request_parameters")
    query = own if isinstance(own, Mapping) else parameters.get("request_parameters", {})
    cursor = definition.get("incremental_sync")
    if cursor is None:
        incremental = None
    elif cursor.get("is_client_side_incremental"):
        incremental = CLIENT_SIDE
    else:
        assert cursor["start_time_option"]["field_name"] == "updated_since", key
        incremental = SERVER_SIDE
    router = outer.get("partition_router")
    # `idea_fan_out` and `deletes_partition` wrap the parent's router.
    router = (router or {}).get("underlying_partition_router") or router
    parent = partition_field = None
    if router:
        (config,) = router["parent_stream_configs"]
        parent = next(k for k, d in definitions.items() if d == config["stream"])
        partition_field = config["partition_field"]
    return Resource(
        definition=key,
        stream=parameters["name"],
        endpoint=parameters["endpoint"],
        data_field=parameters["data_field"],
        query=_static(query),
        incremental=incremental,
        parent=parent,
        partition_field=partition_field,
        plan_feature=requester.get("error_handler", {}).get("plan_feature"),
    )


@functools.cache
def resources() -> dict[str, Resource]:
    """Every stream definition of the manifest, by definition key."""
    definitions = _manifest()["definitions"]
    return {
        key: _resource(key, definition, definitions)
        for key, definition in definitions.items()
        if isinstance(definition, dict)
        and definition.get("type") == "DeclarativeStream"
        and "name" in definition.get("$parameters", {})
    }


def _stream_definitions() -> dict[str, list[str]]:
    """Stream name -> its definitions, in the order of the manifest's `streams:`."""
    definitions = _manifest()["definitions"]
    by_stream: dict[str, list[str]] = {}
    for entry in _manifest()["streams"]:
        for stream in entry["streams"] if entry["type"] == "ConditionalStreams" else [entry]:
            key = next(k for k, d in definitions.items() if d == stream)
            by_stream.setdefault(stream["$parameters"]["name"], []).append(key)
    return by_stream


def of_stream(stream: str) -> Resource:
    """The definition `stream` is read with under the default config (no idea filter): the
    first one the manifest lists."""
    return resources()[_stream_definitions()[stream][0]]


def streams_needing(plan_feature: str) -> tuple[str, ...]:
    """The streams a 403 skips when the account's plan lacks `plan_feature`."""
    return tuple(s for s in _stream_definitions() if of_stream(s).plan_feature == plan_feature)
