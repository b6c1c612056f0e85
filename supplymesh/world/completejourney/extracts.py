"""The Complete Journey world's extracts as Arrow tables, in the landing files' layout."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from supplymesh.world.completejourney.source import COST_RATIO, MIN_PAID_SHARE, us_holidays
from supplymesh.world.completejourney.stock import Replenishment
from supplymesh.world.network import Network, lane_id


@dataclass(frozen=True)
class ReplenishedHistory:
    """The replayed stock of every series (SKU-major, then DC) over the data's days."""

    sim: Replenishment
    items: pd.DataFrame
    net: Network
    days: pd.DatetimeIndex
    history_days: int
    series_sku: np.ndarray
    series_dc: np.ndarray
    series_supplier: np.ndarray


def orders_table(
    lines: pd.DataFrame,
    items: pd.DataFrame,
    promos: pd.DataFrame,
    dc_ids: list[str],
    region_of_dc: dict[int, str],
) -> pa.Table:
    """The sales extract: one line per basket and category."""
    cat = items.set_index("category")
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


def calendar_table(days: pd.DatetimeIndex, regions: list[str]) -> pa.Table:
    """Every day of every region, with US federal holidays (the data are US)."""
    holidays = us_holidays(range(days[0].year, days[-1].year + 1))
    cal_rows = [
        (d.date(), r, d.date() in holidays, holidays.get(d.date()))
        for r in sorted(set(regions))
        for d in days
    ]
    return pa.table(
        {
            "calendar_date": pa.array([c[0] for c in cal_rows]),
            "region": [c[1] for c in cal_rows],
            "is_holiday": [c[2] for c in cal_rows],
            "holiday_name": pa.array([c[3] for c in cal_rows], pa.string()),
        }
    )


def item_master_table(items: pd.DataFrame, first: object) -> pa.Table:
    """One SKU per category, all launched on the data's first day."""
    return pa.table(
        {
            "sku": items["sku"].to_numpy(),
            "description": items["category"].str.title().to_numpy(),
            "category": items["department"].str.lower().to_numpy(),
            "brand": ["The Complete Journey"] * len(items),
            "supplier_id": items["supplier_id"].to_numpy(),
            "unit_cost": (items["list_price"] * COST_RATIO).round(4).to_numpy(),
            "list_price": items["list_price"].to_numpy(float),
            "currency": ["EUR"] * len(items),
            "unit_weight_kg": items["unit_weight_kg"].to_numpy(float),
            "unit_volume_m3": items["unit_volume_m3"].to_numpy(float),
            "case_pack": items["case_pack"].to_numpy(np.int64),
            "units_per_pallet": items["units_per_pallet"].to_numpy(np.int64),
            "min_order_qty": items["case_pack"].to_numpy(np.int64),
            "launch_date": pa.array([first] * len(items)),
            "is_active": [True] * len(items),
        }
    )


def stock_table(h: ReplenishedHistory) -> pa.Table:
    """End-of-day stock per SKU x DC over the history."""
    n = h.sim.on_hand.shape[0]
    series, day = np.divmod(np.arange(n * h.history_days), h.history_days)
    return pa.table(
        {
            "snapshot_date": pa.array(h.days[day].date),
            "sku": h.items["sku"].to_numpy()[h.series_sku[series]],
            "location_id": np.array(h.net.dc_ids)[h.series_dc[series]],
            "on_hand": h.sim.on_hand[:, : h.history_days].reshape(-1),
            "on_order": h.sim.on_order[:, : h.history_days].reshape(-1),
        }
    )


def receipts_table(h: ReplenishedHistory) -> pa.Table:
    """Purchase-order lines received within the history, one PO per supplier, DC and day."""
    rec = pd.DataFrame(h.sim.receipts, columns=["series", "order", "ship", "receipt", "qty"])
    rec = rec[(rec["receipt"] < h.history_days) & (rec["receipt"] >= 0)]
    rec = rec.sort_values(["order", "series"], kind="stable")
    rec["supplier"] = h.series_supplier[rec["series"]]
    rec["dc"] = h.series_dc[rec["series"]]
    rec["sku"] = h.items["sku"].to_numpy()[h.series_sku[rec["series"]]]
    rec["po_id"] = [
        f"PO{h.days[o]:%Y%m%d}-{h.net.supplier_ids[s]}-{h.net.dc_ids[j]}"
        for o, s, j in zip(rec["order"], rec["supplier"], rec["dc"], strict=True)
    ]
    rec["po_line"] = rec.groupby("po_id").cumcount() + 1
    cost = dict(zip(h.items["sku"], (h.items["list_price"] * COST_RATIO).round(4), strict=True))
    return pa.table(
        {
            "po_id": rec["po_id"].to_numpy(),
            "po_line": rec["po_line"].to_numpy(np.int64),
            "supplier_id": [h.net.supplier_ids[s] for s in rec["supplier"]],
            "sku": rec["sku"].to_numpy(),
            "location_id": [h.net.dc_ids[j] for j in rec["dc"]],
            "lane_id": [
                lane_id(h.net.supplier_ids[s], h.net.dc_ids[j])
                for s, j in zip(rec["supplier"], rec["dc"], strict=True)
            ],
            "order_date": pa.array(h.days[rec["order"].to_numpy()].date),
            "ship_date": pa.array(h.days[rec["ship"].to_numpy()].date),
            "receipt_date": pa.array(h.days[rec["receipt"].to_numpy()].date),
            "quantity_ordered": rec["qty"].to_numpy(np.int64),
            "quantity_received": rec["qty"].to_numpy(np.int64),
            "unit_cost": rec["sku"].map(cost).to_numpy(float),
            "currency": ["EUR"] * len(rec),
        }
    )
