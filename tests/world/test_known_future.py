"""Complete Journey's known-future inputs: the retailer's own plan, checked against the raw data."""

import duckdb
import pandas as pd
import pytest

from supplymesh.world.completejourney.known_future import INPUTS, known_future_inputs, week_of
from supplymesh.world.completejourney.source import (
    CJ_SCALES,
    _categories,
    category_lines,
    daily_demand,
    data_dir,
    store_dcs,
)
from supplymesh.world.network import dc_names

BEFORE = pd.Timestamp("2017-09-10")


@pytest.fixture(scope="module")
def inputs() -> pd.DataFrame:
    return known_future_inputs("tiny", BEFORE)


def test_every_series_and_day_has_every_input_within_its_range(inputs):
    series = daily_demand("tiny")[["item_id", "location_id"]].drop_duplicates()
    assert len(inputs) == len(series) * 365
    assert list(inputs.columns) == ["item_id", "location_id", "date", *INPUTS]
    for col in INPUTS[1:]:
        assert inputs[col].between(0.0, 1.0).all(), col
        assert inputs[col].gt(0).any(), col
    holidays = inputs.loc[inputs["is_holiday"], "date"].dt.strftime("%m-%d").unique()
    assert {"01-01", "07-04", "11-23", "12-25"} <= set(holidays)


def test_the_mailer_share_is_the_units_share_of_mailed_products_at_the_dcs_stores(inputs):
    """One category x DC x week recomputed by hand from the raw tables with pandas."""
    folder = data_dir()
    con = duckdb.connect()
    lines = category_lines(con, CJ_SCALES["tiny"].n_categories)
    con.close()
    cats = _categories(lines)
    category, sku = cats.loc[0, "category"], cats.loc[0, "sku"]
    dc = dc_names(2)[0]
    stores = [s for s, d in store_dcs(lines, 2).items() if d == 0]
    products = pd.read_parquet(
        folder / "products.parquet", columns=["product_id", "product_category"]
    )
    ids = set(products.loc[products["product_category"] == category, "product_id"])
    tx = pd.read_parquet(
        folder / "transactions.parquet",
        columns=["product_id", "store_id", "quantity", "transaction_timestamp"],
    )
    tx = tx[tx["product_id"].isin(ids) & tx["store_id"].isin(stores) & (tx["quantity"] > 0)]
    tx = tx[tx["transaction_timestamp"].dt.normalize() < BEFORE]
    units = tx.groupby(["product_id", "store_id"])["quantity"].sum()
    day = pd.Timestamp("2017-11-15")
    promo = pd.read_parquet(
        folder / "promotions.parquet", filters=[("week", "==", int(week_of(pd.Series([day]))[0]))]
    )
    mailed = promo[promo["mailer_location"] != "0"].set_index(["product_id", "store_id"]).index
    expected = units[units.index.isin(mailed)].sum() / units.sum()
    row = inputs[
        (inputs["item_id"] == sku) & (inputs["location_id"] == dc) & (inputs["date"] == day)
    ]
    assert row["mailer_share"].item() == pytest.approx(expected, rel=1e-9)
    assert 0 < expected < 1


def test_the_weights_come_from_sales_before_the_cut_off_only(inputs):
    earlier, later = known_future_inputs("tiny", "2017-03-01"), inputs
    assert not earlier["mailer_share"].equals(later["mailer_share"])
    assert earlier["is_holiday"].equals(later["is_holiday"])
