"""The Complete Journey world: real sales aggregated to category x DC, a supply chain around
them that reconciles, and extracts every contract accepts."""

import pandas as pd
import pytest

from supplymesh.publishing.landing import latest_batch
from supplymesh.settings import MeshPaths
from supplymesh.world.completejourney import AS_OF, generate_completejourney, us_holidays
from supplymesh.world.completejourney.source import daily_demand


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    paths = MeshPaths(tmp_path_factory.mktemp("cj"))
    summary = generate_completejourney(paths, scale="tiny", batch_id="20180101T000000Z")
    return paths, summary


def extract(paths: MeshPaths, domain: str, name: str) -> pd.DataFrame:
    path = latest_batch(paths.landing_dir(domain), name)
    if path.is_dir() or path.suffix == ".parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path)


def test_sales_are_the_real_baskets_of_the_largest_categories(world):
    paths, summary = world
    orders = extract(paths, "sales", "orders")
    assert summary.as_of == AS_OF
    assert orders["sku"].nunique() == 8 and orders["location_id"].nunique() == 2
    assert orders["order_id"].str.match(r"^SO-\d+$").all()
    assert not orders.duplicated(["order_id", "line_number"]).any()
    assert pd.to_datetime(orders["order_date"]).max() == pd.Timestamp(AS_OF)
    assert len(orders) > 100_000  # a year of baskets
    assert (orders["currency"] == "EUR").all()


def test_prices_stay_within_the_contracts_ratio_to_list_price(world):
    paths, _ = world
    orders = extract(paths, "sales", "orders")
    items = extract(paths, "catalog", "item_master")
    ratio = orders["unit_price"] / orders["sku"].map(items.set_index("sku")["list_price"])
    assert ratio.between(0.2, 2.0).all()
    promos = extract(paths, "market", "promotions")
    assert set(orders["promo_id"].dropna()) <= set(promos["promo_id"])
    assert (promos["discount_pct"].between(0.1, 0.6)).all()


def test_stock_reconciles_with_sales_and_booked_receipts_every_day(world):
    paths, _ = world
    stock = extract(paths, "inventory", "stock_snapshot")
    orders = extract(paths, "sales", "orders")
    receipts = extract(paths, "procurement", "receipts")
    locations = extract(paths, "network", "locations").set_index("location_id")
    assert (stock["on_hand"] >= 0).all()
    sold = orders.groupby(["sku", "location_id", "order_date"])["quantity"].sum()
    receipts["booked"] = pd.to_datetime(receipts["receipt_date"]) + pd.to_timedelta(
        receipts["location_id"].map(locations["handling_days"]), unit="D"
    )
    booked = receipts.groupby(["sku", "location_id", "booked"])["quantity_received"].sum()
    s = stock.sort_values(["sku", "location_id", "snapshot_date"]).copy()
    s["day"] = pd.to_datetime(s["snapshot_date"])
    s["previous"] = s.groupby(["sku", "location_id"])["on_hand"].shift()
    s = s.dropna(subset=["previous"])
    keys = list(zip(s["sku"], s["location_id"], s["day"].dt.date.astype(str), strict=True))
    sold.index = sold.index.set_levels(sold.index.levels[2].astype(str), level=2)
    booked.index = booked.index.set_levels(booked.index.levels[2].strftime("%Y-%m-%d"), level=2)
    s["sold"] = [sold.get(k, 0) for k in keys]
    s["booked"] = [booked.get(k, 0) for k in keys]
    unexplained = s["on_hand"] - s["previous"] - s["booked"] + s["sold"]
    assert (unexplained == 0).all()


def test_receipts_are_ordered_before_they_arrive(world):
    paths, _ = world
    receipts = extract(paths, "procurement", "receipts")
    order, ship, receipt = (
        pd.to_datetime(receipts[c]) for c in ("order_date", "ship_date", "receipt_date")
    )
    assert ((order <= ship) & (ship <= receipt)).all()
    assert not receipts.duplicated(["po_id", "po_line"]).any()


def test_the_calendar_carries_us_holidays():
    holidays = us_holidays(range(2017, 2018))
    assert holidays[pd.Timestamp("2017-11-23").date()] == "Thanksgiving Day"
    assert holidays[pd.Timestamp("2017-05-29").date()] == "Memorial Day"
    assert len(holidays) == 10


def test_the_daily_demand_dataset_is_what_the_worlds_orders_sum_to(world):
    paths, _ = world
    orders = extract(paths, "sales", "orders")
    summed = (
        orders.assign(date=pd.to_datetime(orders["order_date"]))
        .groupby(["sku", "location_id", "date"], as_index=False)["quantity"]
        .sum()
        .rename(columns={"sku": "item_id"})
    )
    demand = daily_demand("tiny")
    assert list(demand.columns) == ["item_id", "location_id", "date", "quantity"]
    merged = demand.merge(summed, on=["item_id", "location_id", "date"], how="outer")
    assert len(merged) == len(demand) == len(summed)
    assert (merged["quantity_x"] == merged["quantity_y"]).all()
