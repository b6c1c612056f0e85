"""Reading a producer's sample extract for inference: CSV or Parquet, into pandas, dates found.

pandas reads integers that have gaps as floats and dates in a CSV as text; the contract must say
``int`` and ``date`` for them, so the sample is read with pandas' nullable types (an integer
column with a null stays integer) and a text column whose every value is an ISO date (or date
and time) becomes a date (or timestamp) column here, remembered in ``Sample.dates``: pandas has
no date type of its own, only timestamps.
"""

from __future__ import annotations

import datetime as dt
import keyword
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

SUFFIXES = (".csv", ".parquet")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")
IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


class SampleError(ValueError):
    """The sample cannot be read, or cannot become a contract; the message says why."""


@dataclass(frozen=True)
class Sample:
    """The sample as a frame, and which of its timestamp columns hold calendar dates."""

    path: Path
    frame: pd.DataFrame
    dates: frozenset[str]


def read_sample(path: Path) -> Sample:
    """The sample at ``path``, typed for inference; a SampleError for an unreadable file, an
    empty one, or a column name a contract field cannot carry."""
    if path.suffix.lower() not in SUFFIXES:
        raise SampleError(f"{path}: a sample is a .csv or .parquet file")
    if not path.is_file():
        raise SampleError(f"{path}: no such file")
    try:
        if path.suffix.lower() == ".csv":
            frame = pd.read_csv(path, dtype_backend="numpy_nullable")
        else:
            frame = pd.read_parquet(path, dtype_backend="numpy_nullable")
    except (OSError, ValueError) as exc:  # pandas' and pyarrow's parse errors are ValueErrors
        raise SampleError(f"{path} is unreadable: {exc}") from exc
    if frame.empty:
        raise SampleError(f"{path} has no rows: a contract is inferred from data")
    bad = [c for c in frame.columns if not IDENTIFIER.match(str(c)) or keyword.iskeyword(c)]
    if bad:
        raise SampleError(
            f"{path}: column names {bad} are not lower-case identifiers; a contract field is "
            "named after its column (rename them in the extract)"
        )
    dates = set()
    for name in frame.columns:
        typed, is_date = _as_temporal(frame[name])
        if typed is not None:
            frame[name] = typed
            if is_date:
                dates.add(name)
    return Sample(path, frame, frozenset(dates))


def _as_temporal(values: pd.Series) -> tuple[pd.Series | None, bool]:
    """``values`` as timestamps when every non-null value is a date (True) or a date and time
    (False); (None, False) when they are something else."""
    present = values.dropna()
    if present.empty:
        return None, False
    if pd.api.types.is_datetime64_any_dtype(values):
        return None, False  # a Parquet timestamp stays one, even at midnight
    if values.dtype == object and all(
        isinstance(v, dt.date) and not isinstance(v, dt.datetime) for v in present
    ):
        return pd.to_datetime(values), True  # Parquet's date32 arrives as datetime.date objects
    if not pd.api.types.is_string_dtype(values):
        return None, False
    text = present.astype(str)
    for pattern, is_date in ((ISO_DATE, True), (ISO_TIMESTAMP, False)):
        if text.str.match(pattern).all():
            try:
                return pd.to_datetime(values, format="ISO8601"), is_date
            except ValueError:
                return None, False  # 2026-02-31: not a date after all, text it stays
    return None, False
