"""`idea_categories`: GET /products/{product_id}/idea_categories for every product, read whole
(rows have no `updated_at`), with the product's id added as `product_id`."""

from __future__ import annotations

from unittest import TestCase

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.request_builder import AhaRequestBuilder
from unit_tests.mock_server.stream_scenarios import (
    PRODUCTS_PARENT,
    FanOutScenarios,
    FullRefreshOnlyScenarios,
    ListStreamScenarios,
    StreamCase,
    mock_an_old_and_a_recent_product,
    with_http_mocker,
)


class IdeaCategoriesTest(ListStreamScenarios, FanOutScenarios, FullRefreshOnlyScenarios, TestCase):
    case = StreamCase(
        "idea_categories", AhaRequestBuilder.idea_categories_endpoint, parent=PRODUCTS_PARENT
    )

    @with_http_mocker
    def test_given_categories_when_read_then_product_id_is_a_string_and_project_id_a_number(
        self, http_mocker: HttpMocker
    ) -> None:
        self.given_parents(http_mocker, "130841236")
        http_mocker.get(self.request("130841236").build(), self.page(self.record("7001")))

        output = self.read()

        [record] = [message.record.data for message in output.records]
        assert record["product_id"] == "130841236"
        assert isinstance(record["project_id"], int)

    @with_http_mocker
    def test_given_start_date_when_read_then_categories_of_every_product(
        self, http_mocker: HttpMocker
    ) -> None:
        old, recent = mock_an_old_and_a_recent_product(http_mocker)
        for product_id, category_id in ((old, "7001"), (recent, "7002")):
            http_mocker.get(self.request(product_id).build(), self.page(self.record(category_id)))

        output = self.read(config=ConfigBuilder().with_start_date("2024-01-01T00:00:00Z").build())

        assert {m.record.data["id"]: m.record.data["product_id"] for m in output.records} == {
            "7001": old,
            "7002": recent,
        }
