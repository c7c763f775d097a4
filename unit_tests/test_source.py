"""Spec, check and discover smoke tests."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from typing import Any
from unittest import TestCase

import freezegun
import pytest
from airbyte_cdk.models import Status
from airbyte_cdk.test.entrypoint_wrapper import discover
from airbyte_cdk.test.mock_http import HttpMocker, HttpResponse

from source_aha import SourceAha
from testkit.streams import PROMISES, SPEC_KEYS
from unit_tests.conftest import get_source
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.request_builder import AhaRequestBuilder
from unit_tests.mock_server.response_builder import (
    JSON_HEADERS,
    a_product,
    a_response_with_status,
    an_idea,
    ideas_response,
    products_response,
)

_NOW = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)
_LOGGER = logging.getLogger("airbyte")


def test_spec_lists_every_setting_and_hides_the_api_key() -> None:
    spec = SourceAha().spec(_LOGGER).connectionSpecification

    assert set(spec["properties"]) == SPEC_KEYS
    assert spec["required"] == ["api_key", "subdomain"]
    assert spec["properties"]["api_key"]["airbyte_secret"] is True
    assert not any(
        prop.get("airbyte_secret") for name, prop in spec["properties"].items() if name != "api_key"
    )


@pytest.mark.parametrize(
    "config",
    [
        pytest.param(ConfigBuilder().build(), id="no_filter_account_wide_votes"),
        pytest.param(ConfigBuilder().with_ideas_workflow_status("New").build(), id="status"),
        pytest.param(ConfigBuilder().with_ideas_q("sso").build(), id="ideas_q"),
        pytest.param(ConfigBuilder().with_q("sso").build(), id="alias_q"),
        pytest.param(ConfigBuilder().with_max_ideas(10).build(), id="max_ideas"),
        pytest.param(
            ConfigBuilder().with_idea_subscriptions().build(), id="read_idea_subscriptions"
        ),
    ],
)
def test_given_config_when_discover_then_every_promised_stream_with_its_modes_cursor_and_key(
    config: dict[str, Any],
) -> None:
    with HttpMocker() as http_mocker:  # the schemas' custom field columns: none defined
        http_mocker.get(
            AhaRequestBuilder.endpoint("custom_field_definitions").build(),
            HttpResponse(json.dumps({"custom_field_definitions": []}), 200, JSON_HEADERS),
        )
        output = discover(get_source(config), config)

    streams = {stream.name: stream for stream in output.catalog.catalog.streams}
    offered = [name for name, p in PROMISES.items() if not p.opt_in or config.get(p.opt_in)]
    assert list(streams) == offered
    for name, stream in streams.items():
        promise = PROMISES[name]
        assert stream.source_defined_primary_key == [[key] for key in promise.primary_key], name
        modes = sorted(mode.value for mode in stream.supported_sync_modes)
        assert modes == sorted(promise.sync_modes), name
        if promise.cursor is None:
            assert not stream.default_cursor_field, name
            assert not stream.source_defined_cursor, name
        else:
            assert stream.default_cursor_field == [promise.cursor], name
            assert stream.source_defined_cursor is True, name


@freezegun.freeze_time(_NOW.isoformat())
class CheckTest(TestCase):
    @staticmethod
    def _check(config: dict[str, Any]):
        return get_source(config).check(_LOGGER, config)

    @HttpMocker()
    def test_given_products_and_ideas_readable_when_check_then_succeeded_having_read_both(
        self, http_mocker: HttpMocker
    ) -> None:
        products = AhaRequestBuilder.products_endpoint().build()
        ideas = AhaRequestBuilder.ideas_endpoint().build()
        http_mocker.get(products, products_response().with_records(a_product()).build())
        http_mocker.get(ideas, ideas_response().with_records(an_idea().with_id("1001")).build())

        assert self._check(ConfigBuilder().build()).status == Status.SUCCEEDED
        http_mocker.assert_number_of_calls(products, 1)
        http_mocker.assert_number_of_calls(ideas, 1)

    @HttpMocker()
    def test_given_http_status_401_on_products_when_check_then_failed_without_the_api_key(
        self, http_mocker: HttpMocker
    ) -> None:
        # `products` is checked first: its 401 fails the check before `ideas` is asked.
        http_mocker.get(AhaRequestBuilder.products_endpoint().build(), a_response_with_status(401))

        status = self._check(ConfigBuilder().build())

        assert status.status == Status.FAILED
        assert "api_key" in status.message
        assert "test-api-key" not in status.message

    @HttpMocker()
    def test_given_ideas_refused_when_check_then_failed(self, http_mocker: HttpMocker) -> None:
        http_mocker.get(
            AhaRequestBuilder.products_endpoint().build(),
            products_response().with_records(a_product()).build(),
        )
        http_mocker.get(AhaRequestBuilder.ideas_endpoint().build(), a_response_with_status(403))

        status = self._check(ConfigBuilder().build())

        assert status.status == Status.FAILED
        assert "403" in status.message
