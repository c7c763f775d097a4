"""Custom fields as columns, end to end: the installed `source-aha` discovers one typed `cf_<key>`
column per definition of the emulator's account, reads records whose columns hold the emulator's
values with the JSON type of their definition, still discovers and reads when the definitions
answer 403, and lands a date field as a DATE and a number field as a numeric column in DuckDB
through PyAirbyte.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest

# PyAirbyte looks its connectors up in Airbyte's online registry unless told not to; and it is
# imported here, at collection, because pydantic builds its models when first imported: a test
# that froze the clock first (freezegun) would leave them unable to handle a real datetime.
os.environ.setdefault("AIRBYTE_OFFLINE_MODE", "1")
os.environ.setdefault("DO_NOT_TRACK", "1")
import airbyte
import airbyte.progress

from aha_emulator import AhaEmulator
from aha_emulator.custom_fields.records import DEFINITIONS, PREFIX
from integration_tests.conftest import ROOT, emulator_config
from integration_tests.connector import configured_catalog, run_source
from integration_tests.custom_fields import STREAMS
from integration_tests.test_end_to_end import assert_same_records, by_id, expected_ideas

DEFINITIONS_ROUTE = "GET /api/v1/custom_field_definitions"
RECORD_TYPES = {
    "ideas": "Ideas::Idea",
    "features": "Feature",
    "epics": "Epic",
    "initiatives": "Initiative",
}
STRING = {"type": ["null", "string"]}
STRINGS = {"type": ["null", "array"], "items": {"type": ["null", "string"]}}
# The README's type mapping, written out again: Aha! type -> column schema and Python type.
COLUMN_SCHEMAS = {
    "TextField": STRING,
    "NoteField": STRING,
    "UrlField": STRING,
    "SelectConstant": STRING,
    "SelectEditable": STRING,
    "NumberField": {"type": ["null", "number"]},
    "DateField": {"type": ["null", "string"], "format": "date"},
    "CheckboxField": {"type": ["null", "boolean"]},
    "SelectMultipleConstant": STRINGS,
    "SelectMultipleEditable": STRINGS,
    "Records::UsersField": STRINGS,
}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def definitions_of(stream: str) -> list[Any]:
    return [d for d in DEFINITIONS if d.record_type == RECORD_TYPES[stream]]


def has_the_json_type(kind: str, value: Any) -> bool:
    if kind == "NumberField":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "DateField":
        return isinstance(value, str) and bool(DATE.match(value))
    if kind == "CheckboxField":
        return isinstance(value, bool)
    if COLUMN_SCHEMAS.get(kind) == STRINGS:
        return isinstance(value, list) and all(isinstance(item, str) for item in value)
    return isinstance(value, str)  # the other known types, and every unknown one


def discover(tmp_path: Path, emulator: AhaEmulator) -> dict[str, dict[str, Any]]:
    run = run_source("discover", tmp_path, config=emulator_config(emulator))
    assert run.returncode == 0, run.stderr[-2000:]
    return {s["name"]: s["json_schema"] for s in run.catalog["streams"]}


def read(tmp_path: Path, emulator: AhaEmulator):
    run = run_source(
        "read",
        tmp_path,
        config=emulator_config(emulator),
        catalog=configured_catalog(STREAMS, sync_mode="full_refresh"),
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert not run.errors
    return run


def columns(schema: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in schema["properties"].items() if k.startswith("cf_")}


def test_discover_types_one_column_per_definition_of_each_stream(tmp_path, emulator):
    schemas = discover(tmp_path, emulator)

    for stream in STREAMS:
        expected = {
            f"cf_{d.key}": COLUMN_SCHEMAS.get(d.type, STRING) for d in definitions_of(stream)
        }
        assert columns(schemas[stream]) == expected, stream
        assert schemas[stream]["required"] == ["id", "updated_at"]
        assert "custom_fields" in schemas[stream]["properties"]
    assert emulator.stats.by_route() == {DEFINITIONS_ROUTE: 1}  # one request for four streams
    assert {d.type for d in DEFINITIONS} - set(COLUMN_SCHEMAS) == {"ScorecardField"}


def test_read_columns_hold_the_emulators_values_with_their_definitions_json_type(
    tmp_path, emulator
):
    run = read(tmp_path, emulator)

    for stream in STREAMS:
        truth = {r["id"]: r for r in getattr(emulator.workspace, stream)()}
        records = by_id(run.records(stream))
        assert set(records) == set(truth)
        for definition in definitions_of(stream):
            column, seen = f"cf_{definition.key}", 0
            for record_id, record in records.items():
                [element] = [
                    e for e in truth[record_id]["custom_fields"] if e["key"] == definition.key
                ] or [{"value": None}]
                if element["value"] is None:
                    assert column not in record  # top-level nulls are left out
                    continue
                seen += 1
                value = record[column]
                assert has_the_json_type(definition.type, value), (stream, column, value)
                expected = element["value"]
                assert value == (str(expected) if definition.type == "ScorecardField" else expected)
                assert record["custom_fields"] == truth[record_id]["custom_fields"]
            assert seen, f"no {stream} record has a value for {column}: the test proves nothing"
    assert {PREFIX + d.type for d in DEFINITIONS} >= {"CustomFieldDefinitions::DateField"}


def test_given_definitions_forbidden_when_discover_and_read_then_static_schema_and_records(
    tmp_path, emulator
):
    emulator.set_forbidden({DEFINITIONS_ROUTE})

    schemas = discover(tmp_path / "discover", emulator)
    run = read(tmp_path / "read", emulator)

    for stream in STREAMS:
        assert columns(schemas[stream]) == {}
        assert schemas[stream]["required"] == ["id", "updated_at"]
        truth = {r["id"] for r in getattr(emulator.workspace, stream)()}
        assert set(by_id(run.records(stream))) == truth
    assert_same_records(by_id(run.records("ideas")), expected_ideas(emulator))
    warnings = [m["log"]["message"] for m in run.of_type("LOG") if m["log"]["level"] == "WARN"]
    assert [w for w in warnings if "custom field columns of ideas" in w]
    assert "Aha!'s custom field definitions" in warnings[0]


@pytest.fixture
def pyairbyte(monkeypatch):
    monkeypatch.setenv("NO_LIVE_PROGRESS", "1")
    monkeypatch.setattr(airbyte.progress, "IS_NOTEBOOK", False)
    return airbyte


def test_pyairbyte_lands_a_date_field_as_date_and_a_number_field_as_numeric_in_duckdb(
    tmp_path, emulator, pyairbyte
):
    executable = str(Path(sys.executable).with_name("source-aha"))
    source = pyairbyte.get_source(
        "source-aha", config=emulator_config(emulator), local_executable=executable
    )
    source.select_streams(["ideas", "features"])
    cache = pyairbyte.caches.DuckDBCache(db_path=tmp_path / "aha.duckdb", schema_name="main")
    source.read(cache=cache, force_full_refresh=True)

    types = {
        (row["table_name"], row["column_name"]): row["data_type"]
        for row in cache.run_sql_query(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE column_name IN ('cf_launch_date', 'cf_expected_value', 'cf_target_launch',"
            " 'cf_effort_points')"
        )
    }
    assert types[("ideas", "cf_launch_date")] in ("DATE", "TIMESTAMP")
    assert types[("features", "cf_target_launch")] in ("DATE", "TIMESTAMP")
    numeric = re.compile(r"^(DOUBLE|FLOAT|REAL|DECIMAL\(\d+,\d+\)|BIGINT|INTEGER|HUGEINT)$")
    assert numeric.match(types[("ideas", "cf_expected_value")])
    assert numeric.match(types[("features", "cf_effort_points")])

    # No unnesting: the README's example, read against the emulator's truth.
    rows = cache.run_sql_query(
        "SELECT id, cf_launch_date, cf_expected_value FROM ideas "
        "WHERE cf_launch_date >= DATE '2021-01-01' ORDER BY cf_launch_date"
    )
    truth = {}
    for idea in emulator.workspace.ideas():
        values = {e["key"]: e["value"] for e in idea["custom_fields"]}
        if values.get("launch_date"):
            truth[idea["id"]] = (values["launch_date"], values.get("expected_value"))
    got = {
        row["id"]: (row["cf_launch_date"].isoformat()[:10], row["cf_expected_value"])
        for row in rows
    }
    assert got.keys() == truth.keys()
    for idea_id, (launch, value) in truth.items():
        assert got[idea_id][0] == launch
        assert (got[idea_id][1] is None) == (value is None)
        assert value is None or float(got[idea_id][1]) == pytest.approx(value)
    assert os.environ["AIRBYTE_OFFLINE_MODE"] == "1"

    # The README's SQL, as it stands there.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (query,) = re.findall(r"^```sql\n(.*?)^```", readme, re.S | re.M)
    rows = list(cache.run_sql_query(query))
    listed = sorted((row["reference_num"], row["name"]) for row in rows)
    dates = [row["cf_launch_date"] for row in rows]
    wanted = sorted(
        (idea["reference_num"], idea["name"])
        for idea in emulator.workspace.ideas()
        if (values := {e["key"]: e["value"] for e in idea["custom_fields"]})
        and (values.get("launch_date") or "") >= "2021-01-01"
        and (values.get("expected_value") or 0) > 1000
    )
    assert listed == wanted
    assert dates == sorted(dates)
    assert listed, "the emulator has no idea the README's query selects"
