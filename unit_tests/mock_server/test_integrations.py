"""`integrations`: GET /integrations?fields=... (list rows are abbreviated), read whole; the
secret `callback_token` is never emitted."""

from __future__ import annotations

from unittest import TestCase

from airbyte_cdk.test.mock_http import HttpMocker

from testkit.resources import of_stream
from unit_tests.mock_server.stream_scenarios import (
    FullRefreshOnlyScenarios,
    ListStreamScenarios,
    StreamCase,
    with_http_mocker,
)


class IntegrationsTest(ListStreamScenarios, FullRefreshOnlyScenarios, TestCase):
    case = StreamCase("integrations")

    @with_http_mocker
    def test_given_a_callback_token_in_the_answer_when_read_then_the_record_has_none(
        self, http_mocker: HttpMocker
    ) -> None:
        # The template's row carries one, as Aha!'s full record does.
        http_mocker.get(self.request().build(), self.page(self.record("7001")))

        output = self.read()

        [record] = [message.record.data for message in output.records]
        assert "callback_token" not in record
        assert record["service_name"] == "jira"
        assert "callback_token" not in of_stream("integrations").fields
