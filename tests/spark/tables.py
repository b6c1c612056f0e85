"""Row-for-row comparison of two builds of one table, read by different engines (Arrow tables).

Floats may differ in their last bits between engines (a sum in another order), so float columns
compare within a stated tolerance; every other value, the keys and the column names and types
must be equal.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pyarrow as pa

# Relative and absolute tolerance for float columns: DuckDB and Spark sum (avg, stddev) in
# different orders; the marts of the small world differ by at most about 1e-13 relative.
FLOAT_REL_TOL = 1e-9
FLOAT_ABS_TOL = 1e-9


def type_family(arrow_type: pa.DataType) -> str:
    """An Arrow type without the engine's choice of width for strings (Spark hands over
    large_string, DuckDB string or string_view)."""
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "string"
    if str(arrow_type) == "string_view":
        return "string"
    return str(arrow_type)


def schema_of(table: pa.Table) -> list[tuple[str, str]]:
    return [(field.name, type_family(field.type)) for field in table.schema]


def _same(a: Any, b: Any, float_tolerance: bool) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        if float_tolerance:
            return math.isclose(a, b, rel_tol=FLOAT_REL_TOL, abs_tol=FLOAT_ABS_TOL)
    return a == b


def row_differences(
    expected: pa.Table,
    actual: pa.Table,
    keys: Sequence[str],
    float_tolerance: bool = True,
    limit: int = 10,
) -> tuple[list[str], float]:
    """What differs between the two tables (up to ``limit`` findings) and the largest absolute
    difference of any float value. Rows are matched by ``keys``, which must be unique."""
    found: list[str] = []
    if schema_of(expected) != schema_of(actual):
        return [f"columns differ: {schema_of(expected)} != {schema_of(actual)}"], math.nan
    expected_rows = {tuple(r[k] for k in keys): r for r in expected.to_pylist()}
    actual_rows = {tuple(r[k] for k in keys): r for r in actual.to_pylist()}
    if len(expected_rows) != expected.num_rows or len(actual_rows) != actual.num_rows:
        found.append(f"keys {list(keys)} repeat ({expected.num_rows} / {actual.num_rows} rows)")
    missing, extra = (
        expected_rows.keys() - actual_rows.keys(),
        actual_rows.keys() - expected_rows.keys(),
    )
    if missing or extra:
        found.append(
            f"{len(missing)} keys missing (e.g. {sorted(missing)[:3]}), {len(extra)} extra (e.g. {sorted(extra)[:3]})"
        )
    largest = 0.0
    for key in sorted(expected_rows.keys() & actual_rows.keys()):
        exp, act = expected_rows[key], actual_rows[key]
        for column, value in exp.items():
            other = act[column]
            if (
                isinstance(value, float)
                and isinstance(other, float)
                and not math.isnan(value - other)
            ):
                largest = max(largest, abs(value - other))
            if not _same(value, other, float_tolerance) and len(found) < limit:
                found.append(
                    f"{dict(zip(keys, key, strict=True))} {column}: {value!r} != {other!r}"
                )
    return found, largest
