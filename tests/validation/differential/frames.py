"""Hypothesis strategies for frames that keep or break every rule of a contract.

Each cell is drawn from values that satisfy its column's rules, values exactly at and next to
every bound, and values that break them: nulls, NaN and infinities, huge numbers, near misses of
allowed values and patterns (case, spaces, a trailing newline, non-ASCII digits), unicode text.
Key columns draw from small pools so that duplicate keys are common. A frame of a few rows then
breaks some rules on some rows and keeps the others, which is what a differential test needs:
both engines must name the same rows per rule.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd
import pyarrow as pa
from hypothesis import strategies as st

from supplymesh.registry import ProductVersion

ARROW_TYPES = {
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "VARCHAR": pa.string(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("ns"),
    "BOOLEAN": pa.bool_(),
}
_BOUND_CHECKS = {
    "greater_than_or_equal_to": "min_value",
    "greater_than": "min_value",
    "less_than_or_equal_to": "max_value",
    "less_than": "max_value",
}
FIRST_DAY = dt.date(2024, 1, 1)


def _bounds(column: Any) -> list[float]:
    """Every numeric bound of a column's checks (``ge=0`` gives 0)."""
    return [
        float(check.statistics[_BOUND_CHECKS[check.name]])
        for check in column.checks
        if check.name in _BOUND_CHECKS
    ]


def _integers(column: Any) -> st.SearchStrategy:
    edges = {0, -1, 1, 2**62, -(2**62)}
    for b in _bounds(column):
        edges |= {int(b) - 1, int(b), int(b) + 1}
    return st.one_of(st.sampled_from(sorted(edges)), st.integers(-3, 12))


def _floats(column: Any) -> st.SearchStrategy:
    edges = {0.0, -0.0, 1.0, 1e300, -1e300, 5e-324, math.inf, -math.inf, math.nan}
    for b in _bounds(column):
        edges |= {b, math.nextafter(b, -math.inf), math.nextafter(b, math.inf), b - 0.5, b + 0.5}
    ordered = sorted(edges, key=lambda x: (math.isnan(x), x))
    return st.one_of(st.sampled_from(ordered), st.floats(-3, 12, allow_nan=False))


_WORDS = ["EUR", "eur", "É", "ß", "😀", " ", "", "a\tb", 'q"uote', "l\u0131ne", "x" * 40]


def _near_misses(value: str) -> list[str]:
    """Strings that look like ``value`` but are not it."""
    return [value.lower(), value.upper(), f" {value}", f"{value} ", f"{value}\n", value[:-1]]


def _strings(column: Any) -> st.SearchStrategy:
    """Allowed values and their near misses for ``isin``; matches and misses of a pattern;
    otherwise a small pool (duplicates) and arbitrary unicode text."""
    for check in column.checks:
        if check.name == "isin":
            allowed = [str(v) for v in check.statistics["allowed_values"]]
            misses = [m for v in allowed for m in _near_misses(v)]
            # allowed values two times in three: frame checks need them (two champions, say)
            ok = st.sampled_from(allowed)
            return st.one_of(ok, ok, st.sampled_from(misses + _WORDS))
        if check.name == "str_matches":
            pattern = check.statistics["pattern"]
            # from_regex draws unicode digits for \d, exactly what a careless port misses
            matching = st.from_regex(pattern, fullmatch=True)
            return st.one_of(
                matching, matching.flatmap(lambda v: st.sampled_from(_near_misses(v) or [v]))
            )
    pool = st.sampled_from(["A1", "A2", "B1", "é", "Ab"])
    return st.one_of(pool, pool, st.text(max_size=6), st.sampled_from(_WORDS))


def _dates() -> st.SearchStrategy:
    # five months: day differences on both sides of the receipts' 1..120-day lead-time rule
    return st.builds(lambda d: FIRST_DAY + dt.timedelta(days=d), st.integers(0, 150))


def _timestamps() -> st.SearchStrategy:
    return st.datetimes(dt.datetime(2024, 1, 1), dt.datetime(2024, 12, 31))


def cell_values(version: ProductVersion, name: str, nulls: int) -> st.SearchStrategy:
    """The values one column's cells are drawn from; a null about once in ``nulls`` cells
    (never with 0)."""
    column = version.schema.columns[name]
    kind = next(c.type for c in version.columns if c.name == name)
    values = {
        "BIGINT": lambda: _integers(column),
        "DOUBLE": lambda: _floats(column),
        "VARCHAR": lambda: _strings(column),
        "DATE": _dates,
        "TIMESTAMP": _timestamps,
        "BOOLEAN": st.booleans,
    }[kind]()
    return st.one_of(st.none(), *[values] * (nulls - 1)) if nulls else values


def null_free(version: ProductVersion) -> frozenset[str]:
    """Columns that never hold a null in a drawn frame: the non-nullable integer and boolean
    columns, because pandas cannot hold a null in an ``int64`` or ``bool`` column (see
    ``divergences.PANDAS_NULL_CHANGES_DTYPE``, tested on its own)."""
    return frozenset(
        c.name for c in version.columns if c.type in {"BIGINT", "BOOLEAN"} and not c.nullable
    )


Rows = list[dict[str, Any]]


@st.composite
def contract_rows(
    draw: st.DrawFn, version: ProductVersion, max_rows: int = 6, nulls_everywhere: bool = False
) -> Rows:
    """A few rows with the contract's columns, each cell keeping or breaking its rules.

    Every column draws nulls (one cell in four; in two with ``nulls_everywhere``) except the
    ``null_free`` ones, unless ``nulls_everywhere``. Some
    rows are repeated, so that every key, however many columns it has, is sometimes duplicated.
    Rows, not a frame: pandas would turn a null float into NaN, and the two differ in a file.
    """
    skip = frozenset() if nulls_everywhere else null_free(version)
    columns = {
        c.name: cell_values(
            version, c.name, nulls=0 if c.name in skip else 2 if nulls_everywhere else 4
        )
        for c in version.columns
    }
    rows = draw(st.lists(st.fixed_dictionaries(columns), min_size=2, max_size=max_rows))
    repeated = draw(st.lists(st.integers(0, len(rows) - 1), max_size=2))
    return rows + [dict(rows[i]) for i in repeated]


def arrow_table(version: ProductVersion, rows: Rows) -> pa.Table:
    """The rows as Arrow with the contract's types, under the landing file's column names (a
    version may rename them): a null stays a null (in an integer column too), a NaN a NaN."""
    return pa.table(
        {
            version.source_column(c.name): pa.array(
                [r[c.name] for r in rows], type=ARROW_TYPES[c.type]
            )
            for c in version.columns
        }
    )


def as_contract_frame(version: ProductVersion, frame: pd.DataFrame) -> pd.DataFrame:
    """A landing frame under the contract's column names, as the publisher reads it."""
    return frame.rename(columns={version.source_column(c.name): c.name for c in version.columns})
