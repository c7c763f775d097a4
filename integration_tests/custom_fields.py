"""What the custom-field columns of a record must hold, as the README promises it.

Each `custom_fields[]` element `{key, value, type}` of an `ideas`, `features`, `epics` or
`initiatives` record is also a top-level `cf_<key>` column. A value whose record-level `type`
is one the column types (`string`, `url`, `note`, `date`, `number`, `boolean`, `array`) keeps
its JSON value; any other non-string value is its JSON text (the column of an unknown type is a
nullable string). The truth of the end-to-end tests adds these columns to Aha!'s records.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

PREFIX = "cf_"
STREAMS = ("ideas", "features", "epics", "initiatives")
KEPT_TYPES = frozenset({"string", "url", "note", "date", "number", "boolean", "array"})


def column_value(element: Mapping[str, Any]) -> Any:
    value = element.get("value")
    if value is None or isinstance(value, str) or element.get("type") in KEPT_TYPES:
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def with_custom_field_columns(record: Mapping[str, Any]) -> dict[str, Any]:
    """`record` plus its `cf_<key>` columns (never replacing one of its own fields)."""
    out = dict(record)
    for element in record.get("custom_fields") or []:
        out.setdefault(PREFIX + element["key"], column_value(element))
    return out
