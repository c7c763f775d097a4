"""Bad data from the server: odd but valid records arrive intact; garbled rows are never lost
silently.

Odd but valid: missing optional fields, nulls where objects are expected, unknown fields, a 1 MB
description, non-ASCII text, numbers above 2^53. Each record is emitted exactly as Aha! sent it
(the CDK leaves top-level nulls out; nothing else is dropped, cut or converted) and is valid
against the schema `discover` publishes.

Garbled: a row that is not an object, or has no `id`, cannot be a record; it is skipped with a
warning that names the endpoint, page and position, and the rest of the sync goes on. A row
without a usable `updated_at` is still emitted, with the CDK's warning about the cursor.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from aha_emulator import AhaEmulator
from integration_tests.conftest import emulator_config
from integration_tests.connector import IDEA_STREAMS, Run, configured_catalog
from integration_tests.custom_fields import with_custom_field_columns
from integration_tests.reliability_support import API_KEY, StubAha, guard_outputs, run
from integration_tests.test_end_to_end import (
    assert_same_records,
    by_id,
    expected_comments,
    expected_ideas,
    without_top_level_nulls,
)

BIG = 2**63 - 1  # far above 2^53: a float would round it
UNICODE = 'Ünïcödé 🚀 名前 שלום Ω≈ç√ — \u200b\u00a0\t"quotes" \\ </script>'


@pytest.fixture(autouse=True)
def api_key_never_leaks() -> Iterator[None]:
    yield from guard_outputs()


def schemas(workdir: Path, config: dict[str, Any]) -> dict[str, jsonschema.Draft7Validator]:
    result = run("discover", workdir, config=config)
    assert result.returncode == 0
    return {
        s["name"]: jsonschema.Draft7Validator(s["json_schema"]) for s in result.catalog["streams"]
    }


def assert_schema_valid(result: Run, validators: dict[str, jsonschema.Draft7Validator]) -> None:
    problems = [
        (m["record"]["stream"], m["record"]["data"].get("id"), error.message[:200])
        for m in result.of_type("RECORD")
        for error in validators[m["record"]["stream"]].iter_errors(m["record"]["data"])
    ]
    assert problems == []


def read(workdir: Path, config: dict[str, Any], streams=IDEA_STREAMS) -> Run:
    result = run("read", workdir, config=config, catalog=configured_catalog(streams))
    assert result.returncode == 0, result.stderr[-2000:] + str(result.errors)[:2000]
    assert result.errors == []
    return result


def warnings(result: Run) -> list[str]:
    return [m["log"]["message"] for m in result.of_type("LOG") if m["log"]["level"] == "WARN"]


# Odd but valid ----------------------------------------------------------------------------------


def test_nulls_a_1mb_unicode_description_and_numbers_above_2_53_arrive_intact_and_schema_valid(
    tmp_path,
):
    with AhaEmulator(ideas=40, seed=3, api_key=API_KEY) as emulator:
        workspace = emulator.workspace
        body = "<p>" + (UNICODE * 30_000)[: 1_000_000 - 7] + "</p>"
        odd = workspace.add_idea(
            name=UNICODE,
            description=body,
            product=None,
            score=None,
            categories=None,
            feature=None,
            created_by_user=None,
            custom_fields=[
                {"id": BIG, "key": "big", "name": "Big", "type": "number", "value": BIG},
                {"id": 2, "key": "nested", "name": "Nested", "type": "x", "value": {"a": [None]}},
            ],
        )
        idea_id = workspace.ideas()[0]["id"]
        parent = workspace.add_comment(idea_id)
        reply = workspace.add_comment(idea_id, parent_id=parent["id"])
        config = emulator_config(emulator)
        validators = schemas(tmp_path / "discover", config)

        result = read(tmp_path / "read", config)

        ideas = by_id(result.records("ideas"))
        assert_same_records(ideas, expected_ideas(emulator))
        assert ideas[odd["id"]]["description"]["body"] == body
        assert len(ideas[odd["id"]]["description"]["body"]) == 1_000_000
        assert ideas[odd["id"]]["name"] == UNICODE
        assert ideas[odd["id"]]["custom_fields"][0]["value"] == BIG
        assert "product" not in ideas[odd["id"]]  # a top-level null, left out by the CDK
        comments = by_id(result.records("idea_comments"))
        assert_same_records(comments, expected_comments(emulator))
        emitted_reply = comments[reply["id"]]
        assert emitted_reply["parent_idea_comment_id"] == int(parent["id"]) > 2**53
        assert type(emitted_reply["parent_idea_comment_id"]) is int
        assert_schema_valid(result, validators)


def _idea(n: int, **fields: Any) -> dict[str, Any]:
    return {"id": str(1000 + n), "updated_at": f"2024-01-{n:02d}T00:00:00.000Z", **fields}


STUB_IDEAS = [
    # only the two fields a record needs
    _idea(1),
    # null wherever the schema has an object, an array or a scalar
    _idea(
        2,
        name=None,
        product=None,
        workflow_status=None,
        description=None,
        admin_response=None,
        categories=None,
        custom_fields=None,
        created_by_user=None,
        feature=None,
        votes=None,
        score=None,
        comments_count=1,
        endorsements_count=None,
    ),
    # fields and nested fields no schema lists, an id above 2^53, numbers above 2^53
    _idea(
        3,
        id="9007199254740993",
        name=UNICODE,
        brand_new_field={"nested": [1, {"deeper": None}], "big": BIG},
        workflow_status={"id": "1", "name": "New", "shiny": True},
        votes=BIG,
        score=1e300,
        custom_fields=[{"id": BIG, "key": "k", "value": [BIG, "x"], "extra": {}}],
        comments_count=0,
    ),
]
STUB_COMMENTS = {
    "1002": [
        {
            "id": "6776881149487056352",
            "idea_id": "1002",
            "updated_at": "2024-01-02T00:00:00.000Z",
            "body": UNICODE,
            "parent_idea_comment_id": BIG,
            "idea_commenter_user": None,
            "attachments": None,
            "unexpected": {"x": 1},
        }
    ]
}


def test_missing_fields_nulls_for_objects_and_unknown_fields_are_emitted_as_sent(tmp_path):
    with StubAha(STUB_IDEAS, comments=STUB_COMMENTS) as stub:
        config = {"api_key": API_KEY, "subdomain": "company", "base_url": stub.url}
        validators = schemas(tmp_path / "discover", config)

        result = read(tmp_path / "read", config)

    ideas = by_id(result.records("ideas"))
    # As sent, plus the `cf_<key>` column of each custom field (README, custom fields).
    assert ideas == {
        i["id"]: without_top_level_nulls(with_custom_field_columns(i)) for i in STUB_IDEAS
    }
    assert ideas["9007199254740993"]["cf_k"] == f'[{BIG}, "x"]'
    assert ideas["9007199254740993"]["votes"] == BIG
    (comment,) = result.records("idea_comments")
    assert comment == without_top_level_nulls(STUB_COMMENTS["1002"][0])
    assert_schema_valid(result, validators)


# Garbled rows -----------------------------------------------------------------------------------

GOOD = [_idea(1, name="first"), _idea(2, name="second")]


@pytest.mark.parametrize(
    ("row", "emitted"),
    [
        pytest.param("oops", False, id="a_string"),
        pytest.param(None, False, id="null"),
        pytest.param(42, False, id="a_number"),
        pytest.param([1, 2], False, id="a_list"),
        pytest.param({"name": "no id", "updated_at": "2024-01-05T00:00:00Z"}, False, id="no_id"),
        pytest.param({"id": None, "updated_at": "2024-01-05T00:00:00Z"}, False, id="null_id"),
        pytest.param({"id": "2000", "name": "no updated_at"}, True, id="no_updated_at"),
        pytest.param({"id": "2001", "updated_at": "yesterday"}, True, id="malformed_updated_at"),
    ],
)
def test_a_garbled_row_is_skipped_or_emitted_with_a_warning_never_silently_lost(
    tmp_path, row, emitted
):
    with StubAha([GOOD[0], row, GOOD[1]]) as stub:
        config = {"api_key": API_KEY, "subdomain": "company", "base_url": stub.url}
        result = run("read", tmp_path, config=config, catalog=configured_catalog(["ideas"]))

    assert result.returncode == 0, str(result.errors)[:2000]
    assert result.errors == []
    ids = [r.get("id") for r in result.records("ideas")]
    said = warnings(result)
    print(f"emitted {ids}; warnings {said}")
    assert {"1001", "1002"} <= set(ids)
    if emitted:
        assert row["id"] in ids
        assert any("cursor field `updated_at`" in w for w in said)
    else:
        assert len(ids) == 2
        assert any("row 2 of page 1 of /api/v1/ideas" in w for w in said)
    # The bookmark still covers the good rows, and only them: nothing is skipped by a later sync.
    (state,) = result.final_state()
    assert state["stream"]["stream_state"]["updated_at"].startswith("2024-01-02")


def test_a_page_whose_rows_are_not_a_list_is_skipped_with_a_warning(tmp_path):
    with StubAha({"unexpected": "shape"}) as stub:
        config = {"api_key": API_KEY, "subdomain": "company", "base_url": stub.url}
        result = run("read", tmp_path, config=config, catalog=configured_catalog(["ideas"]))

    assert result.returncode == 0
    assert result.records("ideas") == []
    assert any("row 1 of page 1 of /api/v1/ideas" in w for w in warnings(result))
