"""Small frame helpers shared by the planning modules: dates, keys and column checks.

The marts reach pandas through DuckDB, which may hand dates over as ``datetime64`` or as Python
``date`` objects depending on the reader; the planning code normalises once at its edges so the
maths inside works on ``datetime64[ns]`` and the outputs carry plain ``datetime.date`` values (the
planning contracts declare ``pa.Date`` columns, which Parquet stores as DATE).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd

SERIES_KEYS = ["sku", "location_id"]

DateLike = dt.date | dt.datetime | pd.Timestamp | str


def as_timestamp(value: DateLike) -> pd.Timestamp:
    """One date-like value as a midnight ``Timestamp`` (the unit of all date arithmetic here)."""
    return pd.Timestamp(value).normalize()


def to_datetime_col(values: pd.Series) -> pd.Series:
    """A date column as normalised ``datetime64[ns]`` (NaT stays NaT)."""
    return pd.to_datetime(values).dt.normalize().astype("datetime64[ns]")


def to_date_col(values: pd.Series) -> pd.Series:
    """A date column as an object column of ``datetime.date`` (``None`` where missing)."""
    stamps = pd.to_datetime(values)
    out = [None if pd.isna(v) else v.date() for v in stamps]
    return pd.Series(out, index=values.index, dtype="object")


def require_columns(frame: pd.DataFrame, columns: Iterable[str], name: str) -> None:
    """Fail early, naming the frame, when an input lacks columns the planning code reads."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} is missing columns: {missing}")
