"""Run a product version's contract over any DuckDB-readable input.

A clean input is judged by one aggregate pass over the input as it streams from its source
(``rule_counts.py``): every column is typed once, every rule counted, no row copied. Only when a
rule fails does a second pass number the rows and keep those that broke a failing rule
(``failing_rows.py``) for the report's samples, the quarantine and the rows held back from the
snapshot. The publisher reads the valid rows through ``CheckedInput.valid_rows_sql`` (the source
again, typed, in input order) and the rejected ones through ``rejected_rows_sql``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from supplymesh import duckdb_limits
from supplymesh.registry import DUCKDB_TYPES, ProductVersion
from supplymesh.validation.cross_product import Resolve, evaluate
from supplymesh.validation.failing_rows import FailedRows, materialize_failures, no_rows_sql
from supplymesh.validation.landing_file import (
    READ_ERRORS,
    UnreadableInputError,
    read_error,
    source_sql,
)
from supplymesh.validation.partitions import Ledger, partition_results, plan_partitions
from supplymesh.validation.report import READABLE, RuleResult, ValidationReport
from supplymesh.validation.rule_counts import RuleFlags, count_rules, flag_rules
from supplymesh.validation.rules import Rule, compile_rules, literal, quote
from supplymesh.validation.typed_view import TypedColumns, type_columns


@dataclass(frozen=True)
class CheckedInput:
    """The validated input: its views (``_typed``, ``_typed_rows``) in the connection and, when a
    rule failed, its failing rows (``_failed``)."""

    con: duckdb.DuckDBPyConnection
    version: ProductVersion
    report: ValidationReport
    ledger: Ledger | None = None  # per-partition results to keep, for daily products
    failed: FailedRows | None = None

    def valid_rows_sql(self) -> str:
        """The typed rows no blocking rule rejected, in input order: with nothing rejected, the
        source itself, typed, as it streams."""
        columns = [c.name for c in self.version.columns]
        if self.failed is None or self.report.rejected_rows == 0:
            return f"SELECT {', '.join(quote(c) for c in columns)} FROM _typed"
        return self.failed.valid_rows_sql(columns)

    def rejected_rows_sql(self) -> str:
        """Raw input rows that broke a blocking rule, with the list of rules they broke."""
        return self.failed.rejected_rows_sql() if self.failed is not None else no_rows_sql()


def _all_rules(version: ProductVersion) -> list[Rule]:
    dtype_rules = [
        Rule(c.name, f"dtype({c.type})", f"values of type {c.type}") for c in version.columns
    ]
    return dtype_rules + compile_rules(version.schema)


def check_input(
    con: duckdb.DuckDBPyConnection,
    table_sql: str,
    version: ProductVersion,
    *,
    source_label: str,
    allow_extra_columns: bool = True,
    quarantine_tolerance: float = 0.0,
    partition_column: str | None = None,
    previous_ledger: Ledger | None = None,
    run_id: str = "",
) -> CheckedInput:
    """Validate ``table_sql`` (any DuckDB table expression) against a product version's contract.

    Landing extracts may carry columns for other versions (``allow_extra_columns``); a frame an
    asset produced must match its contract exactly. A daily product names its
    ``partition_column``: results are then kept per partition, and with the ``previous_ledger``
    unchanged clean partitions are reused instead of re-validated (see ``partitions.py``).

    Phases: type every column (``typed_view``), count every rule's failing rows in one pass
    (``rule_counts``), then only if a rule failed keep its rows for samples and quarantine
    (``failing_rows``).
    """
    if partition_column and partition_column not in {c.name for c in version.columns}:
        raise ValueError(f"{version.product}: partition column {partition_column} not in contract")

    def report(rows: int, blocking: int, results: list[RuleResult], **extra) -> ValidationReport:
        return ValidationReport(
            version.product,
            version.major,
            version.version,
            source_label,
            rows,
            blocking,
            results,
            quarantine_tolerance,
            **extra,
        )

    expected = [version.source_column(c.name) for c in version.columns]
    source_types, unreadable = _read_source(con, table_sql, source_label, expected)
    if unreadable is not None:
        return CheckedInput(con, version, report(0, 0, [unreadable]))
    typed = type_columns(version, source_types, allow_extra_columns)
    try:
        return _run_passes(
            con, version, typed, source_types, report, partition_column, previous_ledger, run_id
        )
    except READ_ERRORS as exc:  # a file that breaks further down than its first rows
        failure = unreadable_result(read_error(source_label, exc))
        return CheckedInput(con, version, report(0, 0, [failure]))


def _run_passes(
    con: duckdb.DuckDBPyConnection,
    version: ProductVersion,
    typed: TypedColumns,
    source_types: dict[str, str],
    report: Callable[..., ValidationReport],
    partition_column: str | None,
    previous_ledger: Ledger | None,
    run_id: str,
) -> CheckedInput:
    """The typed views, then the counting pass and, if a rule failed, the evidence pass."""
    rules = _all_rules(version)
    fingerprint = partition_column is not None and all(
        r.is_local_to(partition_column) for r in rules
    )
    con.execute(typed.view_sql("_typed", "_source", row_ids=False, fingerprint=fingerprint))
    con.execute(typed.view_sql("_typed_rows", "_numbered", row_ids=True, fingerprint=False))
    plan = (
        plan_partitions(con, version, rules, partition_column, previous_ledger)
        if partition_column
        else None
    )
    flags = flag_rules(con, version, rules, typed, plan)
    counts = count_rules(con, flags, plan)
    failed = materialize_failures(con, flags, counts.failing, typed.input_columns, plan)
    results = _rule_results(con, version, flags, counts.failing, failed, source_types)
    ledger, summary = (
        partition_results(plan, rules, counts.partitions, previous_ledger, run_id)
        if plan is not None
        else (None, None)
    )
    blocking = failed.rejected_count(con) if failed is not None else 0
    checked = report(
        counts.rows, blocking, [*typed.counted(counts.rows), *results], partitions=summary
    )
    return CheckedInput(con, version, checked, ledger, failed)


def unreadable_result(error: UnreadableInputError) -> RuleResult:
    """The schema failure of an input that cannot be read, carrying its one-paragraph reason."""
    return RuleResult(
        READABLE,
        None,
        "a readable input",
        1,
        kind="schema",
        sample=[{"error": error.describe(), "line": error.line}],
    )


def _rule_results(
    con: duckdb.DuckDBPyConnection,
    version: ProductVersion,
    flags: RuleFlags,
    failing: list[int],
    failed: FailedRows | None,
    source_types: dict[str, str],
) -> list[RuleResult]:
    """Per rule, its failing rows and, when it has some, the first of them as delivered."""
    sample_columns = [
        src for c in version.columns if (src := version.source_column(c.name)) in source_types
    ]
    return [
        RuleResult(
            rule.name,
            rule.column,
            rule.expected,
            n,
            rule.severity,
            sample=failed.sample(con, flag, sample_columns) if n and failed else [],
        )
        for rule, flag, n in zip(flags.rules, flags.names, failing, strict=True)
    ]


def _read_source(
    con: duckdb.DuckDBPyConnection, table_sql: str, source_label: str, expected: list[str]
) -> tuple[dict[str, str], RuleResult | None]:
    """The input's column types (views ``_source`` and, numbered, ``_numbered``); or why it is
    unreadable.

    Column names are matched regardless of case: an input column that differs from a contract
    column (``expected``: the names the version reads) only in case is read under the contract's
    name. The typed views cast the source as it streams, so the connection keeps DuckDB from
    pushing a ``TRY_CAST`` into the CSV reader (optimizer ``type_pushdown``, DuckDB 2.0.1): the
    reader then fails on the first bad value instead of yielding NULL, a per-row type violation.

    Parquet writers leave NaN out of a column's min/max statistics, and DuckDB trusts them
    unless told otherwise (duckdb/duckdb#25521): a NaN row would then pass ``isnan`` and every
    comparison. ``parquet_can_have_nan`` makes the scan look at the values.
    """
    con.execute("SET parquet_can_have_nan = true")
    disabled = con.execute("SELECT current_setting('disabled_optimizers')").fetchone()[0]
    if "type_pushdown" not in disabled:
        con.execute(
            "SET disabled_optimizers = "
            + literal(",".join(filter(None, [disabled, "type_pushdown"])))
        )
    try:
        con.execute(f"CREATE OR REPLACE TEMP VIEW _source AS SELECT * FROM {table_sql}")
        names = [r[0] for r in con.execute("DESCRIBE _source").fetchall()]
        renames = _case_renames(names, expected)
        if renames:
            columns = ", ".join(f"{quote(n)} AS {quote(renames.get(n, n))}" for n in names)
            con.execute(f"CREATE OR REPLACE TEMP VIEW _source AS SELECT {columns} FROM {table_sql}")
        source_types = {r[0]: r[1] for r in con.execute("DESCRIBE _source").fetchall()}
    except duckdb.Error as exc:
        return {}, unreadable_result(read_error(source_label, exc))
    con.execute(
        "CREATE OR REPLACE TEMP VIEW _numbered AS SELECT row_number() OVER () AS _row, * FROM _source"
    )
    return source_types, None


def _case_renames(names: list[str], expected: list[str]) -> dict[str, str]:
    """Input columns to read under a contract column's name that differs only in case."""
    present = set(names)
    wanted = {e.lower(): e for e in expected if e not in present}
    return {n: wanted[n.lower()] for n in names if n not in expected and n.lower() in wanted}


def check_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    version: ProductVersion,
    *,
    quarantine_tolerance: float = 0.0,
    partition_column: str | None = None,
    previous_ledger: Ledger | None = None,
    run_id: str = "",
) -> CheckedInput:
    """``check_input`` over a landing file (or folder of parts) at ``path``; a file that is not
    what its name says fails the schema phase with its reason (``landing_file``)."""
    try:
        table_sql = source_sql(path)
    except UnreadableInputError as error:
        report = ValidationReport(
            version.product,
            version.major,
            version.version,
            str(path),
            0,
            0,
            [unreadable_result(error)],
            quarantine_tolerance,
        )
        return CheckedInput(con, version, report)
    return check_input(
        con,
        table_sql,
        version,
        source_label=str(path),
        quarantine_tolerance=quarantine_tolerance,
        partition_column=partition_column,
        previous_ledger=previous_ledger,
        run_id=run_id,
    )


def validate_file(
    path: Path,
    version: ProductVersion,
    partition_column: str | None = None,
    resolve: Resolve | None = None,
) -> ValidationReport:
    """Validate a producer's file against a contract without publishing anything.

    With ``resolve`` (the products being served), the contract's cross-product rules are checked
    too, so a producer learns before publishing that a SKU is missing from the item master.
    """
    con = duckdb_limits.connect()
    try:
        report = check_file(con, path, version, partition_column=partition_column).report
        if resolve is None or report.schema_failures:
            return report
        typed = "(SELECT " + ", ".join(quote(c.name) for c in version.columns) + " FROM _typed)"
        cross = evaluate(con, typed, version, resolve)
        return replace(report, results=[*report.results, *cross])
    finally:
        con.close()


__all__ = [
    "DUCKDB_TYPES",
    "CheckedInput",
    "check_file",
    "check_input",
    "source_sql",
    "unreadable_result",
    "validate_file",
]
