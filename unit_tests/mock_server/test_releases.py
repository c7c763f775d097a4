"""`releases`: GET /products/{product_id}/releases?fields=...&updated_since=... for every product,
incremental on the server under one global cursor; an Aha! Roadmaps feature, skipped on a 403."""

from __future__ import annotations

from datetime import datetime, timezone
from unittest import TestCase

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.deletes_scenarios import DeletesScenarios
from unit_tests.mock_server.request_builder import AhaRequestBuilder
from unit_tests.mock_server.response_builder import (
    a_response_with_status,
)
from unit_tests.mock_server.stream_scenarios import (
    PRODUCTS_PARENT,
    SERVER_SIDE,
    FanOutScenarios,
    ListStreamScenarios,
    PlanFeatureScenarios,
    ServerSideIncrementalScenarios,
    StreamCase,
    mock_an_old_and_a_recent_product,
    record_ids,
    warnings,
    with_http_mocker,
)

_A_START_DATE = datetime(2024, 1, 1, tzinfo=timezone.utc)


class ReleasesTest(
    ListStreamScenarios,
    FanOutScenarios,
    ServerSideIncrementalScenarios,
    PlanFeatureScenarios,
    DeletesScenarios,
    TestCase,
):
    case = StreamCase(
        "releases",
        AhaRequestBuilder.releases_endpoint,
        parent=PRODUCTS_PARENT,
        incremental=SERVER_SIDE,
        global_cursor=True,
        parent_id_in_rows=True,
        plan_feature="Aha! Roadmaps",
    )

    @with_http_mocker
    def test_given_403_on_one_product_when_read_then_releases_of_the_others_and_one_warning(
        self, http_mocker: HttpMocker
    ) -> None:
        forbidden, readable = PRODUCTS_PARENT.ids
        self.given_parents(http_mocker, forbidden, readable)
        http_mocker.get(self.request(forbidden).build(), a_response_with_status(403))
        http_mocker.get(self.request(readable).build(), self.page(self.record("7001")))

        output = self.read()

        assert record_ids(output) == ["7001"]
        assert not output.errors
        assert len(warnings(output)) == 1

    @with_http_mocker
    def test_given_start_date_when_read_then_releases_of_every_product_since_start_date(
        self, http_mocker: HttpMocker
    ) -> None:
        old, recent = mock_an_old_and_a_recent_product(http_mocker)
        for product_id, release_id in ((old, "7001"), (recent, "7002")):
            http_mocker.get(
                self.request(product_id).with_updated_since(_A_START_DATE).build(),
                self.page(self.record(release_id)),
            )

        output = self.read(config=ConfigBuilder().with_start_date("2024-01-01T00:00:00Z").build())

        assert record_ids(output) == ["7001", "7002"]
