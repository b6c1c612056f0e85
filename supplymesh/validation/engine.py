"""Run a product version's contract over any DuckDB-readable input.

A clean input is judged by one aggregate pass over the input as it streams from its source
(``rule_counts.py``): every column is typed once, every rule counted, no row copied. Only when a
rule fails does a second pass number the rows and keep those that broke a failing rule
(``failing_rows.py``) for the report's samples, the quarantine and the rows held back from the
snapshot. The publisher reads the valid rows through ``CheckedInput.valid_rows_sql`` (the source
again, typed, in input order) and the rejected ones through ``rejected_rows_sql``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from supplymesh.registry import DUCKDB_TYPES, ProductVersion
from supplymesh.validation.cross_product import Resolve, evaluate
from supplymesh.validation.failing_rows import FailedRows, materialize_failures, no_rows_sql
from supplymesh.validation.partitions import Ledger, partition_results, plan_partitions
from supplymesh.validation.report import RuleResult, ValidationReport
from supplymesh.validation.rule_counts import RuleFlags, count_rules, flag_rules
from supplymesh.validation.rules import Rule, compile_rules, literal, quote
from supplymesh.validation.typed_view import type_columns


def source_sql(path: Path) -> str:
    """A DuckDB table expression for a landing file or folder of Parquet parts.

    CSV is read as text so a bad value becomes a per-row type violation instead of an error
    that hides every other problem in the file.
    """
    p = str(path)
    if path.is_dir():
        return f"read_parquet({literal(p + '/*.parquet')})"
    if path.suffix == ".parquet":
        return f"read_parquet({literal(p)})"
    if path.suffix == ".csv":
        return f"read_csv({literal(p)}, header = true, all_varchar = true)"
    raise ValueError(
        f"unsupported landing file {path}: expected .csv, .parquet or a folder of parts"
    )


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

    source_types, unreadable = _read_source(con, table_sql)
    if unreadable is not None:
        return CheckedInput(con, version, report(0, 0, [unreadable]))
    typed = type_columns(version, source_types, allow_extra_columns)
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
    con: duckdb.DuckDBPyConnection, table_sql: str
) -> tuple[dict[str, str], RuleResult | None]:
    """The input's column types (views ``_source`` and, numbered, ``_numbered``); or why it is
    unreadable.

    The typed views cast the source as it streams, so the connection keeps DuckDB from pushing a
    ``TRY_CAST`` into the CSV reader (optimizer ``type_pushdown``, DuckDB 2.0.1): the reader
    then fails on the first bad value instead of yielding NULL, a per-row type violation.

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
        source_types = {r[0]: r[1] for r in con.execute("DESCRIBE _source").fetchall()}
    except duckdb.Error as exc:
        sample = [{"error": str(exc).splitlines()[0]}]
        return {}, RuleResult("readable", None, "a readable input", 1, kind="schema", sample=sample)
    con.execute(
        "CREATE OR REPLACE TEMP VIEW _numbered AS SELECT row_number() OVER () AS _row, * FROM _source"
    )
    return source_types, None


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
    con = duckdb.connect()
    try:
        report = check_input(
            con,
            source_sql(path),
            version,
            source_label=str(path),
            partition_column=partition_column,
        ).report
        if resolve is None or report.schema_failures:
            return report
        typed = "(SELECT " + ", ".join(quote(c.name) for c in version.columns) + " FROM _typed)"
        cross = evaluate(con, typed, version, resolve)
        return replace(report, results=[*report.results, *cross])
    finally:
        con.close()


__all__ = ["DUCKDB_TYPES", "CheckedInput", "check_input", "source_sql", "validate_file"]
