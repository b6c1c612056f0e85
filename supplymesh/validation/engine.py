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

SAMPLE_ROWS = 5
_INTEGER_TYPES = {"BIGINT", "INTEGER"}
_FLOAT_TYPES = {"DOUBLE", "FLOAT", "DECIMAL"}


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


def _cast(source_col: str, source_type: str, target: str) -> str:
    src = quote(source_col)
    if source_type == target:
        return src
    if target in _INTEGER_TYPES and source_type.split("(")[0] in _FLOAT_TYPES:
        # TRY_CAST would silently round 2.5 to 3: a fractional quantity is a type error.
        return f"CASE WHEN {src} = round({src}) THEN TRY_CAST({src} AS {target}) END"
    if target in _INTEGER_TYPES and source_type == "VARCHAR":
        as_double = f"TRY_CAST({src} AS DOUBLE)"
        return (
            f"CASE WHEN {as_double} = round({as_double}) THEN TRY_CAST({as_double} AS {target}) END"
        )
    if target == "BOOLEAN" and source_type == "VARCHAR":
        return f"TRY_CAST(lower(trim({src})) AS BOOLEAN)"
    return f"TRY_CAST({src} AS {target})"


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
    """
    try:
        con.execute(f"CREATE OR REPLACE TEMP VIEW _source AS SELECT * FROM {table_sql}")
        source_types = {r[0]: r[1] for r in con.execute("DESCRIBE _source").fetchall()}
    except duckdb.Error as exc:
        result = RuleResult(
            "readable",
            None,
            "a readable input",
            1,
            kind="schema",
            sample=[{"error": str(exc).splitlines()[0]}],
        )
        report = ValidationReport(
            version.product,
            version.major,
            version.version,
            source_label,
            0,
            0,
            [result],
            quarantine_tolerance,
        )
        return CheckedInput(con, version, report, [])
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _numbered AS SELECT row_number() OVER () AS _row, * FROM _source"
    )
    rows = con.execute("SELECT count(*) FROM _numbered").fetchone()[0]

    schema_results: list[RuleResult] = []
    typed, cast_failures = [], []
    for col in version.columns:
        src = version.source_column(col.name)
        if src not in source_types:
            schema_results.append(
                RuleResult(
                    "column_present",
                    col.name,
                    f"column '{src}' in the input",
                    rows,
                    kind="schema",
                    sample=[{"columns_found": sorted(source_types)}],
                )
            )
            typed.append(f"NULL::{col.type} AS {quote(col.name)}")
            cast_failures.append("false")
            continue
        expr = _cast(src, source_types[src], col.type)
        typed.append(f"{expr} AS {quote(col.name)}")
        cast_failures.append(f"({quote(src)} IS NOT NULL AND {expr} IS NULL)")
    if not allow_extra_columns:
        expected = {version.source_column(c.name) for c in version.columns}
        extra = sorted(set(source_types) - expected)
        if extra:
            schema_results.append(
                RuleResult(
                    "no_extra_columns",
                    None,
                    "only the contract's columns",
                    rows,
                    kind="schema",
                    sample=[{"unexpected_columns": extra}],
                )
            )

    rules = _all_rules(version)
    flags = [f"_r{i}" for i in range(len(rules))]
    n_dtype = len(version.columns)
    if partition_column and partition_column not in {c.name for c in version.columns}:
        raise ValueError(f"{version.product}: partition column {partition_column} not in contract")
    fingerprint = ""
    if partition_column and all(r.is_local_to(partition_column) for r in rules):
        raw = ", ".join(quote(c) for c in source_types)
        fingerprint = f", hash({raw}) AS _fp"
    con.execute(
        "CREATE OR REPLACE TEMP VIEW _typed AS SELECT _row, "
        + ", ".join(typed)
        + ", "
        + ", ".join(f"{cf} AS _cast{i}" for i, cf in enumerate(cast_failures))
        + fingerprint
        + " FROM _numbered"
    )
    plan = (
        plan_partitions(con, version, rules, partition_column, previous_ledger)
        if partition_column
        else None
    )
    cast_flag = {c.name: f"_cast{i}" for i, c in enumerate(version.columns)}
    flag_exprs = []
    missing = {r.column for r in schema_results if r.rule == "column_present"}
    for i, (rule, flag) in enumerate(zip(rules, flags, strict=True)):
        if rule.column in missing or (rule.column is None and rule.check is not None and missing):
            flag_exprs.append(f"false AS {flag}")  # reported once, as the missing column
        elif i < n_dtype:
            flag_exprs.append(f"_cast{i} AS {flag}")
        elif rule.name == "not_nullable":
            # a value that failed its cast is a type error, not a null
            flag_exprs.append(f"({rule.violation_sql} AND NOT {cast_flag[rule.column]}) AS {flag}")
        elif rule.window_keys is not None:
            flag_exprs.append(f"{_duplicate_key_flag(con, rule, flag, plan)} AS {flag}")
        elif rule.violation_sql is not None:
            flag_exprs.append(f"coalesce({rule.violation_sql}, false) AS {flag}")
        else:
            flag_exprs.append(f"false AS {flag}")
    checked_sql = "SELECT *, " + ", ".join(flag_exprs) + " FROM _typed"
    if plan is not None:
        # reused partitions skip every rule: window rules then only compare changed partitions
        checked_sql = (
            f"{checked_sql} WHERE NOT ({plan.reused_sql}) UNION ALL BY NAME "
            "SELECT *, " + ", ".join(f"false AS {f}" for f in flags) + " FROM _typed "
            f"WHERE {plan.reused_sql}"
        )
    con.execute("CREATE OR REPLACE TEMP TABLE _checked AS " + checked_sql)
    contract_cols = [c.name for c in version.columns]
    for rule, flag in zip(rules, flags, strict=True):
        if rule.check is not None and not missing:
            _run_pandas_rule(con, rule, flag, contract_cols)

    blocking_flags = [f for f, r in zip(flags, rules, strict=True) if r.severity == "ERROR"]
    counts = con.execute(
        "SELECT "
        + ", ".join(f"count(*) FILTER (WHERE {f})" for f in flags)
        + f", count(*) FILTER (WHERE {' OR '.join(blocking_flags) or 'false'}) FROM _checked"
    ).fetchone()
    results = list(schema_results)
    sample_columns = [
        src for c in version.columns if (src := version.source_column(c.name)) in source_types
    ]
    for rule, flag, failing in zip(rules, flags, counts[:-1], strict=True):
        results.append(
            RuleResult(
                rule.name,
                rule.column,
                rule.expected,
                int(failing),
                rule.severity,
                sample=_sample(con, flag, sample_columns) if failing else [],
            )
        )
    ledger, summary = (
        partition_results(con, plan, rules, flags, previous_ledger, run_id)
        if plan is not None
        else (None, None)
    )
    report = ValidationReport(
        version.product,
        version.major,
        version.version,
        source_label,
        int(rows),
        int(counts[-1]),
        results,
        quarantine_tolerance,
        partitions=summary,
    )
    return CheckedInput(con, version, report, flags, ledger)


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
