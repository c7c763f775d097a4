"""`ideas`: GET /ideas, paged by Aha!'s `pagination` block, incremental on `updated_since`; the
idea filters and `max_ideas` are sent to Aha! and applied to what it answers."""

from __future__ import annotations

from unittest import TestCase

from airbyte_cdk.models import FailureType
from airbyte_cdk.test.mock_http import HttpMocker, HttpResponse

from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.deletes_scenarios import DeletesScenarios
from unit_tests.mock_server.request_builder import AhaRequestBuilder
from unit_tests.mock_server.response_builder import a_response_with_status
from unit_tests.mock_server.stream_scenarios import (
    SERVER_SIDE,
    IdeaSelectionScenarios,
    InvalidJsonRetryScenarios,
    ListStreamScenarios,
    ServerSideIncrementalScenarios,
    StartDateScenarios,
    StreamCase,
    ids_in_order,
    with_http_mocker,
)


class IdeasTest(
    ListStreamScenarios,
    ServerSideIncrementalScenarios,
    StartDateScenarios,
    IdeaSelectionScenarios,
    InvalidJsonRetryScenarios,
    DeletesScenarios,
    TestCase,
):
    case = StreamCase("ideas", AhaRequestBuilder.ideas_endpoint, incremental=SERVER_SIDE)

    @with_http_mocker
    def test_given_base_url_when_read_then_request_it_instead_of_the_subdomain(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(
            self.request().with_base_url("https://ideas.example.com").build(),
            self.page(self.record("1001")),
        )

        output = self.read(
            config=ConfigBuilder().with_base_url("https://ideas.example.com/").build()
        )

        assert ids_in_order(output) == ["1001"]

    @with_http_mocker
    def test_given_http_status_403_when_read_then_config_error(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(self.request().build(), a_response_with_status(403))

        output = self.read(expecting_exception=True)

        assert output.records == []
        assert output.errors[-1].trace.error.failure_type == FailureType.config_error

    @with_http_mocker
    def test_given_html_page_instead_of_json_when_read_then_config_error(
        self, http_mocker: HttpMocker
    ) -> None:
        # A wrong subdomain answers with a web page, here with status 200.
        http_mocker.get(
            self.request().build(),
            HttpResponse("<html><body>Sign in</body></html>", 200, {"Content-Type": "text/html"}),
        )

        output = self.read(expecting_exception=True)

        assert output.records == []
        assert output.errors[-1].trace.error.failure_type == FailureType.config_error

    @with_http_mocker
    def test_given_http_status_429_with_retry_after_underscore_when_read_then_return_records(
        self, http_mocker: HttpMocker
    ) -> None:
        headers = {"retry_after": "2", "X-Ratelimit-Remaining": "0"}
        self.assert_retried_then_read(http_mocker, a_response_with_status(429, headers))

    @with_http_mocker
    def test_given_http_status_500_then_200_when_read_then_return_records(
        self, http_mocker: HttpMocker
    ) -> None:
        self.assert_retried_then_read(http_mocker, a_response_with_status(500))
