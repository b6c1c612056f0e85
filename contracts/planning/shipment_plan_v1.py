"""planning.shipment_plan v1: every due purchase order, assigned to a truckload or listed with why."""

import pandera.pandas as pa
from pandera.typing import Series

from contracts.columns import column


class ShipmentPlanV1(pa.DataFrameModel):
    """One purchase order's transport plan: its lane, ship date and truckload."""

    po_id: Series[str] = column("Planned purchase order id.", unique=True)
    sku: Series[str] = column("Stock-keeping unit.", "public")
    origin_id: Series[str] = column("Supplier site shipping the order.")
    destination_id: Series[str] = column("Receiving distribution centre.")
    lane_id: Series[str] = column("Lane the order travels.", nullable=True)
    quantity: Series[int] = column("Units shipped.", gt=0)
    weight_kg: Series[float] = column("Gross weight.", ge=0)
    volume_m3: Series[float] = column("Volume.", ge=0)
    pallets: Series[int] = column("Pallet positions.", ge=0)
    need_by_date: Series[pa.Date] = column("Day the order must arrive at the DC.")
    ship_date: Series[pa.Date] = column("Day the truck leaves the supplier.", nullable=True)
    arrival_date: Series[pa.Date] = column("Expected arrival day.", nullable=True)
    is_late: Series[bool] = column("Whether the order cannot arrive by its need-by date.")
    load_id: Series[str] = column("Truckload carrying the order.", nullable=True)
    mode: Series[str] = column("Full or less-than truckload.", nullable=True, isin=["FTL", "LTL"])
    status: Series[str] = column("Planning outcome.", isin=["assigned", "unassigned"])
    reason: Series[str] = column("Why an order is unassigned.", nullable=True)

    @pa.dataframe_check(
        name="assigned_xor_reason", error="assigned orders have a load, others a reason"
    )
    def assigned_or_explained(cls, df):
        """Every order is either on exactly one load or explained: no silent drops."""
        assigned = df["status"] == "assigned"
        return (assigned & df["load_id"].notna()) | (~assigned & df["reason"].notna())

    class Config:
        name = "planning.shipment_plan v1"
        strict = True
