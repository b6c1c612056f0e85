"""The world behaves like a business: stock-outs censor sales, promotions lift them, weekdays
differ, suppliers differ, and the stock ledger balances."""

from __future__ import annotations

import pandas as pd

from tests.world.conftest import World


def test_no_negative_stock(daily: pd.DataFrame) -> None:
    assert (daily["on_hand"] >= 0).all() and (daily["on_order"] >= 0).all()


def test_stockouts_exist_but_are_rare(daily: pd.DataFrame) -> None:
    share = (daily["on_hand"] == 0).mean()
    assert 0.01 <= share <= 0.10, share


def test_stock_ledger_balances_and_caps_sales(tiny: World, daily: pd.DataFrame) -> None:
    """on_hand[t] = on_hand[t-1] + booked[t] - sales[t], where goods are booked handling_days
    after receipt: so on a stock-out day sales are exactly what was available."""
    receipts = tiny.frame("receipts").merge(
        tiny.frame("locations")[["location_id", "handling_days"]], on="location_id"
    )
    receipts["day"] = receipts["receipt_date"] + pd.to_timedelta(receipts["handling_days"], "D")
    booked = receipts.groupby(["sku", "location_id", "day"])["quantity_received"].sum()
    df = daily.join(booked.rename("booked"), on=["sku", "location_id", "day"])
    df["booked"] = df["booked"].fillna(0)
    prev = df.groupby(["sku", "location_id"])["on_hand"].shift(1)
    ok = prev.notna()  # the first stocked day opens with initial stock
    available = prev[ok] + df.loc[ok, "booked"]
    assert (df.loc[ok, "on_hand"] == available - df.loc[ok, "sales"]).all()
    out = ok & (df["on_hand"] == 0)
    assert out.sum() > 0
    assert (df.loc[out, "sales"] == available[out[ok]]).all()
    assert (df.loc[ok & (available == 0), "sales"] == 0).all()


def test_promotions_raise_sales(daily: pd.DataFrame) -> None:
    hist = daily[daily["on_hand"] > 0]  # censored days say nothing about demand
    by = hist.groupby(["sku", "location_id", "on_promo"])["sales"].mean().unstack()
    by = by.dropna()
    assert len(by) >= 4
    assert (by[True] > by[False]).mean() >= 0.8
    assert by[True].sum() > 1.3 * by[False].sum()


def test_weekly_seasonality(daily: pd.DataFrame) -> None:
    by_day = daily.groupby("weekday")["sales"].mean()
    assert by_day.idxmin() == 6  # Sunday: DCs ship little
    assert by_day[6] < 0.6 * by_day[:5].mean()
    assert by_day.max() / by_day.min() > 1.5


def test_supplier_lead_times_differ(tiny: World) -> None:
    receipts = tiny.frame("receipts")
    lead = (receipts["ship_date"] - receipts["order_date"]).dt.days
    means = lead.groupby(receipts["supplier_id"]).mean()
    assert len(means) == 2 and means.max() - means.min() > 2
    assert lead.groupby(receipts["supplier_id"]).std().gt(0).all()


def test_receipts_are_consistent(tiny: World) -> None:
    r = tiny.frame("receipts")
    assert (r["ship_date"] > r["order_date"]).all() and (r["receipt_date"] > r["ship_date"]).all()
    assert r["receipt_date"].max() <= pd.Timestamp(tiny.summary.as_of)
    assert not r.duplicated(["po_id", "po_line"]).any()
    assert (r["quantity_received"] <= r["quantity_ordered"]).all()
    fill = r["quantity_received"].sum() / r["quantity_ordered"].sum()
    assert 0.95 <= fill < 1.0
    items = tiny.frame("item_master").set_index("sku")
    assert (r["quantity_ordered"] % r["sku"].map(items["case_pack"]) == 0).all()
    assert (r["quantity_ordered"] >= r["sku"].map(items["min_order_qty"])).all()
    assert (r["lane_id"] == "L-" + r["supplier_id"] + "-" + r["location_id"]).all()
    assert (r["supplier_id"] == r["sku"].map(items["supplier_id"])).all()
    per_po = r.groupby("po_id")[["supplier_id", "location_id", "order_date", "ship_date"]]
    assert (per_po.nunique() == 1).all().all()


def test_open_orders_show_as_on_order(tiny: World, daily: pd.DataFrame) -> None:
    last = daily[daily["day"] == pd.Timestamp(tiny.summary.as_of)]
    assert last["on_order"].sum() > 0


def test_future_promotions_are_planned(tiny: World) -> None:
    promos = tiny.frame("promotions")
    as_of = pd.Timestamp(tiny.summary.as_of)
    future = promos[promos["start_date"] > as_of]
    assert len(future) > 0
    assert future["start_date"].max() <= as_of + pd.Timedelta(days=28)
