"""The source-system extracts: where each lands, its exact columns and types, and its tables.

This module is the generator's side of the contract in docs/architecture.md ("World"): every table
written to the landing folder is cast to the schema below, so a column can only be renamed or
retyped here, in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from supplymesh.world.item_master import CATEGORY_NAMES, ItemMaster
from supplymesh.world.network import Network, lane_id
from supplymesh.world.orders import OrderLines, yyyymmdd
from supplymesh.world.simulate import ChunkInventory

CURRENCY = "EUR"


@dataclass(frozen=True)
class Extract:
    """Where an extract lands and in which format (``parquet-parts`` = a folder of parts)."""

    name: str
    domain: str
    fmt: str  # "csv" | "parquet" | "parquet-parts"
    schema: pa.Schema

    @property
    def suffix(self) -> str:
        return {"csv": ".csv", "parquet": ".parquet", "parquet-parts": ""}[self.fmt]


S, N, F, D, B = pa.string(), pa.int64(), pa.float64(), pa.date32(), pa.bool_()  # N: integer
EXTRACTS: dict[str, Extract] = {
    e.name: e
    for e in (
        Extract(
            "orders",
            "sales",
            "parquet-parts",
            pa.schema(
                [
                    ("order_id", S),
                    ("line_number", N),
                    ("order_date", D),
                    ("customer_id", S),
                    ("customer_email", S),
                    ("sku", S),
                    ("location_id", S),
                    ("quantity", N),
                    ("unit_price", F),
                    ("currency", S),
                    ("promo_id", S),
                ]
            ),
        ),
        Extract(
            "item_master",
            "catalog",
            "csv",
            pa.schema(
                [
                    ("sku", S),
                    ("description", S),
                    ("category", S),
                    ("brand", S),
                    ("supplier_id", S),
                    ("unit_cost", F),
                    ("list_price", F),
                    ("currency", S),
                    ("unit_weight_kg", F),
                    ("unit_volume_m3", F),
                    ("case_pack", N),
                    ("units_per_pallet", N),
                    ("min_order_qty", N),
                    ("launch_date", D),
                    ("is_active", B),
                ]
            ),
        ),
        Extract(
            "locations",
            "network",
            "csv",
            pa.schema(
                [
                    ("location_id", S),
                    ("name", S),
                    ("location_type", S),
                    ("region", S),
                    ("country", S),
                    ("city", S),
                    ("latitude", F),
                    ("longitude", F),
                    ("manager_email", S),
                    ("handling_days", N),
                ]
            ),
        ),
        Extract(
            "stock_snapshot",
            "inventory",
            "parquet",
            pa.schema(
                [
                    ("snapshot_date", D),
                    ("sku", S),
                    ("location_id", S),
                    ("on_hand", N),
                    ("on_order", N),
                ]
            ),
        ),
        Extract(
            "receipts",
            "procurement",
            "csv",
            pa.schema(
                [
                    ("po_id", S),
                    ("po_line", N),
                    ("supplier_id", S),
                    ("sku", S),
                    ("location_id", S),
                    ("lane_id", S),
                    ("order_date", D),
                    ("ship_date", D),
                    ("receipt_date", D),
                    ("quantity_ordered", N),
                    ("quantity_received", N),
                    ("unit_cost", F),
                    ("currency", S),
                ]
            ),
        ),
        Extract(
            "lanes",
            "logistics",
            "csv",
            pa.schema(
                [
                    ("lane_id", S),
                    ("origin_id", S),
                    ("destination_id", S),
                    ("carrier", S),
                    ("max_weight_kg", F),
                    ("max_volume_m3", F),
                    ("max_pallets", N),
                    ("transit_days_mean", F),
                    ("transit_days_std", F),
                    ("ftl_cost", F),
                    ("ltl_cost_per_kg", F),
                    ("ltl_min_charge", F),
                    ("currency", S),
                ]
            ),
        ),
        Extract(
            "calendar",
            "market",
            "csv",
            pa.schema(
                [("calendar_date", D), ("region", S), ("is_holiday", B), ("holiday_name", S)]
            ),
        ),
        Extract(
            "promotions",
            "market",
            "csv",
            pa.schema(
                [
                    ("promo_id", S),
                    ("sku", S),
                    ("region", S),
                    ("start_date", D),
                    ("end_date", D),
                    ("discount_pct", F),
                    ("promo_type", S),
                ]
            ),
        ),
    )
}


def conform(name: str, table: pa.Table) -> pa.Table:
    """``table`` with exactly the extract's columns, in order and of its types."""
    schema = EXTRACTS[name].schema
    missing = set(schema.names) - set(table.column_names)
    if missing:
        raise ValueError(f"{name}: missing columns {sorted(missing)}")
    return table.select(schema.names).cast(schema)


def _const(value: str, n: int) -> pa.Array:
    return pa.array([value], pa.string()).take(pa.array(np.zeros(n, dtype=np.int64)))


def _ids(values: list[str], index: np.ndarray) -> pa.Array:
    return pa.array(values, pa.string()).take(pa.array(index))


