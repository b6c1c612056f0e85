"""The two passes of the engine: a clean input is judged by one aggregate and copies no row; a
failing one keeps only the rows that broke a rule, and its evidence is the same rows, in the same
order, that pandas (and pandera) find on the same frame."""

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest

from supplymesh.registry import get_product
from supplymesh.validation.engine import check_input, source_sql
from tests.validation.test_engine import orders_frame

ORDERS = get_product("sales.orders").version(2)
RECEIPTS = get_product("procurement.purchase_receipts").version(1)
KEY = ["order_id", "line_number"]


def temp_tables(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Every temp table of the connection, with its rows."""
    names = [
        r[0]
        for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()
    ]
    return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def dated_orders(n: int) -> pd.DataFrame:
    frame = orders_frame(n)
    frame["order_date"] = [dt.date(2026, 1, 1 + i % 7) for i in range(n)]
    return frame


def broken_orders() -> pd.DataFrame:
    """Orders breaking several rules, some rows more than one, scattered over the input."""
    frame = dated_orders(400)
    rng = np.random.default_rng(3)
    frame.loc[rng.choice(400, 12, replace=False), "quantity"] = -2
    frame.loc[[17, 230], "currency"] = "USD"
    frame.loc[[5, 17, 301], "customer_id"] = None
    frame.loc[[40, 390], "order_id"] = "ORD-1"
    frame.loc[[120, 121], KEY] = frame.loc[[60, 61], KEY].to_numpy()
    return frame


def expected_violations(frame: pd.DataFrame) -> dict[str, pd.Series]:
    """Per failing rule (its label), the rows that break it, computed with pandas alone."""
    return {
        "order_id: str_matches('^SO-\\d+$')": ~frame.order_id.str.fullmatch(r"SO-\d+"),
        "customer_id: not_nullable": frame.customer_id.isna(),
        "quantity: greater_than_or_equal_to(0)": frame.quantity < 0,
        "currency: isin(['EUR'])": ~frame.currency.isin(["EUR"]),
        "unique(order_id, line_number)": frame.duplicated(KEY, keep=False),
    }


@pytest.mark.parametrize("partition_column", [None, "order_date"])
def test_clean_input_materializes_no_per_row_table(tmp_path, partition_column):
    frame = dated_orders(300)
    path = tmp_path / "orders.parquet"
    frame.to_parquet(path, index=False)
    con = duckdb.connect()
    checked = check_input(
        con, source_sql(path), ORDERS, source_label="t", partition_column=partition_column
    )
    assert checked.report.passed and checked.report.rows_checked == 300
    # at most the list of reused days (one row per day): never a copy of the rows
    assert set(temp_tables(con)) <= {"_reused"}
    assert all(rows <= 7 for rows in temp_tables(con).values())
    valid = con.execute(checked.valid_rows_sql()).df()
    assert valid.order_id.tolist() == frame.order_id.tolist()  # the input's order


def test_failing_input_keeps_only_the_rows_of_failing_rules():
    frame = broken_orders()
    con = duckdb.connect()
    con.register("_frame", frame)
    checked = check_input(con, "_frame", ORDERS, source_label="t")
    any_failure = pd.concat(expected_violations(frame), axis=1).any(axis=1)
    tables = temp_tables(con)
    assert tables["_failed"] == any_failure.sum()
    assert all(rows < len(frame) for rows in tables.values())
    flags = [
        c
        for c in con.execute("DESCRIBE _failed").df().column_name
        if c.startswith("_r") and c != "_row"
    ]
    assert len(flags) == len(checked.report.failures) == 5  # only the failing rules


def test_failing_input_evidence_equals_what_pandas_finds():
    frame = broken_orders()
    con = duckdb.connect()
    con.register("_frame", frame)
    checked = check_input(con, "_frame", ORDERS, source_label="t")
    report = checked.report
    expected = expected_violations(frame)
    found = {f"{r.column}: {r.rule}" if r.column else r.rule: r for r in report.failures}
    assert set(found) == set(expected)
    as_read = frame.assign(order_date=pd.to_datetime(frame.order_date))  # DuckDB dates as read
    for label, mask in expected.items():
        assert found[label].failing_rows == mask.sum()
        first = as_read[mask].head(5).astype(object)
        assert found[label].sample == first.where(first.notna(), None).to_dict("records"), label

    violations = pd.DataFrame(expected)
    rejected = violations.any(axis=1)
    assert report.rejected_rows == rejected.sum()
    quarantine = con.execute(checked.rejected_rows_sql()).df()
    assert quarantine._row.tolist() == [i + 1 for i in frame.index[rejected]]
    assert quarantine.order_id.tolist() == frame.order_id[rejected].tolist()
    assert [list(v) for v in quarantine._violations] == [
        [label for label in violations.columns if violations.loc[i, label]]
        for i in frame.index[rejected]
    ]
    valid = con.execute(checked.valid_rows_sql()).df()
    assert valid.order_id.tolist() == frame.order_id[~rejected].tolist()


def test_failing_rows_are_the_rows_pandera_rejects():
    frame = broken_orders()
    con = duckdb.connect()
    con.register("_frame", frame)
    report = check_input(con, "_frame", ORDERS, source_label="t").report
    with pytest.raises(pa.errors.SchemaErrors) as caught:
        ORDERS.contract.validate(frame, lazy=True)
    pandera_rows = set(caught.value.failure_cases["index"].dropna().astype(int))
    assert report.rejected_rows == len(pandera_rows)


def test_custom_pandas_check_rows_are_quarantined_with_their_rule(tmp_path):
    frame = pd.DataFrame(
        {
            "po_id": ["PO1", "PO2", "PO3"],
            "po_line": [1, 1, 1],
            "supplier_id": ["S1"] * 3,
            "sku": ["A", "B", "C"],
            "location_id": ["DC01"] * 3,
            "lane_id": ["L1"] * 3,
            "order_date": ["2026-01-01", "2026-01-05", "2026-01-02"],
            "ship_date": ["2026-01-03", "2026-01-04", "2026-01-03"],
            "receipt_date": ["2026-01-06", "2026-01-07", "2026-01-08"],
            "quantity_ordered": [10] * 3,
            "quantity_received": [10, 9, 10],
            "unit_cost": [1.0] * 3,
            "currency": ["EUR"] * 3,
        }
    )
    path = tmp_path / "r.csv"
    frame.to_csv(path, index=False)
    con = duckdb.connect()
    checked = check_input(con, source_sql(path), RECEIPTS, source_label="t")
    quarantine = con.execute(checked.rejected_rows_sql()).df()
    assert quarantine.po_id.tolist() == ["PO2"] and quarantine._row.tolist() == [2]
    assert list(quarantine._violations[0]) == ["receipt_date >= ship_date >= order_date"]
    assert con.execute(checked.valid_rows_sql()).df().po_id.tolist() == ["PO1", "PO3"]


@pytest.mark.parametrize("partition_column", [None, "order_date"])
def test_an_empty_frame_passes_with_no_rows(partition_column):
    """A day with nothing to plan publishes an empty product: every rule counts zero rows."""
    con = duckdb.connect()
    con.register("_frame", dated_orders(3).iloc[0:0])
    checked = check_input(
        con, "_frame", ORDERS, source_label="t", partition_column=partition_column
    )
    assert checked.report.passed and checked.report.rows_checked == 0
    assert con.execute(checked.valid_rows_sql()).fetchall() == []
