"""A cross-product rule over a served snapshot's file: failing rows against the other product as
served, and a skipped (passing) result while the product itself is unpublished."""

import pandas as pd

from supplymesh.registry import get_product
from supplymesh.validation.cross_product import cross_product_rules, evaluate_served_rule
from supplymesh.validation.rules import literal
from tests.validation.test_engine import orders_frame, write

ORDERS = get_product("sales.orders").latest
RULE = next(r for r in cross_product_rules(ORDERS) if r["name"] == "sku_in_catalog_products")


def test_an_unpublished_product_skips_its_cross_product_rules():
    result = evaluate_served_rule(None, RULE, lambda product: None)
    assert result.passed
    assert (result.kind, result.expected, result.failing_rows) == ("skipped", "not published", 0)


def test_a_served_snapshot_is_checked_against_the_other_product_as_served(tmp_path):
    orders = orders_frame(5)
    orders.loc[2, "sku"] = "GHOST"
    snapshot = write(orders, tmp_path / "orders.parquet")
    catalog = write(pd.DataFrame({"sku": ["SKU001"]}), tmp_path / "catalog.parquet")
    served = {"catalog.products": f"read_parquet({literal(str(catalog))})"}

    result = evaluate_served_rule(str(snapshot), RULE, served.get)

    assert (result.kind, result.failing_rows, result.severity) == ("cross", 1, "ERROR")
    assert result.sample[0]["order_id"] == "SO-000002"
    assert result.sample[0]["customer_email"] == "c2@example.com"  # masking is the caller's


def test_a_rule_against_an_unpublished_reference_is_skipped(tmp_path):
    snapshot = write(orders_frame(3), tmp_path / "orders.parquet")
    result = evaluate_served_rule(str(snapshot), RULE, lambda product: None)
    assert result.kind == "skipped" and "catalog.products not published" in result.expected
