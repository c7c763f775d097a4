"""`requirements`: GET /features/{feature_id}/requirements?updated_since=... for every feature
whose `requirements` list is not empty, incremental on the server under one global cursor, with
the feature's id added as `feature_id`; an Aha! Roadmaps feature, skipped on a 403."""

from __future__ import annotations

from datetime import datetime, timezone
from unittest import TestCase

from airbyte_cdk.test.mock_http import HttpMocker
from airbyte_cdk.test.mock_http.response_builder import FieldPath

from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.deletes_scenarios import DeletesScenarios
from unit_tests.mock_server.request_builder import AhaRequestBuilder
from unit_tests.mock_server.response_builder import a_record_of, a_response_of
from unit_tests.mock_server.stream_scenarios import (
    SERVER_SIDE,
    FanOutScenarios,
    ListStreamScenarios,
    Parent,
    PlanFeatureScenarios,
    ServerSideIncrementalScenarios,
    StreamCase,
    record_to_parent,
    with_http_mocker,
)

# Every feature, read whole (the template's feature lists one requirement).
FEATURES_PARENT = Parent(
    "features",
    "feature_id",
    lambda: AhaRequestBuilder.endpoint("all_features"),
    ("5000060243", "5000060244"),
)


class RequirementsTest(
    ListStreamScenarios,
    FanOutScenarios,
    ServerSideIncrementalScenarios,
    PlanFeatureScenarios,
    DeletesScenarios,
    TestCase,
):
    case = StreamCase(
        "requirements",
        parent=FEATURES_PARENT,
        incremental=SERVER_SIDE,
        global_cursor=True,
        plan_feature="Aha! Roadmaps",
    )

    @with_http_mocker
    def test_given_a_feature_without_requirements_when_read_then_it_is_not_asked(
        self, http_mocker: HttpMocker
    ) -> None:
        # No request is mocked for 5000060244: asking for its requirements would fail the read.
        with_some, without = FEATURES_PARENT.ids
        http_mocker.get(
            FEATURES_PARENT.endpoint().build(),
            a_response_of("features")
            .with_records(
                a_record_of("features").with_id(with_some),
                a_record_of("features").with_id(without).with_field(FieldPath("requirements"), []),
            )
            .with_page(1, 1)
            .build(),
        )
        http_mocker.get(self.request(with_some).build(), self.page(self.record("7001")))

        output = self.read()

        assert record_to_parent(output, "feature_id") == {"7001": with_some}
        assert not output.errors

    @with_http_mocker
    def test_given_start_date_when_read_then_every_feature_is_asked_since_the_start_date(
        self, http_mocker: HttpMocker
    ) -> None:
        # The features are read whole: an old feature can get a new requirement.
        self.given_parents(http_mocker, *FEATURES_PARENT.ids)
        since = datetime(2024, 1, 1, tzinfo=timezone.utc)
        for feature_id, requirement_id in zip(FEATURES_PARENT.ids, ("7001", "7002"), strict=True):
            http_mocker.get(
                self.request(feature_id).with_updated_since(since).build(),
                self.page(self.record(requirement_id)),
            )

        output = self.read(config=ConfigBuilder().with_start_date("2024-01-01T00:00:00Z").build())

        assert record_to_parent(output, "feature_id") == dict(
            zip(("7001", "7002"), FEATURES_PARENT.ids, strict=True)
        )
