"""What the Complete Journey's retailer knew before each day: holidays and its promotion plan.

Why: sales alone leave a forecaster guessing at the weeks a category was pushed. The data hold
the retailer's own plan: which products were in each week's mailer and on in-store display at
each store (the ``promotions`` table), and which products its coupon campaigns covered, with
their dates and the households each reached. Mailers are printed and displays and campaigns set
up weeks ahead, so these are known-future inputs, like a holiday calendar, not the realised
discount (which includes the coupons households chose to redeem). Per SKU (category) x DC x day:

* ``is_holiday``: a US federal holiday (``source.us_holidays``);
* ``mailer_share``, ``display_share``: the share of the category's units at the DC's stores
  whose product was in that week's mailer (on display) at that store;
* ``coupon_reach``: the category's units share of products a campaign active that day
  couponed, times the share of households that campaign reached (the widest one, if several).

Units weight products and stores by what each sold before ``weights_before`` (a backtest's
first origin), so no scored window's sales shape the inputs. The promotions table numbers
weeks as the transactions do: week 1 is Sunday 2017-01-01, week ``k >= 2`` starts on Monday
2017-01-02 + 7 (k - 2) days.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from supplymesh.world.completejourney.source import (
    AS_OF,
    CJ_SCALES,
    _categories,
    category_lines,
    data_dir,
    store_dcs,
    us_holidays,
)
from supplymesh.world.network import dc_names

FIRST_MONDAY = pd.Timestamp("2017-01-02")  # the first day of the data's week 2
SHARES = ["mailer_share", "display_share"]
INPUTS = ["is_holiday", *SHARES, "coupon_reach"]

_SHARES_SQL = """
WITH weights AS (
    SELECT t.product_id, t.store_id, c.sku, d.location_id, sum(t.quantity) AS units
    FROM read_parquet('{folder}/transactions.parquet') t
    JOIN read_parquet('{folder}/products.parquet') p USING (product_id)
    JOIN cats c ON c.category = p.product_category
    JOIN dcs d USING (store_id)
    WHERE t.quantity > 0 AND CAST(t.transaction_timestamp AS DATE) < DATE '{before}'
    GROUP BY ALL
), totals AS (
    SELECT sku, location_id, sum(units) AS total FROM weights GROUP BY ALL
), planned AS (  -- a product x store x week may be listed more than once
    SELECT product_id, store_id, week,
           bool_or(mailer_location <> '0') AS mailer, bool_or(display_location <> '0') AS display
    FROM read_parquet('{folder}/promotions.parquet')
    GROUP BY ALL
)
SELECT w.sku, w.location_id, pr.week,
       sum(w.units * pr.mailer::INT) / any_value(t.total) AS mailer_share,
       sum(w.units * pr.display::INT) / any_value(t.total) AS display_share
FROM planned pr
JOIN weights w USING (product_id, store_id)
JOIN totals t USING (sku, location_id)
GROUP BY ALL
"""

_COUPONS_SQL = """
WITH weights AS (
    SELECT t.product_id, c.sku, sum(t.quantity) AS units
    FROM read_parquet('{folder}/transactions.parquet') t
    JOIN read_parquet('{folder}/products.parquet') p USING (product_id)
    JOIN cats c ON c.category = p.product_category
    WHERE t.quantity > 0 AND CAST(t.transaction_timestamp AS DATE) < DATE '{before}'
    GROUP BY ALL
), totals AS (
    SELECT sku, sum(units) AS total FROM weights GROUP BY ALL
), households AS (
    SELECT count(DISTINCT household_id) AS n FROM read_parquet('{folder}/transactions.parquet')
), reach AS (
    SELECT campaign_id, count(DISTINCT household_id) / any_value(h.n) AS reach
    FROM read_parquet('{folder}/campaigns.parquet'), households h
    GROUP BY ALL
), days AS (
    SELECT unnest(range(DATE '{first}', DATE '{last}' + 1, INTERVAL 1 DAY))::DATE AS day
), couponed AS (
    SELECT days.day, c.product_id, max(r.reach) AS reach
    FROM days
    JOIN read_parquet('{folder}/campaign_descriptions.parquet') cd
      ON days.day BETWEEN cd.start_date AND cd.end_date
    JOIN reach r USING (campaign_id)
    JOIN (SELECT DISTINCT campaign_id, product_id FROM read_parquet('{folder}/coupons.parquet')) c
      USING (campaign_id)
    GROUP BY ALL
)
SELECT w.sku, cp.day, sum(w.units * cp.reach) / any_value(t.total) AS coupon_reach
FROM couponed cp
JOIN weights w USING (product_id)
JOIN totals t USING (sku)
GROUP BY ALL
"""


def week_of(days: pd.Series) -> pd.Series:
    """The data's week number of each day (see module docs)."""
    return ((days - FIRST_MONDAY).dt.days // 7 + 2).clip(lower=1)


def known_future_inputs(scale: str, weights_before: date | pd.Timestamp) -> pd.DataFrame:
    """``item_id, location_id, date`` and ``INPUTS`` for every SKU x DC of the ``scale`` world's
    cut (``source.daily_demand``'s series) and every day of 2017 (see module docs)."""
    if scale not in CJ_SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {sorted(CJ_SCALES)}")
    spec = CJ_SCALES[scale]
    before = pd.Timestamp(weights_before).date()
    days = pd.date_range("2017-01-01", str(AS_OF))
    con = duckdb.connect()
    try:
        lines = category_lines(con, spec.n_categories)
        names = dc_names(spec.n_dcs)
        dcs = pd.DataFrame(
            [(store, names[dc]) for store, dc in store_dcs(lines, spec.n_dcs).items()],
            columns=["store_id", "location_id"],
        )
        con.register("cats", _categories(lines)[["category", "sku"]])
        con.register("dcs", dcs)
        args = {"folder": data_dir(), "before": before, "first": days[0].date(), "last": AS_OF}
        shares = con.execute(_SHARES_SQL.format(**args)).df()
        coupons = con.execute(_COUPONS_SQL.format(**args)).df()
    finally:
        con.close()
    skus = sorted(_categories(lines)["sku"])
    grid = pd.MultiIndex.from_product(
        [skus, sorted(dcs["location_id"].unique()), days], names=["sku", "location_id", "day"]
    ).to_frame(index=False)
    grid["week"] = week_of(grid["day"])
    grid = grid.merge(shares, on=["sku", "location_id", "week"], how="left")
    coupons["day"] = pd.to_datetime(coupons["day"])
    grid = grid.merge(coupons, on=["sku", "day"], how="left")
    grid[[*SHARES, "coupon_reach"]] = grid[[*SHARES, "coupon_reach"]].fillna(0.0).astype(float)
    holidays = pd.DatetimeIndex(sorted(us_holidays(range(2017, 2018))))
    grid["is_holiday"] = grid["day"].isin(holidays)
    out = grid.rename(columns={"sku": "item_id", "day": "date"})
    return out[["item_id", "location_id", "date", *INPUTS]]
