"""`mesh validate`: a producer checks a file against a contract in CI."""

import json

import pandas as pd
import pytest

from supplymesh.cli import main
from tests.validation.malformed_extracts import (
    HEADER_ONLY,
    KINDS,
    ROWS,
    UPPER_CASE_HEADER,
    valid_extracts,
)
from tests.validation.test_engine import orders_frame


def test_clean_file_exits_zero(tmp_path, capsys):
    path = tmp_path / "orders.parquet"
    orders_frame().to_parquet(path, index=False)
    assert main(["validate", "sales.orders", str(path)]) == 0
    assert "PASSED" in capsys.readouterr().out


def test_negative_quantity_exits_one_naming_product_column_and_rule(tmp_path, capsys):
    frame = orders_frame()
    frame.loc[2, "quantity"] = -1
    path = tmp_path / "orders.csv"
    frame.to_csv(path, index=False)
    assert main(["validate", "sales.orders", str(path)]) == 1
    out = capsys.readouterr().out
    assert "sales.orders v2" in out and "'quantity'" in out and "greater_than_or_equal_to(0)" in out
    assert "SO-000002" in out  # a sample of the offending rows


def test_missing_column_exits_one_with_json_report(tmp_path, capsys):
    path = tmp_path / "orders.csv"
    orders_frame().drop(columns="currency").to_csv(path, index=False)
    assert main(["validate", "sales.orders", str(path), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    failing = [r for r in report["results"] if r["failing_rows"]]
    assert [(r["column"], r["rule"], r["kind"]) for r in failing] == [
        ("currency", "column_present", "schema")
    ]
    assert report["product"] == "sales.orders" and report["passed"] is False


def test_older_major_validates_against_its_own_contract(tmp_path, capsys):
    path = tmp_path / "orders.parquet"
    orders_frame().to_parquet(path, index=False)
    assert main(["validate", "sales.orders", str(path), "--major", "1"]) == 0


def test_unknown_product_is_a_usage_error(tmp_path, capsys):
    path = tmp_path / "x.csv"
    path.write_text("a\n1\n")
    assert main(["validate", "sales.nothing", str(path)]) == 2
    assert "unknown product" in capsys.readouterr().err


@pytest.fixture(autouse=True)
def mesh_home(tmp_path, monkeypatch):
    """`mesh validate` keeps its pseudonym key under MESH_HOME: never the working tree's."""
    monkeypatch.setenv("MESH_HOME", str(tmp_path / "mesh"))
    return tmp_path / "mesh"


def test_pii_in_sample_rows_is_shown_as_pseudonyms(tmp_path, capsys):
    frame = orders_frame()
    frame.loc[2, "quantity"] = -1
    path = tmp_path / "orders.parquet"
    frame.to_parquet(path, index=False)
    assert main(["validate", "sales.orders", str(path)]) == 1
    out = capsys.readouterr().out
    assert "SO-000002" in out and "c2@example.com" not in out and "C00002" not in out


def test_warn_failures_are_shown_but_exit_zero(tmp_path, capsys):
    from tests.validation.test_supply_chain_rules import receipts_frame

    frame = receipts_frame()
    frame.loc[1, ["ship_date", "receipt_date"]] = ["2026-08-20", "2026-09-01"]
    path = tmp_path / "receipts.csv"
    frame.to_csv(path, index=False)
    assert main(["validate", "procurement.purchase_receipts", str(path)]) == 0
    out = capsys.readouterr().out
    assert "PASSED" in out and "[WARN]" in out and "lead time" in out and "PO2" in out


def test_daily_product_reports_its_failing_days(tmp_path, capsys):
    from tests.validation.test_partitions import stock_frame

    frame = stock_frame()
    frame.loc[
        (frame.snapshot_date == frame.snapshot_date.iloc[20]) & (frame.sku == "C"), "on_hand"
    ] = -2
    path = tmp_path / "stock.parquet"
    frame.to_parquet(path, index=False)
    assert main(["validate", "inventory.stock_snapshots", str(path)]) == 1
    out = capsys.readouterr().out
    assert "30 partitions by snapshot_date" in out
    assert "snapshot_date=2026-01-07: on_hand: greater_than_or_equal_to(0) (1)" in out


def test_cross_product_rules_check_against_the_served_mesh(tmp_path, mesh_home, capsys):
    from supplymesh.publishing.manifest import current_snapshot, read_manifest
    from supplymesh.publishing.publish import publish_landing
    from supplymesh.settings import MeshPaths
    from tests.mesh_world import generate_tiny_world

    paths = MeshPaths(mesh_home)
    generate_tiny_world(paths)
    publish_landing("catalog.products", paths=paths)
    catalog = current_snapshot(read_manifest(paths), "catalog.products", 1)["path"]
    frame = orders_frame().assign(sku=pd.read_parquet(catalog).sku[0])
    frame.loc[4, "sku"] = "NOT-IN-CATALOG"
    path = tmp_path / "orders.parquet"
    frame.to_parquet(path, index=False)
    assert main(["validate", "sales.orders", str(path), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    results = {r["rule"]: r for r in report["results"]}
    assert results["sku_in_catalog_products"]["failing_rows"] == 1
    assert results["location_id_in_network_locations"]["kind"] == "skipped"
    assert main(["validate", "sales.orders", str(path), "--no-cross-product"]) == 0


def _one_paragraph_error(out: str, err: str, path) -> str:
    """The report of an unreadable file: one line naming the file, no traceback anywhere."""
    assert "Traceback" not in err and "Traceback" not in out
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == 1, out
    assert str(path) in lines[0] and "FAILED" in lines[0]
    assert "left as it is" in lines[0]  # what happened to the file, after what to do
    return lines[0]


@pytest.mark.parametrize("product", ["sales.orders", "inventory.stock_snapshots"])
@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_every_malformed_file_gets_a_one_paragraph_error_and_exit_one(
    tmp_path, capsys, product, kind
):
    extract = valid_extracts()[product]
    path = tmp_path / f"{extract.extract}{kind.suffix}"
    path.write_bytes(kind.make(extract))
    assert main(["validate", product, str(path)]) == 1
    captured = capsys.readouterr()
    message = _one_paragraph_error(captured.out, captured.err, path)
    for words in kind.says:
        assert words in message, message
    line = kind.expected_line(extract)
    if line is not None:
        assert f"line {line:,}:" in message, message


@pytest.mark.parametrize("product", ["sales.orders", "inventory.stock_snapshots"])
def test_a_header_in_upper_case_matches_the_contract_regardless_of_case(tmp_path, capsys, product):
    extract = valid_extracts()[product]
    path = tmp_path / "upper.csv"
    path.write_bytes(UPPER_CASE_HEADER.make(extract))
    assert main(["validate", product, str(path), "--no-cross-product"]) == 0
    assert f"PASSED - {ROWS:,} rows checked, 0 rejected" in capsys.readouterr().out


def test_a_column_missing_in_any_case_is_named_with_the_columns_found(tmp_path, capsys):
    extract = valid_extracts()["inventory.stock_snapshots"]
    lines = extract.csv_lines
    path = tmp_path / "stock.csv"
    path.write_bytes(lines[0].replace(b"on_hand", b"ON_HND") + b"".join(lines[1:]))
    assert main(["validate", "inventory.stock_snapshots", str(path), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    [missing] = [r for r in report["results"] if r["failing_rows"]]
    assert (missing["column"], missing["rule"]) == ("on_hand", "column_present")
    assert "ON_HND" in missing["sample"][0]["columns_found"]


@pytest.mark.parametrize("product", ["sales.orders", "inventory.stock_snapshots"])
def test_a_header_without_rows_fails_the_volume_rule(tmp_path, capsys, product):
    extract = valid_extracts()[product]
    path = tmp_path / "header_only.csv"
    path.write_bytes(HEADER_ONLY.make(extract))
    assert main(["validate", product, str(path), "--no-cross-product"]) == 1
    out = capsys.readouterr().out
    assert f"[ERROR] {product} v" in out
    assert "a new version of 0 rows would leave the product empty" in out
    assert f"--allow-shrink {product}" in out


def test_a_header_without_rows_passes_for_a_product_that_may_be_empty(tmp_path, capsys):
    path = tmp_path / "truck_loads.csv"
    from supplymesh.registry import get_product

    columns = [c.name for c in get_product("planning.truck_loads").latest.columns]
    path.write_text(",".join(columns) + "\n")
    assert main(["validate", "planning.truck_loads", str(path), "--no-cross-product"]) == 0
