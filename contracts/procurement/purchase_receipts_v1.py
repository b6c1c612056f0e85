"""procurement.purchase_receipts v1: received purchase-order lines (source of lead times)."""

import pandera.pandas as pa
from pandera.typing import Series

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
