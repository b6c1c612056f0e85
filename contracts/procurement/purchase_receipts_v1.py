"""procurement.purchase_receipts v1: received purchase-order lines (source of lead times)."""

import pandera.pandas as pa
from pandera.typing import Series

from contracts.checks import references, row_rule
from contracts.columns import column


class PurchaseReceiptsV1(pa.DataFrameModel):
    """One purchase-order line, from order to receipt at the DC."""

    po_id: Series[str] = column("Purchase order id.")
    po_line: Series[int] = column("Line within the purchase order.", ge=1)
    supplier_id: Series[str] = column("Supplier site.")
    sku: Series[str] = column("Stock-keeping unit.", "public")
    location_id: Series[str] = column("Receiving distribution centre.")
    lane_id: Series[str] = column("Transport lane the goods travelled.")
    order_date: Series[pa.Date] = column("Day the purchase order was placed.")
    ship_date: Series[pa.Date] = column("Day the supplier shipped.")
    receipt_date: Series[pa.Date] = column("Day the DC received the goods.")
    quantity_ordered: Series[int] = column("Units ordered.", gt=0)
    quantity_received: Series[int] = column("Units received.", ge=0)
    unit_cost: Series[float] = column("Purchase cost per unit.", "confidential", gt=0)
    currency: Series[str] = column("ISO 4217 currency of unit_cost.", "public", isin=["EUR"])

    @pa.dataframe_check(
        name="receipt_not_before_order", error="receipt_date >= ship_date >= order_date"
    )
    def dates_in_order(cls, df):
        """A receipt cannot precede its shipment, nor a shipment its order."""
        return (df["receipt_date"] >= df["ship_date"]) & (df["ship_date"] >= df["order_date"])

    class Config:
        name = "procurement.purchase_receipts v1"
        unique = ["po_id", "po_line"]
        strict = True
        # lead-time plausibility: a receipt 0 or 120+ days after its order is a keying error or a
        # lost PO worth a look, but real; it warns and does not block
        days_between = row_rule(
            start="order_date",
            end="receipt_date",
            min_days=1,
            max_days=120,
            error="lead time order_date -> receipt_date within 1-120 days",
            severity="WARN",
        )
        # units consistency: receiving more than 110% of the ordered units means one of the two
        # was booked in cases
        ratio_between = row_rule(
            numerator="quantity_received",
            denominator="quantity_ordered",
            min_ratio=0.0,
            max_ratio=1.1,
            error="quantity_received within 0-110% of quantity_ordered (same unit)",
        )
        metadata = {
            "cross_product": [
                references("sku", "catalog.products"),
                references("location_id", "network.locations"),
                references("lane_id", "logistics.lanes"),
            ]
        }
