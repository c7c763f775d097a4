"""`AhaRequestBuilder`: the exact requests the connector sends, one classmethod per endpoint.

`HttpMocker` matches query parameters exactly, so each endpoint starts with the parameters the
connector always sends (the `fields` list, `per_page=200`, `updated_since` from the epoch for the
server-side incremental endpoints) and tests change only what their scenario is about.
"""

from __future__ import annotations

from datetime import datetime, timezone

from airbyte_cdk.test.mock_http import HttpRequest
from airbyte_cdk.test.mock_http.request import ANY_QUERY_PARAMS

from unit_tests.mock_server.config import API_KEY, SUBDOMAIN

BASE_URL = f"https://{SUBDOMAIN}.aha.io/api/v1"
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

IDEAS_FIELDS = (
    "id,reference_num,name,created_at,updated_at,product_id,product,workflow_status,"
    "status_changed_at,description,votes,initial_votes,endorsements_count,comments_count,score,"
    "score_facts,visibility,categories,tags,full_tags,custom_fields,integration_fields,"
    "custom_object_links,feature,duplicate_of,created_by_user,created_by_portal_user,"
    "created_by_idea_user,assigned_to_user,admin_response,workflow_status_times,"
    "submitted_idea_portal_record_url,url,resource"
)
IDEA_COMMENTS_FIELDS = (
    "id,idea_id,body,created_at,updated_at,visibility,parent_idea_comment_id,spam,"
    "idea_commenter_user,idea_commenter_portal_user,idea_commenter_idea_user,attachments"
)


def aha_timestamp(moment: datetime) -> str:
    """A cursor value as the connector sends it in `updated_since` (microseconds, `Z`)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class AhaRequestBuilder:
    """An `HttpRequest` for one Aha! endpoint, with the `Authorization` and `Accept` headers."""

    @classmethod
    def ideas_endpoint(cls) -> AhaRequestBuilder:
        return cls("ideas", {"fields": IDEAS_FIELDS, "per_page": "200"}).with_updated_since(EPOCH)

    @classmethod
    def account_proxy_votes_endpoint(cls) -> AhaRequestBuilder:
        return cls("ideas/endorsements", {"proxy": "true", "per_page": "200"}).with_updated_since(
            EPOCH
        )

    @classmethod
    def idea_proxy_votes_endpoint(cls, idea_id: str) -> AhaRequestBuilder:
        return cls(f"ideas/{idea_id}/endorsements", {"proxy": "true", "per_page": "200"})

    @classmethod
    def idea_comments_endpoint(cls, idea_id: str) -> AhaRequestBuilder:
        return cls(
            f"ideas/{idea_id}/idea_comments", {"fields": IDEA_COMMENTS_FIELDS, "per_page": "200"}
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
