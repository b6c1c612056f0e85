"""market.promotions v1: planned and past promotions per SKU and region."""

import pandera.pandas as pa
from pandera.typing import Series

from contracts.checks import references
from contracts.columns import column


class PromotionsV1(pa.DataFrameModel):
    """One promotion of one SKU in one region over a date range."""

    promo_id: Series[str] = column("Promotion id.", unique=True)
    sku: Series[str] = column("Promoted SKU.", "public")
    region: Series[str] = column("Region where the promotion runs.", "public")
    start_date: Series[pa.Date] = column("First promoted day.")
    end_date: Series[pa.Date] = column("Last promoted day.")
    discount_pct: Series[float] = column("Price discount as a fraction.", ge=0, le=0.9)
    promo_type: Series[str] = column("Mechanic of the promotion.")

    @pa.dataframe_check(name="promotion_ends_after_start", error="end_date >= start_date")
    def ends_after_start(cls, df):
        """A promotion cannot end before it starts."""
        return df["end_date"] >= df["start_date"]

    class Config:
        name = "market.promotions v1"
        strict = True
        metadata = {"cross_product": [references("sku", "catalog.products")]}
