"""Write one batch of every extract of the Complete Journey world."""

from __future__ import annotations

import time

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from supplymesh.publishing.landing import is_batch_id, new_batch_id
from supplymesh.settings import MeshPaths
from supplymesh.world.completejourney.extracts import (
    ReplenishedHistory,
    calendar_table,
    item_master_table,
    orders_table,
    receipts_table,
    stock_table,
)
from supplymesh.world.completejourney.source import (
    AS_OF,
    CJ_SCALES,
    CjScale,
    category_lines,
    item_master_frame,
    promotions_frame,
    store_dcs,
)
from supplymesh.world.completejourney.stock import replenish
from supplymesh.world.generate import Progress, WorldSummary
from supplymesh.world.network import Network, build_network, draw_schedule
from supplymesh.world.rng import Stream, stream
from supplymesh.world.scales import HORIZON_DAYS
from supplymesh.world.writers import BatchWriter


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
    lines = _read_lines(spec.n_categories)
    report("read", 1, 4)
    first = lines["day"].min()
    first = first.date() if hasattr(first, "date") else first
    history_days = (AS_OF - first).days + 1
    n_days = history_days + HORIZON_DAYS
    net = _network(seed, spec, sorted(lines["department"].unique()))
    schedule = draw_schedule(stream(seed, Stream.SHIPPING), net, n_days)
    dc_of_store = store_dcs(lines, spec.n_dcs)
    lines["dc"] = lines["store_id"].map(dc_of_store)
    regions = net.locations.column("region").to_pylist()[: spec.n_dcs]
    region_of_dc = dict(enumerate(regions))
    items = item_master_frame(lines, spec.n_suppliers, net.supplier_ids)
    sku_of = dict(zip(items["category"], items["sku"], strict=True))
    promos = promotions_frame(lines, region_of_dc, sku_of)
    report("orders", 2, 4)

    days = pd.date_range(first, periods=n_days)
    demand = _series_demand(lines, items, sku_of, days, history_days, spec.n_dcs)
    series_sku = np.repeat(np.arange(len(items)), spec.n_dcs)
    series_dc = np.tile(np.arange(spec.n_dcs), len(items))
    supplier_index = {s: j for j, s in enumerate(net.supplier_ids)}
    series_supplier = items["supplier_id"].map(supplier_index).to_numpy()[series_sku]
    weekday = days.dayofweek.to_numpy()
    sim = replenish(
        demand,
        items["case_pack"].to_numpy()[series_sku],
        series_supplier,
        series_dc,
        net.supplier_review_days,
        schedule.lead,
        schedule.transit,
        net.dc_handling,
        weekday,
    )
    report("stock", 3, 4)

    history = ReplenishedHistory(
        sim, items, net, days, history_days, series_sku, series_dc, series_supplier
    )
    tables = {
        "calendar": calendar_table(days, regions),
        "locations": net.locations,
        "lanes": net.lanes,
        "item_master": item_master_table(items, days[0].date()),
        "promotions": pa.Table.from_pandas(promos.drop(columns="week"), preserve_index=False),
        "receipts": receipts_table(history),
        "stock_snapshot": stock_table(history),
        "orders": orders_table(lines, items, promos, list(net.dc_ids), region_of_dc),
    }
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


def _series_demand(
    lines: pd.DataFrame,
    items: pd.DataFrame,
    sku_of: dict[str, str],
    days: pd.DatetimeIndex,
    history_days: int,
    n_dcs: int,
) -> np.ndarray:
    """Units sold per series (SKU-major, then DC) and day of the history."""
    day_index = {d.date(): i for i, d in enumerate(days)}
    sku_no = {s: k for k, s in enumerate(items["sku"])}
    demand = np.zeros((len(items) * n_dcs, history_days))
    series_of_line = lines["category"].map(sku_of).map(sku_no) * n_dcs + lines["dc"]
    day_of_line = pd.to_datetime(lines["day"]).dt.date.map(day_index)
    np.add.at(demand, (series_of_line.to_numpy(), day_of_line.to_numpy()), lines["quantity"])
    return demand


def _read_lines(n_categories: int) -> pd.DataFrame:
    """The largest categories' order lines, read from the wheel's Parquet files."""
    con = duckdb.connect()
    try:
        return category_lines(con, n_categories)
    finally:
        con.close()


def _network(seed: int, spec: CjScale, departments: list[str]) -> Network:
    """The synthetic network around the data, suppliers specialised by department."""
    return build_network(
        stream(seed, Stream.NETWORK),
        spec.n_dcs,
        spec.n_suppliers,
        [departments[j % len(departments)].lower() for j in range(spec.n_suppliers)],
    )
