"""Run a product version's contract over any DuckDB-readable input.

One pass over the input types every column, flags every rule per row and keeps the result in a
temp table (``_checked``) so the publisher can write the valid rows and quarantine the rest,
each with the rules it broke, without reading the input twice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import pandas as pd

from supplymesh.registry import DUCKDB_TYPES, ProductVersion
from supplymesh.validation.cross_product import Resolve, evaluate
from supplymesh.validation.partitions import (
    Ledger,
    PartitionPlan,
    partition_results,
    plan_partitions,
)
from supplymesh.validation.report import RuleResult, ValidationReport
from supplymesh.validation.rules import Rule, compile_rules, literal, quote
from supplymesh.validation.typed_view import type_columns

SAMPLE_ROWS = 5


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
    """The validated input, held in the connection as temp table ``_checked``."""

    con: duckdb.DuckDBPyConnection
    version: ProductVersion
    report: ValidationReport
    rule_flags: list[str]
    ledger: Ledger | None = None  # per-partition results to keep, for daily products

    def valid_rows_sql(self) -> str:
        cols = ", ".join(quote(c.name) for c in self.version.columns)
        blocking = [
            f for f, r in zip(self.rule_flags, self._rules, strict=True) if r.severity == "ERROR"
        ]
        where = " OR ".join(blocking) if blocking else "false"
        return f"SELECT {cols} FROM _checked WHERE NOT ({where}) ORDER BY _row"

    def rejected_rows_sql(self) -> str:
        """Raw input rows that broke a blocking rule, with the list of rules they broke."""
        labels = [
            f"CASE WHEN c.{flag} THEN {literal(r.label)} END"
            for flag, r in zip(self.rule_flags, self._rules, strict=True)
            if r.severity == "ERROR"
        ]
        if not labels:
            return "SELECT * FROM _numbered WHERE false"
        return (
            "SELECT n.*, list_filter(["
            + ", ".join(labels)
            + "], lambda x: x IS NOT NULL) AS _violations "
            "FROM _numbered n JOIN _checked c USING (_row) "
            "WHERE len(list_filter(["
            + ", ".join(labels)
            + "], lambda x: x IS NOT NULL)) > 0 ORDER BY _row"
        )

    @property
    def _rules(self) -> list[Rule]:
        return _all_rules(self.version)


def _all_rules(version: ProductVersion) -> list[Rule]:
    dtype_rules = [
        Rule(c.name, f"dtype({c.type})", f"values of type {c.type}") for c in version.columns
    ]
    return dtype_rules + compile_rules(version.schema)


def _sample(con: duckdb.DuckDBPyConnection, flag: str, columns: list[str]) -> list[dict]:
    """The first offending input rows, as delivered, limited to the contract's columns (an
    extract's other columns are no evidence, and may hold what this version does not expose)."""
    df = con.execute(
        f"SELECT {', '.join('n.' + quote(c) for c in columns)} FROM _numbered n JOIN "
        f"(SELECT _row FROM _checked WHERE {flag} ORDER BY _row LIMIT {SAMPLE_ROWS}) USING (_row) "
        "ORDER BY _row"
    ).df()
    return [
        {k: (None if pd.isna(v) else v) for k, v in row.items()}
        for row in df.astype(object).to_dict("records")
    ]


def _duplicate_key_flag(
    con: duckdb.DuckDBPyConnection, rule: Rule, flag: str, plan: PartitionPlan | None
) -> str:
    """Flag rows whose key occurs more than once, via the (small) set of duplicated keys.

    One hash aggregate finds the duplicated keys; a semi-join flags their rows. This is several
    times cheaper than a ``count(*) OVER (PARTITION BY key)`` window over every row, which must
    partition the whole input even when, as usual, no key repeats.
    """
    keys = ", ".join(quote(k) for k in rule.window_keys)
    where = [f"{quote(k)} IS NOT NULL" for k in rule.window_keys] if rule.column else []
    if plan is not None:
        where.append(f"NOT ({plan.reused_sql})")  # reused partitions were checked before
    condition = f"WHERE {' AND '.join(where)}" if where else ""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _dup_{flag} AS SELECT {keys} FROM _typed {condition} "
        "GROUP BY ALL HAVING count(*) > 1"
    )
    return f"coalesce(({keys}) IN (SELECT ({keys}) FROM _dup_{flag}), false)"


