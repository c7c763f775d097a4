"""Configuration checks that run before the source is built and before any request is sent.

The CDK validates a config against the spec too, but only after the source is constructed (a
bad `max_requests_per_minute` can fail first), and its messages quote the pattern instead of
naming the setting. These checks name the key, say what a good value looks like, and never echo
the API key.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from functools import cache
from typing import Any

import jsonschema
import yaml

from source_aha.source import MANIFEST_PATH

HINTS = {
    "api_key": "`api_key` must be your Aha! API key: a non-empty string without spaces.",
    "subdomain": (
        "`subdomain` must be the account name before .aha.io, such as `company` or "
        "`company.euw4`: no https://, path, port, spaces or trailing .aha.io."
    ),
    "start_date": "`start_date` must be a UTC timestamp such as 2024-01-01T00:00:00Z.",
    "ideas_workflow_status": "`ideas_workflow_status` must be a workflow status name or id.",
    "ideas_q": "`ideas_q` must be a non-empty search text.",
    "q": "`q` must be a non-empty search text.",
    "max_ideas": "`max_ideas` must be a positive whole number, such as 100.",
    "base_url": (
        "`base_url` must be https://host[:port] without a path or credentials (plain http:// "
        "only for localhost or 127.0.0.1)."
    ),
    "max_requests_per_minute": "`max_requests_per_minute` must be a whole number from 1 to 100000.",
    "num_workers": "`num_workers` must be a whole number from 1 to 8.",
}


@cache
def connection_specification() -> Mapping[str, Any]:
    """The spec's JSON schema, read from the manifest without building the source."""
    manifest = yaml.safe_load(MANIFEST_PATH.read_text(encoding="utf-8"))
    spec: Mapping[str, Any] = manifest["spec"]["connection_specification"]
    return spec


def config_errors(config: Any, now: datetime | None = None) -> list[str]:
    """Every problem with `config`, one sentence each naming the key; empty when it is valid."""
    if not isinstance(config, Mapping):
        return ["The config must be a JSON object."]
    spec = connection_specification()
    known = set(spec["properties"])
    errors: list[str] = []
    for key in sorted(k for k in config if k not in known and not str(k).startswith("__")):
        errors.append(f"Unknown config key `{key}`; known keys: {', '.join(sorted(known))}.")
    for missing in sorted(k for k in spec["required"] if k not in config):
        errors.append(f"`{missing}` is required. {HINTS[missing]}")
    validator = jsonschema.Draft7Validator(spec)
    bad_keys = {
        str(error.path[0])
        for error in validator.iter_errors(dict(config))
        if error.path and str(error.path[0]) in known
    }
    errors.extend(HINTS[key] for key in sorted(bad_keys))
    start = config.get("start_date")
    if "start_date" not in bad_keys and isinstance(start, str):
        try:
            moment = datetime.strptime(start, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        except ValueError:
            errors.append(f"`start_date` {start} is not a real date and time.")
        else:
            if moment > (now or datetime.now(timezone.utc)):
                errors.append(f"`start_date` {start} is in the future; nothing would be read.")
    query, alias = config.get("ideas_q"), config.get("q")
    if query and alias and query != alias:
        errors.append("`ideas_q` and its alias `q` are both set, to different texts; keep one.")
    return errors
