"""`AhaRequestBuilder`: the exact requests the connector sends, one classmethod per endpoint.

`HttpMocker` matches query parameters exactly, so each endpoint starts with the parameters the
connector always sends (the `fields` list, `per_page=200`, `updated_since` from the epoch for the
server-side incremental endpoints) and tests change only what their scenario is about. Paths and
parameters come from the manifest (`testkit.resources`); `endpoint(definition)` serves any stream,
and the named classmethods are the vocabulary of the tests that mix streams.
"""

from __future__ import annotations

from datetime import datetime, timezone

from airbyte_cdk.test.mock_http import HttpRequest
from airbyte_cdk.test.mock_http.request import ANY_QUERY_PARAMS

from testkit.resources import SERVER_SIDE, resources
from unit_tests.mock_server.config import API_KEY, SUBDOMAIN

BASE_URL = f"https://{SUBDOMAIN}.aha.io/api/v1"
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

# Aha!'s maximum, which the connector always asks for.
PER_PAGE = "200"


def aha_timestamp(moment: datetime) -> str:
    """A cursor value as the connector sends it in `updated_since` (microseconds, `Z`)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def audits_timestamp(moment: datetime) -> str:
    """A time as the connector sends it in the audits' `created_since` (whole seconds, `Z`)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class AhaRequestBuilder:
    """An `HttpRequest` for one Aha! endpoint, with the `Authorization` and `Accept` headers."""

    @classmethod
    def endpoint(cls, definition: str, parent_id: str | None = None) -> AhaRequestBuilder:
        """The first page of the manifest's stream definition `definition`, as the connector
        asks for it without a state: its path (with `parent_id` for a child stream), its fixed
        parameters, `per_page`, and `updated_since` from the epoch where Aha! filters on it."""
        resource = resources()[definition]
        path = resource.path(**{resource.partition_field or "": parent_id or ""})
        builder = cls(path, {**resource.query, "per_page": PER_PAGE})
        return builder.with_updated_since(EPOCH) if resource.incremental == SERVER_SIDE else builder

    @classmethod
    def ideas_endpoint(cls) -> AhaRequestBuilder:
        return cls.endpoint("ideas")

    @classmethod
    def account_proxy_votes_endpoint(cls) -> AhaRequestBuilder:
        return cls.endpoint("idea_proxy_votes_account_wide")

    @classmethod
    def idea_proxy_votes_endpoint(cls, idea_id: str) -> AhaRequestBuilder:
        return cls.endpoint("idea_proxy_votes_per_idea", idea_id)

    @classmethod
    def idea_comments_endpoint(cls, idea_id: str) -> AhaRequestBuilder:
        return cls.endpoint("idea_comments", idea_id)

    @classmethod
    def idea_votes_endpoint(cls) -> AhaRequestBuilder:
        """Every vote, proxy or not: the account-wide list without `proxy`."""
        return cls.endpoint("idea_votes")

    @classmethod
    def idea_internal_comments_endpoint(cls, idea_id: str) -> AhaRequestBuilder:
        return cls.endpoint("idea_internal_comments", idea_id)

    @classmethod
    def idea_organizations_endpoint(cls) -> AhaRequestBuilder:
        return cls.endpoint("idea_organizations")

    @classmethod
    def idea_users_endpoint(cls) -> AhaRequestBuilder:
        return cls.endpoint("idea_users")

    @classmethod
    def idea_categories_endpoint(cls, product_id: str) -> AhaRequestBuilder:
        return cls.endpoint("idea_categories", product_id)

    @classmethod
    def idea_portals_endpoint(cls) -> AhaRequestBuilder:
        return cls.endpoint("idea_portals")

    @classmethod
    def all_products_endpoint(cls) -> AhaRequestBuilder:
        """Every product, as the per-product streams read them (no `updated_since`)."""
        return cls.endpoint("all_products")

    @classmethod
    def products_endpoint(cls) -> AhaRequestBuilder:
        return cls.endpoint("products")

    @classmethod
    def features_endpoint(cls) -> AhaRequestBuilder:
        return cls.endpoint("features")

    @classmethod
    def releases_endpoint(cls, product_id: str) -> AhaRequestBuilder:
        return cls.endpoint("releases", product_id)

    @classmethod
    def epics_endpoint(cls) -> AhaRequestBuilder:
        return cls.endpoint("epics")

    @classmethod
    def initiatives_endpoint(cls) -> AhaRequestBuilder:
        return cls.endpoint("initiatives")

    @classmethod
    def goals_endpoint(cls) -> AhaRequestBuilder:
        return cls.endpoint("goals")

    @classmethod
    def users_endpoint(cls) -> AhaRequestBuilder:
        return cls.endpoint("users")

    @classmethod
    def destroy_audits_endpoint(cls, created_since: datetime | str) -> AhaRequestBuilder:
        """The deletes walk: Aha!'s destroy audits from `created_since` (the oldest time a
        tracked stream of the sync resumes from), in whole seconds."""
        since = created_since if isinstance(created_since, str) else audits_timestamp(created_since)
        return cls(
            "audits", {"audit_action": "destroy", "created_since": since, "per_page": PER_PAGE}
        )

    def __init__(self, resource: str, query_params: dict[str, str]) -> None:
        self._resource = resource
        self._base_url = BASE_URL
        self._query_params: dict[str, str] = dict(query_params)
        self._any_query_params = False

    def with_base_url(self, base_url: str) -> AhaRequestBuilder:
        """Requests under `<base_url>/api/v1`, as with the config's `base_url`."""
        self._base_url = f"{base_url.rstrip('/')}/api/v1"
        return self

    def with_updated_since(self, moment: datetime) -> AhaRequestBuilder:
        self._query_params["updated_since"] = aha_timestamp(moment)
        return self

    def with_page(self, page: int) -> AhaRequestBuilder:
        self._query_params["page"] = str(page)
        return self

    def with_per_page(self, per_page: int) -> AhaRequestBuilder:
        self._query_params["per_page"] = str(per_page)
        return self

    def with_workflow_status(self, status: str) -> AhaRequestBuilder:
        self._query_params["workflow_status"] = status
        return self

    def with_q(self, text: str) -> AhaRequestBuilder:
        self._query_params["q"] = text
        return self

    def with_any_query_params(self) -> AhaRequestBuilder:
        self._any_query_params = True
        return self

    def build(self) -> HttpRequest:
        return HttpRequest(
            url=f"{self._base_url}/{self._resource}",
            query_params=ANY_QUERY_PARAMS if self._any_query_params else self._query_params,
            headers={"Authorization": f"Bearer {API_KEY}", "Accept": "application/json"},
        )
