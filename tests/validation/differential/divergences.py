"""The few places where the engine and pandera name different rows on purpose, each named with
its reason, and what pandera's outcome becomes once the difference is accounted for.

Everything else must agree exactly. Each divergence here is itself asserted (its precondition
must hold for it to apply), so an engine or pandera change that removes or widens it fails.
"""

from __future__ import annotations

import pandas as pd

from supplymesh.registry import ProductVersion
from tests.validation.differential.outcomes import WHOLE_COLUMN, Outcome

# pandas has no null in an ``int64`` or ``bool`` column: a null turns the column into float64
# or object, so pandera fails the column's dtype, naming the null rows or the column as a whole,
# besides naming the null rows under ``not_nullable``. The engine types each value (DuckDB's BIGINT and BOOLEAN
# hold nulls) and names only the null rows.
PANDAS_NULL_CHANGES_DTYPE = "pandas_null_changes_dtype"

# pandera's failure cases leave out null values: a duplicated key whose columns are all null
# fails pandera's uniqueness check with no row named. The engine names those rows (they are
# duplicates all the same, and each also breaks ``not_nullable`` when a key column is required).
PANDERA_DROPS_ALL_NULL_DUPLICATES = "pandera_drops_all_null_duplicates"

# A CSV value is text: the engine types each value and reports the ones that are not of their
# column's type as dtype failures of their rows (see ``csv_texts.TEXTS`` for what reads as
# what). pandera types a column as a whole: one bad value leaves the column untyped, its checks
# raise a TypeError that names no row, and pandas turns any non-empty text into ``True`` for a
# boolean. So the CSV comparison types the values first, per value, then lets pandera judge.
ENGINE_TYPES_EACH_CSV_VALUE = "engine_types_each_csv_value"

# A CSV whose first 4 KiB hold a NUL or more than 1 % control bytes is refused as binary, as a
# whole (``landing_file._check_text``): in a small file one control character in a free-text
# value is enough. pandas reads such a file. The CSV comparison writes no control bytes; the
# refusal has its own test.
CSV_CONTROL_BYTES_LOOK_BINARY = "csv_control_bytes_look_binary"


def account_for_null_dtypes(
    version: ProductVersion, frame: pd.DataFrame, outcome: Outcome
) -> Outcome:
    """pandera's outcome without the dtype failures of integer and boolean columns that hold a
    null (``PANDAS_NULL_CHANGES_DTYPE``); any other dtype failure stays."""
    out = dict(outcome)
    for c in version.columns:
        key = (c.name, "dtype")
        if key not in out or c.type not in {"BIGINT", "BOOLEAN"}:
            continue
        nulls = frozenset(int(i) for i in frame.index[frame[c.name].isna()])
        assert nulls, f"{key} failed in pandera with no null to explain it"
        assert out[key] in ({WHOLE_COLUMN}, nulls), f"{key}: pandera named {set(out[key])}"
        del out[key]
    return out


def account_for_all_null_duplicates(
    version: ProductVersion, frame: pd.DataFrame, outcome: Outcome
) -> Outcome:
    """pandera's outcome with the rows of duplicated all-null keys added to the table's
    uniqueness rule (``PANDERA_DROPS_ALL_NULL_DUPLICATES``)."""
    keys = list(version.schema.unique or [])
    if not keys:
        return outcome
    all_null = frame[keys].isna().all(axis=1)
    duplicated = frame.duplicated(subset=keys, keep=False)
    rows = frozenset(int(i) for i in frame.index[all_null & duplicated])
    if not rows:
        return outcome
    key = (None, f"unique({', '.join(keys)})")
    return {**outcome, key: outcome.get(key, frozenset()) | rows}
