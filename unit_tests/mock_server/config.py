"""`ConfigBuilder`: a valid Aha! config by default, changed one setting at a time."""

from __future__ import annotations

from typing import Any

API_KEY = "test-api-key"
SUBDOMAIN = "company"


class ConfigBuilder:
    """Builds a connector config; `build()` without any `with_*` gives the smallest valid one,
    with deletes off and the assumptions about Aha! trusted: only the scenarios about deletes
    (`with_track_deletes`) and about the checks (`with_assumption`) mock Aha!'s audits and the
    probes."""

    def __init__(self) -> None:
        self._config: dict[str, Any] = {
            "api_key": API_KEY,
            "subdomain": SUBDOMAIN,
            "track_deletes": False,
            "assume_comments_count_is_portal": "yes",
            "assume_child_changes_move_idea": "yes",
        }

    def with_assumption(self, setting: str, value: str) -> ConfigBuilder:
        self._config[setting] = value
        return self

    def with_api_key(self, api_key: str) -> ConfigBuilder:
        self._config["api_key"] = api_key
        return self

    def with_subdomain(self, subdomain: str) -> ConfigBuilder:
        self._config["subdomain"] = subdomain
        return self

    def with_start_date(self, start_date: str) -> ConfigBuilder:
        self._config["start_date"] = start_date
        return self

    def with_ideas_workflow_status(self, status: str) -> ConfigBuilder:
        self._config["ideas_workflow_status"] = status
        return self

    def with_ideas_q(self, text: str) -> ConfigBuilder:
        self._config["ideas_q"] = text
        return self

    def with_q(self, text: str) -> ConfigBuilder:
        self._config["q"] = text
        return self

    def with_max_ideas(self, max_ideas: int | str) -> ConfigBuilder:
        self._config["max_ideas"] = max_ideas
        return self

    def with_base_url(self, base_url: str) -> ConfigBuilder:
        self._config["base_url"] = base_url
        return self

    def with_max_requests_per_minute(self, limit: int | str) -> ConfigBuilder:
        self._config["max_requests_per_minute"] = limit
        return self

    def with_num_workers(self, workers: int | str) -> ConfigBuilder:
        self._config["num_workers"] = workers
        return self

    def with_idea_subscriptions(self) -> ConfigBuilder:
        """Offers the opt-in `idea_subscriptions` stream."""
        self._config["read_idea_subscriptions"] = True
        return self

    def with_track_deletes(self, track: bool = True) -> ConfigBuilder:
        """Reads Aha!'s destroy audits in incremental syncs (the connector's default)."""
        self._config["track_deletes"] = track
        return self

    def build(self) -> dict[str, Any]:
        return dict(self._config)
