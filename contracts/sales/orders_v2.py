"""sales.orders v2: order lines with explicit currency, promotion and customer key."""

import pandera.pandas as pa
from pandera.typing import Series

from contracts.checks import matches, ratio_to, references
from contracts.columns import column


class OrdersV2(pa.DataFrameModel):
    """One customer order line. v2 renamed ``qty``/``price`` and added currency and promotion."""

    order_id: Series[str] = column("Sales order id.", str_matches=r"^SO-\d+$")
    line_number: Series[int] = column("Line within the order.", ge=1)
    order_date: Series[pa.Date] = column("Day the order was placed.")
    customer_id: Series[str] = column("Customer account id.", "pii")
    customer_email: Series[str] = column("Customer e-mail address.", "pii")
    sku: Series[str] = column("Stock-keeping unit.", "public")
    location_id: Series[str] = column("Distribution centre that fulfils the line.")
    quantity: Series[int] = column("Units ordered.", ge=0, le=100_000)
    unit_price: Series[float] = column("Unit price paid, after promotion discount.", ge=0)
    currency: Series[str] = column("ISO 4217 currency of unit_price.", "public", isin=["EUR"])
    promo_id: Series[str] = column("Promotion the line was sold under, if any.", nullable=True)

    class Config:
        name = "sales.orders v2"
        unique = ["order_id", "line_number"]
        strict = True
        metadata = {
            "cross_product": [
                references("sku", "catalog.products"),
                references("location_id", "network.locations"),
                references("promo_id", "market.promotions"),
                matches("currency", "catalog.products", on="sku"),
                # a price within 0.2-2x the list price: a price in cents or per case is a unit error
                ratio_to(
                    "unit_price",
                    "catalog.products",
                    on="sku",
                    to="list_price",
                    min_ratio=0.2,
                    max_ratio=2.0,
                ),
            ]
        }
