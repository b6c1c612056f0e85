"""Per rule, the rows each side rejects: the engine on a file, pandera on the same file as a
user reads it into pandas.

A rule is named the same way on both sides: ``(column, name)`` with the engine's rule name
(``greater_than_or_equal_to(1)``, ``not_nullable``, ``unique``, ``unique(a, b)``, a frame
check's error text) and ``(column, "dtype")`` for a value of the wrong type. Rows are 0-based
positions in the file.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from pathlib import Path

import duckdb
import pandas as pd
import pandera.pandas as pa

from supplymesh.registry import ProductVersion
from supplymesh.validation.engine import CheckedInput, check_input, validate_file
from supplymesh.validation.landing_file import source_sql
from supplymesh.validation.report import ValidationReport

RuleKey = tuple[str | None, str]
Outcome = dict[RuleKey, frozenset[int]]
WHOLE_COLUMN = -1  # pandera's failure case with no row index: the column as a whole


def _describe(check: pa.Check) -> str:
    return check.error or check.name or "custom check"


def engine_outcome(version: ProductVersion, path: Path) -> Outcome:
    """The engine's failing rows per rule (blocking and WARN rules alike)."""
    con = duckdb.connect()
    try:
        checked = check_input(con, source_sql(path), version, source_label=str(path))
        return _failing_rows(con, checked)
    finally:
        con.close()


def engine_report(version: ProductVersion, path: Path) -> ValidationReport:
    """The engine's report on a landing file, as ``mesh validate`` gives it."""
    return validate_file(path, version)


def _failing_rows(con: duckdb.DuckDBPyConnection, checked: CheckedInput) -> Outcome:
    schema = [r for r in checked.report.results if r.kind != "row" and not r.passed]
    assert not schema, f"unexpected schema failure: {schema}"
    if checked.failed is None:
        return {}
    out: Outcome = {}
    for rule, flag in zip(checked.failed.rules, checked.failed.flags, strict=True):
        rows = con.execute(f"SELECT _row - 1 FROM _failed WHERE {flag}").fetchall()
        name = "dtype" if rule.name.startswith("dtype(") else rule.name
        out[(rule.column, name)] = frozenset(r[0] for r in rows)
    return out


def raising(schema: pa.DataFrameSchema) -> pa.DataFrameSchema:
    """The schema with every check raising: pandera only warns about a WARN check
    (``raise_warning=True``) and names no rows, so its rows are compared with it raising (the
    severity is compared on its own)."""
    schema = copy.deepcopy(schema)
    for check in [*schema.checks, *(c for col in schema.columns.values() for c in col.checks)]:
        check.raise_warning = False
    return schema


def pandera_outcome(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> Outcome:
    """pandera's failure cases per rule on ``frame`` (``lazy=True``: every rule, not the first)."""
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return {}
    found: dict[RuleKey, set[int]] = defaultdict(set)
    for case in cases.itertuples(index=False):
        key = _pandera_key(schema, case)
        found[key].add(WHOLE_COLUMN if pd.isna(case.index) else int(case.index))
    return {k: frozenset(v) for k, v in found.items()}


def _pandera_key(schema: pa.DataFrameSchema, case) -> RuleKey:
    check = str(case.check)
    if check in {"not_nullable", "field_uniqueness"}:
        return case.column, "unique" if check == "field_uniqueness" else check
    if check == "multiple_fields_uniqueness":
        return None, f"unique({', '.join(schema.unique)})"
    if check.startswith(("dtype(", "coerce_dtype(")):
        return case.column, "dtype"
    if case.schema_context == "Column":
        return case.column, _describe(schema.columns[case.column].checks[int(case.check_number)])
    if case.schema_context == "DataFrameSchema" and not pd.isna(case.check_number):
        return None, _describe(schema.checks[int(case.check_number)])
    raise AssertionError(f"a pandera failure case the comparison does not know: {case}")
