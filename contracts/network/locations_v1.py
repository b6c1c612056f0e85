"""network.locations v1: distribution centres and supplier sites."""

import pandera.pandas as pa
from pandera.typing import Series

from contracts.columns import column


class LocationsV1(pa.DataFrameModel):
    """One site of the network: a DC that holds stock or a supplier that ships to DCs."""

    location_id: Series[str] = column("Site id.", "public", unique=True)
    name: Series[str] = column("Site name.", "public")
    location_type: Series[str] = column("Kind of site.", "public", isin=["dc", "supplier"])
    region: Series[str] = column("Sales region (drives the market calendar).", "public")
    country: Series[str] = column("ISO country code.", "public")
    city: Series[str] = column("City.", "public")
    latitude: Series[float] = column("Latitude in degrees.", ge=-90, le=90)
    longitude: Series[float] = column("Longitude in degrees.", ge=-180, le=180)
    manager_email: Series[str] = column("Site manager's e-mail address.", "pii")
    handling_days: Series[int] = column("Days to receive and put away inbound goods.", ge=0, le=14)

    class Config:
        name = "network.locations v1"
        strict = True
