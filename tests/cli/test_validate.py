"""`mesh validate`: a producer checks a file against a contract in CI."""

import json

import pandas as pd
import pytest

from supplymesh.cli import main
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
