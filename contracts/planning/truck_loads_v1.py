"""planning.truck_loads v1: the trucks the shipment plan books, with fill and cost."""

import pandera.pandas as pa
from pandera.typing import Series

from contracts.columns import column


class TruckLoadsV1(pa.DataFrameModel):
    """One truckload on one lane and ship date."""

    load_id: Series[str] = column("Truckload id.", unique=True)
    lane_id: Series[str] = column("Lane travelled.")
    ship_date: Series[pa.Date] = column("Departure day.")
    arrival_date: Series[pa.Date] = column("Expected arrival day.")
    n_orders: Series[int] = column("Orders on the truck.", ge=1)
    weight_kg: Series[float] = column("Loaded weight.", ge=0)
    volume_m3: Series[float] = column("Loaded volume.", ge=0)
    pallets: Series[int] = column("Loaded pallet positions.", ge=0)
    weight_utilization: Series[float] = column("Share of weight capacity used.", ge=0, le=1.000001)
    volume_utilization: Series[float] = column("Share of volume capacity used.", ge=0, le=1.000001)
    pallet_utilization: Series[float] = column("Share of pallet positions used.", ge=0, le=1.000001)
    mode: Series[str] = column("Full or less-than truckload.", isin=["FTL", "LTL"])
    cost: Series[float] = column("Transport cost of the load.", "confidential", ge=0)
    lower_bound_trucks: Series[int] = column("Trucks needed at least on this lane and day.", ge=0)
    solver: Series[str] = column("Method that packed the load.")

    class Config:
        name = "planning.truck_loads v1"
        strict = True
