"""Supply-chain rules no generic tool ships: lead-time plausibility (WARN), units consistency,
referential integrity, currency and price-unit consistency, and stock-flow reconciliation."""

import datetime as dt

import duckdb
import pandas as pd
import pytest

from supplymesh.registry import get_product
from supplymesh.validation.cross_product import cross_product_rules, evaluate_rule
from tests.validation.test_engine import orders_frame, write

RECEIPTS = get_product("procurement.purchase_receipts").latest
STOCK = get_product("inventory.stock_snapshots").latest
ORDERS = get_product("sales.orders").latest


def receipts_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "po_id": ["PO1", "PO2", "PO3"],
            "po_line": [1, 1, 1],
            "supplier_id": ["S1"] * 3,
            "sku": ["SKU001"] * 3,
            "location_id": ["DC01"] * 3,
            "lane_id": ["L1"] * 3,
            "order_date": ["2026-01-01"] * 3,
            "ship_date": ["2026-01-03"] * 3,
            "receipt_date": ["2026-01-06"] * 3,
            "quantity_ordered": [10, 10, 10],
            "quantity_received": [10, 9, 10],
            "unit_cost": [1.0] * 3,
            "currency": ["EUR"] * 3,
        }
    )


def test_implausible_lead_time_warns_without_blocking(tmp_path):
    from supplymesh.validation.engine import validate_file

    frame = receipts_frame()
    frame.loc[1, "receipt_date"] = "2026-09-01"  # 243 days after the order
    frame.loc[1, "ship_date"] = "2026-08-20"
    report = validate_file(write(frame, tmp_path / "r.csv"), RECEIPTS)
    [warning] = report.failures
    assert warning.severity == "WARN" and warning.failing_rows == 1
    assert warning.rule == "lead time order_date -> receipt_date within 1-120 days"
    assert warning.sample[0]["po_id"] == "PO2"
    assert report.passed and report.publishable and report.rejected_rows == 0


def test_units_mixup_in_receipts_blocks(tmp_path):
    from supplymesh.validation.engine import validate_file

    frame = receipts_frame()
    frame.loc[2, "quantity_received"] = 120  # 12 cases of 10 booked as units
    report = validate_file(write(frame, tmp_path / "r.parquet"), RECEIPTS)
    [error] = report.failures
    assert error.severity == "ERROR" and error.rule.startswith("quantity_received within")
    assert not report.passed and report.rejected_rows == 1


def test_pandera_agrees_warn_rules_warn_and_error_rules_fail():
    """The same contract in pandera itself: WARN rules only warn, ERROR rules raise."""
    import pandera.pandas as pa

    frame = receipts_frame()
    for col in ("order_date", "ship_date", "receipt_date"):
        frame[col] = pd.to_datetime(frame[col]).dt.date
    frame.loc[1, ["ship_date", "receipt_date"]] = [dt.date(2026, 8, 20), dt.date(2026, 9, 1)]
    with pytest.warns(UserWarning, match="lead time"):
        RECEIPTS.contract.validate(frame)
    frame.loc[2, "quantity_received"] = 120
    with pytest.raises(pa.errors.SchemaError, match="quantity_received within"):
        RECEIPTS.contract.validate(frame)


@pytest.fixture
def con():
    con = duckdb.connect()
    con.register(
        "catalog",
        pd.DataFrame(
            {"sku": ["SKU001", "SKU002"], "currency": ["EUR", "EUR"], "list_price": [2.5, 4.0]}
        ),
    )
    con.register("locations", pd.DataFrame({"location_id": ["DC01"], "handling_days": [1]}))
    con.register("promotions", pd.DataFrame({"promo_id": ["P1"]}))
    yield con
    con.close()


def resolver(**tables):
    return lambda product: tables.get(product)


def _rule(version, name):
    return next(r for r in cross_product_rules(version) if r["name"] == name)


def test_order_sku_missing_from_the_item_master_is_caught(con):
    frame = orders_frame(6)
    frame.loc[4, "sku"] = "GHOST"
    con.register("orders", frame)
    result = evaluate_rule(
        con,
        "orders",
        _rule(ORDERS, "sku_in_catalog_products"),
        resolver(**{"catalog.products": "catalog"}),
    )
    assert (result.failing_rows, result.severity, result.kind) == (1, "ERROR", "cross")
    assert result.sample[0]["sku"] == "GHOST" and result.sample[0]["order_id"] == "SO-000004"


def test_price_in_cents_and_foreign_currency_are_inconsistent_with_the_item_master(con):
    frame = orders_frame(6)
    frame.loc[1, "unit_price"] = 250.0  # cents, not euros
    frame.loc[2, "currency"] = "USD"
    con.register("orders", frame)
    resolve = resolver(**{"catalog.products": "catalog"})
    price = evaluate_rule(
        con,
        "orders",
        _rule(ORDERS, "unit_price_consistent_with_catalog_products_list_price"),
        resolve,
    )
    currency = evaluate_rule(
        con, "orders", _rule(ORDERS, "currency_matches_catalog_products"), resolve
    )
    assert price.failing_rows == 1 and price.sample[0]["_ratio"] == 100.0
    assert currency.failing_rows == 1 and currency.sample[0]["currency"] == "USD"


def test_rule_against_an_unpublished_product_is_reported_skipped(con):
    con.register("orders", orders_frame(3))
    result = evaluate_rule(con, "orders", _rule(ORDERS, "sku_in_catalog_products"), resolver())
    assert result.kind == "skipped" and result.passed and "catalog.products" in result.expected


def test_stock_flow_reconciles_and_a_lost_receipt_shows_on_its_day(con):
    days = [dt.date(2026, 1, d) for d in range(1, 6)]
    # sold 2 a day; 10 received on Jan 2 and booked on hand a day later (handling_days 1)
    on_hand = [20, 18, 26, 24, 22]
    con.register(
        "stock",
        pd.DataFrame(
            {
                "snapshot_date": days,
                "sku": "SKU001",
                "location_id": "DC01",
                "on_hand": on_hand,
                "on_order": 0,
            }
        ),
    )
    sales = orders_frame(5)
    sales["order_date"] = days
    sales["quantity"] = 2
    con.register("sales", sales)
    receipts = (
        receipts_frame().iloc[:1].assign(receipt_date=dt.date(2026, 1, 2), quantity_received=10)
    )
    con.register("receipts", receipts)
    rule = _rule(STOCK, "stock_flow_reconciles")
    resolve = resolver(
        **{
            "sales.orders": "sales",
            "procurement.purchase_receipts": "receipts",
            "network.locations": "locations",
        }
    )
    assert evaluate_rule(con, "stock", rule, resolve).failing_rows == 0
    con.register("receipts", receipts.iloc[0:0])  # the receipt never reached the extract
    result = evaluate_rule(con, "stock", rule, resolve)
    assert result.severity == "WARN" and result.failing_rows == 1
    assert pd.Timestamp(result.sample[0]["snapshot_date"]) == pd.Timestamp("2026-01-03")
    assert result.sample[0]["unexplained"] == 10