def item_master_table(
    cat: ItemMaster,
    prices: np.ndarray,
    as_of_day: int,
    supplier_ids: list[str],
    first_day: np.datetime64,
) -> pa.Table:
    """One row per SKU with the list price and unit cost in effect on the as-of date."""
    price = prices[:, as_of_day]
    return conform(
        "item_master",
        pa.table(
            {
                "sku": cat.skus,
                "description": cat.descriptions,
                "category": _ids(list(CATEGORY_NAMES), cat.category),
                "brand": cat.brands,
                "supplier_id": _ids(supplier_ids, cat.supplier),
                "unit_cost": np.round(price * cat.cost_ratio, 4),
                "list_price": price,
                "currency": _const(CURRENCY, cat.n_skus),
                "unit_weight_kg": cat.weight_kg,
                "unit_volume_m3": cat.volume_m3,
                "case_pack": cat.case_pack,
                "units_per_pallet": cat.units_per_pallet,
                "min_order_qty": cat.min_order_qty,
                "launch_date": pa.array(first_day + cat.launch_day),
                "is_active": cat.is_active,
            }
        ),
    )


def orders_table(
    lines: OrderLines,
    cat: ItemMaster,
    dc_ids: list[str],
    customer_ids: pa.Array,
    customer_emails: pa.Array,
    promo_ids: pa.Array,
    days: np.ndarray,
) -> pa.Table:
    """The chunk's order lines as the ERP exports them."""
    n = len(lines)
    promo = pa.array(np.maximum(lines.promo, 0), mask=lines.promo < 0)
    return conform(
        "orders",
        pa.table(
            {
                "order_id": pc.binary_join_element_wise(
                    "SO-", pc.cast(pa.array(lines.order_no), pa.string()), ""
                ),
                "line_number": lines.line_number,
                "order_date": pa.array(days[lines.day]),
                "customer_id": customer_ids.take(pa.array(lines.customer)),
                "customer_email": customer_emails.take(pa.array(lines.customer)),
                "sku": _ids(cat.skus, lines.sku),
                "location_id": _ids(dc_ids, lines.dc),
                "quantity": lines.quantity,
                "unit_price": lines.unit_price,
                "currency": _const(CURRENCY, n),
                "promo_id": promo_ids.take(promo),
            }
        ),
    )


def stock_table(
    inv: ChunkInventory, skus: np.ndarray, cat: ItemMaster, dc_ids: list[str], days: np.ndarray
) -> pa.Table:
    """End-of-day stock per series and day, from the day each series is first stocked."""
    h = inv.on_hand.shape[1]
    n_dc = len(dc_ids)
    keep = np.arange(h)[None, :] >= inv.first_day[:, None]
    series, day = np.nonzero(keep)
    return conform(
        "stock_snapshot",
        pa.table(
            {
                "snapshot_date": pa.array(days[day]),
                "sku": _ids(cat.skus, skus[series // n_dc]),
                "location_id": _ids(dc_ids, series % n_dc),
                "on_hand": inv.on_hand[keep],
                "on_order": inv.on_order[keep],
            }
        ),
    )


def receipts_table(
    inv: ChunkInventory,
    skus: np.ndarray,
    cat: ItemMaster,
    net: Network,
    prices: np.ndarray,
    days: np.ndarray,
    history_days: int,
) -> pa.Table:
    """Received PO lines (receipt on or before the as-of date), numbered within their PO."""
    got = inv.po_receipt < history_days
    series, day = inv.po_series[got], inv.po_day[got]
    n_dc = net.n_dcs
    sku, dc = skus[series // n_dc], series % n_dc
    sup = cat.supplier[sku]
    order = np.lexsort((sku, dc, sup, day))
    series, day, sku, dc, sup = series[order], day[order], sku[order], dc[order], sup[order]
    ship, receipt = inv.po_ship[got][order], inv.po_receipt[got][order]
    new_po = np.r_[True, (day[1:] != day[:-1]) | (sup[1:] != sup[:-1]) | (dc[1:] != dc[:-1])]
    first = np.flatnonzero(new_po)
    po_line = np.arange(day.size) - first[np.cumsum(new_po) - 1] + 1
    sup_ids, dc_ids = _ids(net.supplier_ids, sup), _ids(net.dc_ids, dc)
    date_txt = pc.cast(pa.array(yyyymmdd(days[day])), pa.string())
    lanes = [lane_id(s, d) for s in net.supplier_ids for d in net.dc_ids]
    return conform(
        "receipts",
        pa.table(
            {
                "po_id": pc.binary_join_element_wise("PO", date_txt, sup_ids, dc_ids, "-"),
                "po_line": po_line,
                "supplier_id": sup_ids,
                "sku": _ids(cat.skus, sku),
                "location_id": dc_ids,
                "lane_id": _ids(lanes, sup * n_dc + dc),
                "order_date": pa.array(days[day]),
                "ship_date": pa.array(days[ship]),
                "receipt_date": pa.array(days[receipt]),
                "quantity_ordered": inv.po_qty[got][order],
                "quantity_received": inv.po_received[got][order],
                "unit_cost": np.round(prices[sku, day] * cat.cost_ratio[sku], 4),
                "currency": _const(CURRENCY, day.size),
            }
        ),
    )