def _run_pandas_rule(
    con: duckdb.DuckDBPyConnection, rule: Rule, flag: str, columns: list[str]
) -> None:
    """Evaluate a custom pandera check on pandas and flag the rows it rejects."""
    needed = [rule.column] if rule.column else columns
    frame = con.execute(
        "SELECT _row, " + ", ".join(quote(c) for c in needed) + " FROM _checked"
    ).df()
    target = frame[rule.column] if rule.column else frame[needed]
    output = rule.check(target).check_output
    if isinstance(output, pd.Series | pd.DataFrame):
        if isinstance(output, pd.DataFrame):
            output = output.all(axis=1)
        failed = frame.loc[~output.fillna(True).astype(bool).to_numpy(), ["_row"]]
    else:
        failed = frame[["_row"]] if not bool(output) else frame[["_row"]].iloc[0:0]
    con.register("_failed_rows", failed)
    con.execute(f"UPDATE _checked SET {flag} = true WHERE _row IN (SELECT _row FROM _failed_rows)")
    con.unregister("_failed_rows")


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

    Phases: read and number the input, type every column (``typed_view``), flag every rule per
    row into ``_checked``, then count and sample the failures per rule.
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
        return CheckedInput(con, version, report(0, 0, [unreadable]), [])
    rows = con.execute("SELECT count(*) FROM _numbered").fetchone()[0]
    typed = type_columns(version, source_types, rows, allow_extra_columns)
    rules = _all_rules(version)
    flags = [f"_r{i}" for i in range(len(rules))]
    fingerprint = partition_column is not None and all(
        r.is_local_to(partition_column) for r in rules
    )
    con.execute(typed.view_sql(list(source_types) if fingerprint else None))
    plan = (
        plan_partitions(con, version, rules, partition_column, previous_ledger)
        if partition_column
        else None
    )
    _flag_rules(con, version, rules, flags, typed.missing_columns, plan)
    results, blocking = _rule_results(con, version, rules, flags, source_types)
    ledger, summary = (
        partition_results(con, plan, rules, flags, previous_ledger, run_id)
        if plan is not None
        else (None, None)
    )
    checked = report(int(rows), blocking, [*typed.schema_results, *results], partitions=summary)
    return CheckedInput(con, version, checked, flags, ledger)


def _read_source(
    con: duckdb.DuckDBPyConnection, table_sql: str
) -> tuple[dict[str, str], RuleResult | None]:
    """The input's column types, with its rows numbered in ``_numbered``; or why it is unreadable."""
    try:
        con.execute(f"CREATE OR REPLACE TEMP VIEW _source AS SELECT * FROM {table_sql}")
        source_types = {r[0]: r[1] for r in con.execute("DESCRIBE _source").fetchall()}
    except duckdb.Error as exc:
        sample = [{"error": str(exc).splitlines()[0]}]
        return {}, RuleResult("readable", None, "a readable input", 1, kind="schema", sample=sample)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _numbered AS SELECT row_number() OVER () AS _row, * FROM _source"
    )
    return source_types, None


def _flag_expression(
    con: duckdb.DuckDBPyConnection,
    rule: Rule,
    flag: str,
    index: int,
    version: ProductVersion,
    missing: set[str],
    plan: PartitionPlan | None,
) -> str:
    """The SQL that flags one rule's violations per row of ``_typed``."""
    if rule.column in missing or (rule.column is None and rule.check is not None and missing):
        return f"false AS {flag}"  # reported once, as the missing column
    if index < len(version.columns):
        return f"_cast{index} AS {flag}"  # the column's dtype rule
    if rule.name == "not_nullable":
        # a value that failed its cast is a type error, not a null
        cast_flag = f"_cast{[c.name for c in version.columns].index(rule.column)}"
        return f"({rule.violation_sql} AND NOT {cast_flag}) AS {flag}"
    if rule.window_keys is not None:
        return f"{_duplicate_key_flag(con, rule, flag, plan)} AS {flag}"
    if rule.violation_sql is not None:
        return f"coalesce({rule.violation_sql}, false) AS {flag}"
    return f"false AS {flag}"


def _flag_rules(
    con: duckdb.DuckDBPyConnection,
    version: ProductVersion,
    rules: list[Rule],
    flags: list[str],
    missing: set[str],
    plan: PartitionPlan | None,
) -> None:
    """Create ``_checked``: the typed rows with one boolean column per rule."""
    flag_exprs = [
        _flag_expression(con, rule, flag, i, version, missing, plan)
        for i, (rule, flag) in enumerate(zip(rules, flags, strict=True))
    ]
    checked_sql = "SELECT *, " + ", ".join(flag_exprs) + " FROM _typed"
    if plan is not None:
        # reused partitions skip every rule: window rules then only compare changed partitions
        checked_sql = (
            f"{checked_sql} WHERE NOT ({plan.reused_sql}) UNION ALL BY NAME "
            "SELECT *, " + ", ".join(f"false AS {f}" for f in flags) + " FROM _typed "
            f"WHERE {plan.reused_sql}"
        )
    con.execute("CREATE OR REPLACE TEMP TABLE _checked AS " + checked_sql)
    for rule, flag in zip(rules, flags, strict=True):
        if rule.check is not None and not missing:
            _run_pandas_rule(con, rule, flag, [c.name for c in version.columns])


def _rule_results(
    con: duckdb.DuckDBPyConnection,
    version: ProductVersion,
    rules: list[Rule],
    flags: list[str],
    source_types: dict[str, str],
) -> tuple[list[RuleResult], int]:
    """Per rule, its failing rows and a sample of them; and the rows any blocking rule rejects."""
    blocking_flags = [f for f, r in zip(flags, rules, strict=True) if r.severity == "ERROR"]
    counts = con.execute(
        "SELECT "
        + ", ".join(f"count(*) FILTER (WHERE {f})" for f in flags)
        + f", count(*) FILTER (WHERE {' OR '.join(blocking_flags) or 'false'}) FROM _checked"
    ).fetchone()
    sample_columns = [
        src for c in version.columns if (src := version.source_column(c.name)) in source_types
    ]
    results = [
        RuleResult(
            rule.name,
            rule.column,
            rule.expected,
            int(failing),
            rule.severity,
            sample=_sample(con, flag, sample_columns) if failing else [],
        )
        for rule, flag, failing in zip(rules, flags, counts[:-1], strict=True)
    ]
    return results, int(counts[-1])


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
