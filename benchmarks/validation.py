"""Contract-validation throughput on the largest product, sales.orders: supplymesh's DuckDB engine
vs pandera on pandas (Parquet load included) vs pandera's polars backend, same contract, same
files, with a bare DuckDB scan as the floor.

Each method runs in its own process (``python -m benchmarks.validation one METHOD BATCH``), so
its peak RSS is its own and no method warms another's caches; the methods take turns for
``rounds`` rounds and the best time of each counts. The load average is printed with the table:
on a shared machine it says how far the figures are from an idle one.

pandera's polars backend cannot take the pandas contract as is (its dtypes are pandas/numpy
ones), so ``polars_schema`` builds the equivalent polars schema from the same contract: the same
columns, nullability, uniqueness, strictness and Check objects, each dtype the polars type of the
column's contract type. Over a lazy scan pandera checks only the schema by default; the
benchmark asks for ``SCHEMA_AND_DATA`` so every value is checked, as the others do.

Usage on its own: ``python -m benchmarks.validation run <MESH_HOME> [--rounds 2]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

METHODS = ["engine", "engine_failing", "pandas", "polars", "scan"]
FAILING_SHARE = 1000  # engine_failing: one row in this many gets a negative quantity


def _orders():
    from supplymesh.registry import get_product

    return get_product("sales.orders")


def _parquet_glob(batch: Path) -> str:
    return str(batch / "*.parquet") if batch.is_dir() else str(batch)


def _engine(batch: Path, failing: bool):
    """``check_input`` as ``publish_landing`` calls it (per order day)."""
    import duckdb

    from supplymesh.validation.engine import check_input, source_sql

    product = _orders()
    table = source_sql(batch)
    if failing:  # a few bad rows: the evidence pass runs too
        table = (
            f"(SELECT * REPLACE (CASE WHEN hash(order_id, line_number) % {FAILING_SHARE} = 0 "
            f"THEN -1 ELSE quantity END AS quantity) FROM {table})"
        )

    def run() -> tuple[int, bool]:
        con = duckdb.connect()
        checked = check_input(
            con,
            table,
            product.version(2),
            source_label=str(batch),
            partition_column=product.governance.partition_column,
        )
        con.close()
        return checked.report.rows_checked, checked.report.passed != failing

    return run


def _pandas(batch: Path):
    import pandas as pd
    import pandera.pandas as pa

    contract = _orders().version(2).contract

    def run() -> tuple[int, bool]:
        frame = pd.read_parquet(batch)
        try:
            contract.validate(frame, lazy=True)
        except pa.errors.SchemaErrors as exc:  # report, don't hide, a disagreement
            print(f"pandera on pandas found {len(exc.failure_cases)} failures", file=sys.stderr)
            return len(frame), False
        return len(frame), True

    return run


def polars_schema(version):
    """The contract as a pandera polars schema (see the module docstring for what differs)."""
    import pandera.polars as pap
    import polars as pl

    polars_types = {
        "VARCHAR": pl.Utf8,
        "BIGINT": pl.Int64,
        "INTEGER": pl.Int32,
        "DOUBLE": pl.Float64,
        "DATE": pl.Date,
        "TIMESTAMP": pl.Datetime,
        "BOOLEAN": pl.Boolean,
    }
    types = {c.name: c.type for c in version.columns}
    schema = version.schema
    columns = {
        name: pap.Column(
            polars_types[types[name]],
            checks=list(col.checks),
            nullable=col.nullable,
            unique=col.unique,
        )
        for name, col in schema.columns.items()
    }
    return pap.DataFrameSchema(
        columns, checks=list(schema.checks), unique=schema.unique, strict=schema.strict
    )


def _polars(batch: Path):
    import pandera.errors
    import polars as pl
    from pandera.config import ValidationDepth, config_context

    schema = polars_schema(_orders().version(2))

    def run() -> tuple[int, bool]:
        with config_context(validation_depth=ValidationDepth.SCHEMA_AND_DATA):
            try:
                scan = pl.scan_parquet(_parquet_glob(batch))
                frame = schema.validate(scan, lazy=True).collect()
            except pandera.errors.SchemaErrors as exc:
                print(f"pandera on polars found {len(exc.failure_cases)} failures", file=sys.stderr)
                return 0, False
        return frame.height, True

    return run


def _scan(batch: Path):
    """The floor: DuckDB reads and hashes every value of every column once."""
    import duckdb

    from supplymesh.validation.engine import source_sql

    columns = ", ".join(c.name for c in _orders().version(2).columns)
    sql = f"SELECT count(*), sum(hash({columns})::HUGEINT) FROM {source_sql(batch)}"

    def run() -> tuple[int, bool]:
        [(rows, _)] = duckdb.connect().execute(sql).fetchall()
        return rows, True

    return run


def run_one(method: str, batch: Path) -> dict:
    """One method once, in this process, its imports and contract loaded before the clock
    starts: seconds, rows, whether it agreed, peak RSS."""
    if method.startswith("engine"):
        run = _engine(batch, failing=method == "engine_failing")
    else:
        run = {"pandas": _pandas, "polars": _polars, "scan": _scan}[method](batch)
    start = time.perf_counter()
    rows, agreed = run()
    seconds = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "rows": rows, "agreed": agreed, "peak_mib": peak_mib}


def bench_validation(orders_batch: Path, rounds: int = 2) -> dict:
    """Every method ``rounds`` times in turn, each in a fresh process; the best run of each."""
    runs: dict[str, list[dict]] = {m: [] for m in METHODS}
    load_before = os.getloadavg()
    for _ in range(rounds):
        for method in METHODS:
            out = subprocess.run(
                [sys.executable, "-m", "benchmarks.validation", "one", method, str(orders_batch)],
                stdout=subprocess.PIPE,
                text=True,
                check=True,
                cwd=Path(__file__).resolve().parents[1],
            )
            runs[method].append(json.loads(out.stdout.strip().splitlines()[-1]))
    best = {m: min(r, key=lambda x: x["seconds"]) for m, r in runs.items()}
    return {
        "rows": best["engine"]["rows"],
        "rounds": rounds,
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "methods": best,
    }


LABELS = {
    "engine": "supplymesh engine (DuckDB)",
    "engine_failing": "  same, 0.1% rows failing",
    "pandas": "pandera on pandas + load",
    "polars": "pandera on polars (lazy)",
    "scan": "DuckDB bare scan (floor)",
}
TARGETS = {"pandas": 6.0, "polars": 1.0}  # the engine at least this many times faster


def print_validation(v: dict) -> None:
    engine = v["methods"]["engine"]["seconds"]
    before = " / ".join(f"{x:.2f}" for x in v["load_average_before"])
    after = " / ".join(f"{x:.2f}" for x in v["load_average_after"])
    print(
        f"contract validation of sales.orders v2 ({v['rows']:,} rows; best of {v['rounds']}; "
        f"load average 1/5/15 min {before} before, {after} after; {os.cpu_count()} cores):"
    )
    print(f"  {'method':28s} {'seconds':>8s} {'rows/s':>12s} {'peak MiB':>9s}  engine vs it")
    for method, m in v["methods"].items():
        ratio = m["seconds"] / engine
        target = TARGETS.get(method)
        verdict = ""
        if target is not None:
            verdict = f"  target >= {target:.0f}x: {'met' if ratio >= target else 'MISSED'}"
        agreed = "" if m["agreed"] else "  (disagrees with the engine)"
        print(
            f"  {LABELS[method]:28s} {m['seconds']:8.2f} {m['rows'] / m['seconds']:12,.0f} "
            f"{m['peak_mib']:9.0f}  {ratio:5.2f}x{verdict}{agreed}"
        )


def main() -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    one = sub.add_parser("one")
    one.add_argument("method", choices=METHODS)
    one.add_argument("batch", type=Path)
    run = sub.add_parser("run")
    run.add_argument("home", type=Path)
    run.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if args.command == "one":
        print(json.dumps(run_one(args.method, args.batch)))
        return 0
    from supplymesh.publishing.landing import latest_batch

    batch = latest_batch(args.home / "landing" / "sales", "orders")
    if batch is None:
        print(f"no sales.orders batch under {args.home}: mesh generate first", file=sys.stderr)
        return 1
    print_validation(bench_validation(batch, args.rounds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
