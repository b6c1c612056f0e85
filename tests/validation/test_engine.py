"""The contract engine: every rule of a pandera contract, evaluated in DuckDB, with evidence."""

from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import pytest

from supplymesh.registry import get_product
from supplymesh.validation.engine import validate_file

ORDERS_V2 = get_product("sales.orders").version(2)
ORDERS_V1 = get_product("sales.orders").version(1)
RECEIPTS = get_product("procurement.purchase_receipts").version(1)


def orders_frame(n: int = 20) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "order_id": [f"SO-{i:06d}" for i in range(n)],
            "line_number": [1] * n,
            "order_date": pd.to_datetime(["2026-01-05"] * n).date,
            "customer_id": [f"C{i:05d}" for i in range(n)],
            "customer_email": [f"c{i}@example.com" for i in range(n)],
            "sku": ["SKU001"] * n,
            "location_id": ["DC01"] * n,
            "quantity": list(range(1, n + 1)),
            "unit_price": [2.5] * n,
            "currency": ["EUR"] * n,
            "promo_id": [None] * n,
        }
    )


def write(frame: pd.DataFrame, path: Path) -> Path:
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)
    return path


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_clean_extract_passes_every_rule(tmp_path, suffix):
    report = validate_file(write(orders_frame(), tmp_path / f"orders{suffix}"), ORDERS_V2)
    assert report.passed and report.publishable
    assert report.rows_checked == 20 and report.rejected_rows == 0
    assert all(r.passed for r in report.results)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_negative_quantity_names_product_column_and_rule(tmp_path, suffix):
    frame = orders_frame()
    frame.loc[3, "quantity"] = -4
    report = validate_file(write(frame, tmp_path / f"orders{suffix}"), ORDERS_V2)
    assert not report.passed and not report.publishable
    [failure] = report.failures
    assert failure.column == "quantity"
    assert failure.rule == "greater_than_or_equal_to(0)"
    assert failure.failing_rows == 1
    assert failure.sample[0]["order_id"] == "SO-000003"
    text = report.summary()
    assert (
        "sales.orders v2" in text and "'quantity'" in text and "greater_than_or_equal_to(0)" in text
    )


def test_missing_column_is_a_schema_failure(tmp_path):
    report = validate_file(
        write(orders_frame().drop(columns="quantity"), tmp_path / "o.csv"), ORDERS_V2
    )
    [failure] = report.schema_failures
    assert (failure.column, failure.rule) == ("quantity", "column_present")
    assert not report.publishable


def test_renamed_version_reads_its_source_column(tmp_path):
    """v1 serves ``qty`` from the extract's ``quantity``: its missing-column error names both."""
    report = validate_file(
        write(orders_frame().drop(columns="quantity"), tmp_path / "o.csv"), ORDERS_V1
    )
    [failure] = report.schema_failures
    assert failure.column == "qty" and "'quantity'" in failure.expected


def test_type_errors_are_counted_per_row_not_rounded(tmp_path):
    frame = orders_frame().astype({"quantity": float, "line_number": object})
    frame.loc[0, "quantity"] = 2.5
    frame.loc[1, "line_number"] = "first"
    report = validate_file(write(frame, tmp_path / "o.csv"), ORDERS_V2)
    failing = {(r.column, r.rule): r.failing_rows for r in report.failures}
    assert failing == {("quantity", "dtype(BIGINT)"): 1, ("line_number", "dtype(BIGINT)"): 1}
    assert report.rejected_rows == 2


def test_composite_key_duplicates_and_allowed_values(tmp_path):
    frame = orders_frame()
    frame.loc[5, ["order_id", "line_number"]] = frame.loc[4, ["order_id", "line_number"]].to_numpy()
    frame.loc[6, "currency"] = "USD"
    frame.loc[7, "order_id"] = "XX-1"
    report = validate_file(write(frame, tmp_path / "o.parquet"), ORDERS_V2)
    failing = {(r.column, r.rule): r.failing_rows for r in report.failures}
    assert failing == {
        (None, "unique(order_id, line_number)"): 2,
        ("currency", "isin(['EUR'])"): 1,
        ("order_id", "str_matches('^SO-\\d+$')"): 1,
    }


def test_custom_dataframe_check_runs_on_pandas(tmp_path):
    frame = pd.DataFrame(
        {
            "po_id": ["PO1", "PO2"],
            "po_line": [1, 1],
            "supplier_id": ["S1", "S1"],
            "sku": ["A", "B"],
            "location_id": ["DC01", "DC01"],
            "lane_id": ["L1", "L1"],
            "order_date": ["2026-01-01", "2026-01-05"],
            "ship_date": ["2026-01-03", "2026-01-04"],
            "receipt_date": ["2026-01-06", "2026-01-07"],
            "quantity_ordered": [10, 10],
            "quantity_received": [10, 9],
            "unit_cost": [1.0, 1.0],
            "currency": ["EUR", "EUR"],
        }
    )
    report = validate_file(write(frame, tmp_path / "r.csv"), RECEIPTS)
    [failure] = report.failures
    assert failure.rule == "receipt_date >= ship_date >= order_date"
    assert failure.sample[0]["po_id"] == "PO2"


def test_unreadable_file_fails_cleanly(tmp_path):
    bad = tmp_path / "o.parquet"
    bad.write_text("not parquet")
    report = validate_file(bad, ORDERS_V2)
    assert report.schema_failures[0].rule == "readable"


def test_sql_rules_agree_with_pandera_on_pandas(tmp_path):
    """The compiled rules reject exactly the rows pandera itself rejects."""
    frame = orders_frame(50)
    frame.loc[[2, 9], "quantity"] = [-1, 200_000]
    frame.loc[11, "currency"] = "GBP"
    frame.loc[12, "customer_id"] = None
    report = validate_file(write(frame, tmp_path / "o.parquet"), ORDERS_V2)
    with pytest.raises(pa.errors.SchemaErrors) as caught:
        ORDERS_V2.contract.validate(
            frame.assign(order_date=pd.to_datetime(frame.order_date).dt.date), lazy=True
        )
    pandera_rows = set(caught.value.failure_cases["index"].dropna().astype(int))
    assert report.rejected_rows == len(pandera_rows) == 4


def test_columns_in_another_case_are_read_under_the_contract_names(tmp_path):
    frame = orders_frame().rename(columns=str.upper)
    path = tmp_path / "orders.parquet"
    frame.to_parquet(path, index=False)
    report = validate_file(path, ORDERS_V2)
    assert report.passed and report.rows_checked == len(frame)


def test_a_missing_column_fails_even_a_file_without_rows(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(",".join(orders_frame().drop(columns="currency").columns) + "\n")
    report = validate_file(path, ORDERS_V2)
    assert [(r.rule, r.column) for r in report.schema_failures] == [("column_present", "currency")]
    assert not report.publishable
