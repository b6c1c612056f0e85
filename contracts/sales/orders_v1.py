"""sales.orders v1: the original order-line export (deprecated, kept for existing consumers)."""

import pandera.pandas as pa
from pandera.typing import Series

from contracts.checks import references
from contracts.columns import column


class OrdersV1(pa.DataFrameModel):
    """One customer order line, as the first ERP export named its columns."""

    order_id: Series[str] = column("Sales order id.", str_matches=r"^SO-\d+$")
    line_number: Series[int] = column("Line within the order.", ge=1)
    order_date: Series[pa.Date] = column("Day the order was placed.")
    customer_email: Series[str] = column("Customer e-mail address.", "pii")
    sku: Series[str] = column("Stock-keeping unit.", "public")
    location_id: Series[str] = column("Distribution centre that fulfils the line.")
    qty: Series[int] = column("Units ordered.", ge=0, le=100_000)
    price: Series[float] = column("Unit price paid, in EUR.", ge=0)

    class Config:
        name = "sales.orders v1"
        unique = ["order_id", "line_number"]
        strict = True
        metadata = {"cross_product": [references("sku", "catalog.products")]}
