"""`mesh validate`: a producer checks a file against a contract in CI."""

import json

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
