"""Contract-validation throughput: supplymesh's DuckDB engine vs pandera on pandas, same contract,
same file (the largest product, sales.orders)."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pandas as pd
import pandera.pandas as pa

from supplymesh.registry import get_product
from supplymesh.validation.engine import check_input, source_sql


def bench_validation(orders_batch: Path) -> dict[str, float]:
    version = get_product("sales.orders").version(2)

    con = duckdb.connect()
    start = time.perf_counter()
    checked = check_input(con, source_sql(orders_batch), version, source_label=str(orders_batch))
    engine_seconds = time.perf_counter() - start
    rows = checked.report.rows_checked
    assert checked.report.passed, checked.report.summary()
    con.close()

    start = time.perf_counter()
    frame = pd.read_parquet(orders_batch)
    load_seconds = time.perf_counter() - start
    start = time.perf_counter()
    try:
        version.contract.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:  # report, don't hide, a disagreement
        print(f"pandera found {len(exc.failure_cases)} failure cases")
    pandera_seconds = time.perf_counter() - start
    return {
        "rows": rows,
        "supplymesh_seconds": engine_seconds,
        "supplymesh_rows_per_s": rows / engine_seconds,
        "pandas_load_seconds": load_seconds,
        "pandera_seconds": pandera_seconds,
        "pandera_rows_per_s": rows / pandera_seconds,
        "pandera_with_load_rows_per_s": rows / (pandera_seconds + load_seconds),
        "speedup_vs_pandera": pandera_seconds / engine_seconds,
        "speedup_vs_pandera_with_load": (pandera_seconds + load_seconds) / engine_seconds,
    }
