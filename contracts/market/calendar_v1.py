"""market.calendar v1: trading days and holidays per region."""

import pandera.pandas as pa
from pandera.typing import Series

from contracts.columns import column


class CalendarV1(pa.DataFrameModel):
    """One day in one region, with its holiday if any."""

    calendar_date: Series[pa.Date] = column("Day.", "public")
    region: Series[str] = column("Sales region.", "public")
    is_holiday: Series[bool] = column("Whether the day is a public holiday.", "public")
    holiday_name: Series[str] = column("Holiday name.", "public", nullable=True)

    class Config:
        name = "market.calendar v1"
        unique = ["calendar_date", "region"]
        strict = True
