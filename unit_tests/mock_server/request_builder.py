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
IDEA_ORGANIZATIONS_FIELDS = (
    "id,name,created_at,updated_at,url,resource,endorsements_count,email_domains,revenue,"
    "custom_fields,integration_fields"
)
PRODUCTS_FIELDS = (
    "id,reference_prefix,name,product_line,product_line_type,created_at,updated_at,"
    "workspace_type,url,resource,has_ideas,has_master_features,has_epics"
)
FEATURES_FIELDS = (
    "id,reference_num,name,created_at,updated_at,url,resource,product_id,"
    "initiative_reference_num,release_reference_num,epic_reference_num,position,score,start_date,"
    "due_date,progress,progress_source,created_by_user,workflow_kind,workflow_status,project,"
    "description,attachments,integration_fields,release,assigned_to_user,requirements,goals,"
    "key_results,comments_count,score_facts,tags,full_tags,custom_fields,feature_links"
)
RELEASES_FIELDS = (
    "id,reference_num,name,parking_lot,created_at,updated_at,product_id,integration_fields,url,"
    "resource,owner,project,released,master_release,released_on,position,progress,"
    "progress_source,workflow_status,custom_fields,comments_count,goals,key_results,"
    "created_by_user,start_date,release_date,end_date"
)
EPICS_FIELDS = (
    "id,reference_num,name,created_at,updated_at,url,resource,product_id,"
    "initiative_reference_num,release_reference_num,position,start_date,due_date,progress,"
    "progress_source,duration_source,created_by_user,workflow_status,project,description,"
    "attachments,integration_fields,release,assigned_to_user,comments_count,tags,custom_fields"
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

    @classmethod
    def idea_votes_endpoint(cls) -> AhaRequestBuilder:
        """Every vote, proxy or not: the account-wide list without `proxy`."""
        return cls("ideas/endorsements", {"per_page": "200"}).with_updated_since(EPOCH)

    @classmethod
    def idea_internal_comments_endpoint(cls, idea_id: str) -> AhaRequestBuilder:
        return cls(f"ideas/{idea_id}/comments", {"per_page": "200"})

    @classmethod
    def idea_organizations_endpoint(cls) -> AhaRequestBuilder:
        return cls("idea_organizations", {"fields": IDEA_ORGANIZATIONS_FIELDS, "per_page": "200"})

    @classmethod
    def idea_users_endpoint(cls) -> AhaRequestBuilder:
        return cls("idea_users", {"per_page": "200"})

    @classmethod
    def idea_categories_endpoint(cls, product_id: str) -> AhaRequestBuilder:
        return cls(f"products/{product_id}/idea_categories", {"per_page": "200"})

    @classmethod
    def idea_portals_endpoint(cls) -> AhaRequestBuilder:
        return cls("idea_portals", {"per_page": "200"})

    @classmethod
    def all_products_endpoint(cls) -> AhaRequestBuilder:
        """Every product, as the per-product streams read them (no `updated_since`)."""
        return cls("products", {"fields": PRODUCTS_FIELDS, "per_page": "200"})

    @classmethod
    def products_endpoint(cls) -> AhaRequestBuilder:
        return cls("products", {"fields": PRODUCTS_FIELDS, "per_page": "200"}).with_updated_since(
            EPOCH
        )

    @classmethod
    def features_endpoint(cls) -> AhaRequestBuilder:
        return cls("features", {"fields": FEATURES_FIELDS, "per_page": "200"}).with_updated_since(
            EPOCH
        )

    @classmethod
    def releases_endpoint(cls, product_id: str) -> AhaRequestBuilder:
        return cls(
            f"products/{product_id}/releases", {"fields": RELEASES_FIELDS, "per_page": "200"}
        ).with_updated_since(EPOCH)

    @classmethod
    def epics_endpoint(cls) -> AhaRequestBuilder:
        return cls("epics", {"fields": EPICS_FIELDS, "per_page": "200"}).with_updated_since(EPOCH)

    @classmethod
    def initiatives_endpoint(cls) -> AhaRequestBuilder:
        return cls("initiatives", {"per_page": "200"}).with_updated_since(EPOCH)

    @classmethod
    def goals_endpoint(cls) -> AhaRequestBuilder:
        return cls("goals", {"per_page": "200"})

    @classmethod
    def users_endpoint(cls) -> AhaRequestBuilder:
        return cls("users", {"per_page": "200"})

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
