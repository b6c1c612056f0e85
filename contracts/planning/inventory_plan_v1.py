"""planning.inventory_plan v1: replenishment policy and orders due per SKU and DC."""

import pandera.pandas as pa
from pandera.typing import Series

from contracts.columns import column


class InventoryPlanV1(pa.DataFrameModel):
    """Periodic-review (s, S) policy of one SKU at one DC, and the order it calls for now.

    v1.1 adds the service class, the buffer method and the coordinator's change (additive)."""

    sku: Series[str] = column("Stock-keeping unit.", "public")
    location_id: Series[str] = column("Distribution centre.")
    supplier_id: Series[str] = column("Supplier that replenishes the SKU.")
    plan_date: Series[pa.Date] = column("Day the plan was made.")
    service_class: Series[str] = column(
        "ABC (value) x XYZ (weekly variability) class that sets the service target."
    )
    service_level_target: Series[float] = column("Target cycle service level.", gt=0, lt=1)
    policy_method: Series[str] = column(
        "normal: buffer from the forecast-error sigma; empirical: quantile of bootstrapped "
        "protection-period demand (intermittent items).",
        isin=["normal", "empirical"],
    )
    mean_daily_demand: Series[float] = column("Mean forecast daily demand.", ge=0)
    demand_std_daily: Series[float] = column("Daily forecast error standard deviation.", ge=0)
    lead_time_mean_days: Series[float] = column("Mean supplier lead time.", gt=0)
    lead_time_std_days: Series[float] = column("Supplier lead-time standard deviation.", ge=0)
    review_period_days: Series[int] = column("Days between reviews.", ge=1)
    safety_stock: Series[float] = column("Safety stock in units.", ge=0)
    reorder_point: Series[float] = column("Reorder point in units.", ge=0)
    order_up_to: Series[float] = column("Order-up-to level in units.", ge=0)
    on_hand: Series[int] = column("Units on hand at plan time.", ge=0)
    on_order: Series[int] = column("Units on order at plan time.", ge=0)
    inventory_position: Series[float] = column("On hand plus on order.")
    order_quantity: Series[int] = column(
        "Units to order now (whole cases, at least the MOQ).", ge=0
    )
    order_due: Series[bool] = column("Whether an order is placed now.")
    need_by_date: Series[pa.Date] = column("Day the order must arrive.")
    unit_cost: Series[float] = column("Purchase cost per unit.", "confidential", gt=0)
    order_value: Series[float] = column("Order quantity times unit cost.", "confidential", ge=0)
    coordination: Series[str] = column(
        "Change made by the supply-plan coordinator: pulled_forward (ordered now to fill a "
        "truck) or deferred (held a review); empty when the policy's order stands.",
        nullable=True,
        isin=["pulled_forward", "deferred"],
    )

    @pa.dataframe_check(
        name="order_up_to_covers_reorder_point", error="order_up_to >= reorder_point"
    )
    def levels_ordered(cls, df):
        """The order-up-to level sits above the reorder point by the review-period demand."""
        return df["order_up_to"] >= df["reorder_point"] - 1e-9

    class Config:
        name = "planning.inventory_plan v1"
        unique = ["sku", "location_id"]
        strict = True
