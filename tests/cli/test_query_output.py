"""How ``mesh query`` prints DuckDB's rows: a right-aligned table, and JSON values."""

import datetime as dt
import decimal

from supplymesh.cli.query import json_value, render_table


def test_table_aligns_columns_and_shows_null_and_floats_at_a_shared_precision():
    table = render_table(
        ["sku", "safety_stock", "on_hand", "due"],
        [("SKU00032", 313.452867, 600, dt.date(2026, 11, 27)), ("SKU1", 2.5, None, None)],
    )
    assert table.splitlines() == [
        "     sku safety_stock on_hand        due",
        "SKU00032   313.452867     600 2026-11-27",
        "    SKU1     2.500000    NULL       NULL",
    ]
    assert render_table(["units"], [(3.0,), (2.5,)]).splitlines() == ["units", "  3.0", "  2.5"]


def test_json_values_are_iso_dates_numbers_and_null_for_nan():
    values = [
        dt.date(2026, 1, 2),
        dt.datetime(2026, 1, 2, 3),
        decimal.Decimal("1.50"),
        float("nan"),
    ]
    assert [json_value(v) for v in values] == ["2026-01-02", "2026-01-02T03:00:00", 1.5, None]
