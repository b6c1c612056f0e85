"""catalog.products v1: the item master."""

import pandera.pandas as pa
from pandera.typing import Series

from contracts.checks import references
from contracts.columns import column


class ProductsV1(pa.DataFrameModel):
    """One sellable SKU with its cost, price, physical and ordering attributes."""

    sku: Series[str] = column("Stock-keeping unit.", "public", unique=True)
    description: Series[str] = column("Item description.", "public")
    category: Series[str] = column("Merchandise category.", "public")
    brand: Series[str] = column("Brand name.", "public")
    supplier_id: Series[str] = column("Supplier location that makes the SKU.")
    unit_cost: Series[float] = column("Purchase cost per unit.", "confidential", gt=0)
    list_price: Series[float] = column("Shelf price per unit.", "public", gt=0)
    currency: Series[str] = column("ISO 4217 currency of cost and price.", "public", isin=["EUR"])
    unit_weight_kg: Series[float] = column("Gross weight of one unit.", gt=0, le=1000)
    unit_volume_m3: Series[float] = column("Volume of one unit.", gt=0, le=10)
    case_pack: Series[int] = column("Units per case; orders are whole cases.", ge=1)
    units_per_pallet: Series[int] = column("Units on one pallet.", ge=1)
    min_order_qty: Series[int] = column("Supplier minimum order quantity, in units.", ge=1)
    launch_date: Series[pa.Date] = column("Day the SKU was launched.")
    is_active: Series[bool] = column("Whether the SKU is still sold.", "public")

    class Config:
        name = "catalog.products v1"
        strict = True
        metadata = {
            "cross_product": [references("supplier_id", "network.locations", to="location_id")]
        }
