"""inventory.stock_snapshots v1: end-of-day stock per SKU and DC."""

import pandera.pandas as pa
from pandera.typing import Series

from contracts.checks import references, stock_flow
from contracts.columns import column


class StockSnapshotsV1(pa.DataFrameModel):
    """Stock of one SKU at one DC at the end of one day."""

    snapshot_date: Series[pa.Date] = column("Day the stock was counted (end of day).")
    sku: Series[str] = column("Stock-keeping unit.", "public")
    location_id: Series[str] = column("Distribution centre.")
    on_hand: Series[int] = column("Units physically on hand.", ge=0)
    on_order: Series[int] = column("Units ordered from suppliers, not yet received.", ge=0)

    class Config:
        name = "inventory.stock_snapshots v1"
        unique = ["snapshot_date", "sku", "location_id"]  # the grain: SKU x location x day
        strict = True
        metadata = {
            "cross_product": [
                references("sku", "catalog.products"),
                references("location_id", "network.locations"),
                stock_flow(
                    sales="sales.orders",
                    receipts="procurement.purchase_receipts",
                    locations="network.locations",
                ),
            ]
        }
