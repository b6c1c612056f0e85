"""logistics.lanes v1: contracted transport lanes from suppliers to DCs."""

import pandera.pandas as pa
from pandera.typing import Series

from contracts.checks import references
from contracts.columns import column


class LanesV1(pa.DataFrameModel):
    """One lane: a carrier's truck service between a supplier and a DC."""

    lane_id: Series[str] = column("Lane id.", unique=True)
    origin_id: Series[str] = column("Origin site (supplier).")
    destination_id: Series[str] = column("Destination site (DC).")
    carrier: Series[str] = column("Carrier serving the lane.")
    max_weight_kg: Series[float] = column("Truck payload limit.", gt=0)
    max_volume_m3: Series[float] = column("Truck volume limit.", gt=0)
    max_pallets: Series[int] = column("Truck pallet positions.", gt=0)
    transit_days_mean: Series[float] = column("Contracted mean transit time.", gt=0, le=60)
    transit_days_std: Series[float] = column("Transit time variability.", ge=0)
    ftl_cost: Series[float] = column("Full-truckload price.", "confidential", gt=0)
    ltl_cost_per_kg: Series[float] = column(
        "Less-than-truckload rate per kg.", "confidential", gt=0
    )
    ltl_min_charge: Series[float] = column("Minimum LTL charge.", "confidential", ge=0)
    currency: Series[str] = column("ISO 4217 currency of the rates.", "public", isin=["EUR"])

    class Config:
        name = "logistics.lanes v1"
        strict = True
        metadata = {
            "cross_product": [
                references("origin_id", "network.locations", to="location_id"),
                references("destination_id", "network.locations", to="location_id"),
            ]
        }
