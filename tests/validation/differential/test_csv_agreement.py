"""The engine names the rows pandera names, rule by rule, on CSV files of every contract.

The drawn frames of the Parquet comparison are written as CSV by a producer (``csv_cell``), with
some cells replaced by texts that are or are not of their column's type (``csv_texts.TEXTS``).
pandera judges the values those texts read as (``divergences.ENGINE_TYPES_EACH_CSV_VALUE``); a
text that is not of its type must be the engine's dtype failure of its row, and nothing else's.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import strategies as st

from supplymesh.registry import ProductVersion
from tests.validation.differential.agreement import (
    DEEP_EXAMPLES,
    EXAMPLES,
    VERSION_IDS,
    VERSIONS,
    row_rules,
    run_agreement,
)
from tests.validation.differential.csv_texts import TEXTS, Text, csv_cell
from tests.validation.differential.divergences import (
    account_for_all_null_duplicates,
    account_for_null_dtypes,
)
from tests.validation.differential.frames import (
    arrow_table,
    as_contract_frame,
    contract_rows,
    null_free,
)
from tests.validation.differential.outcomes import (
    Outcome,
    engine_outcome,
    engine_report,
    pandera_outcome,
    raising,
)

# bytes that make a CSV look binary to the landing checks (``landing_file._check_text``)
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f]")


@st.composite
def csv_rows(draw: st.DrawFn, version: ProductVersion) -> list[dict]:
    """Drawn rows with, one cell in four, a text from ``TEXTS`` (as often one that is not of its
    type as one that is) in place of the drawn value; text without
    control bytes (``divergences.CSV_CONTROL_BYTES_LOOK_BINARY``)."""
    rows = draw(contract_rows(version))
    for row in rows:
        for c in version.columns:
            if isinstance(row[c.name], str):
                row[c.name] = _CONTROL.sub("", row[c.name])
            if TEXTS[c.type] and draw(st.integers(0, 3)) == 0:
                good = [t for t in TEXTS[c.type] if not t.bad]
                bad = [t for t in TEXTS[c.type] if t.bad]
                row[c.name] = draw(st.one_of(st.sampled_from(good), st.sampled_from(bad)))
    return rows


def write_csv(version: ProductVersion, rows: list[dict], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow([version.source_column(c.name) for c in version.columns])
        writer.writerows([csv_cell(row[c.name]) for c in version.columns] for row in rows)


def _read_value(value: object, column_type: str) -> object:
    """What a cell reads as: a text's value (None when bad); an empty text is a null."""
    if isinstance(value, Text):
        return None if value.bad else value.value
    return None if column_type == "VARCHAR" and value == "" else value


def compare_on_csv(
    version: ProductVersion, rows: list[dict], folder: Path
) -> tuple[Outcome, Outcome]:
    """The engine's failing rows per rule on the CSV; pandera's on the values it holds, with
    each text that is not of its type a dtype failure of its row (and not a null)."""
    path = folder / "landing.csv"
    write_csv(version, rows, path)
    typed = [{c.name: _read_value(r[c.name], c.type) for c in version.columns} for r in rows]
    pq.write_table(arrow_table(version, typed), folder / "typed.parquet")
    frame = as_contract_frame(version, pd.read_parquet(folder / "typed.parquet"))
    pandera = pandera_outcome(raising(version.schema), frame)
    pandera = account_for_null_dtypes(version, frame, pandera)
    pandera = dict(account_for_all_null_duplicates(version, frame, pandera))
    for c in version.columns:
        bad = frozenset(
            i for i, r in enumerate(rows) if isinstance(r[c.name], Text) and r[c.name].bad
        )
        if bad:
            pandera[(c.name, "dtype")] = bad
            nulls = pandera.pop((c.name, "not_nullable"), frozenset()) - bad
            if nulls:
                pandera[(c.name, "not_nullable")] = nulls
    return engine_outcome(version, path), pandera


@pytest.mark.parametrize("examples", EXAMPLES)
@pytest.mark.parametrize("version", VERSIONS, ids=VERSION_IDS)
def test_engine_and_pandera_name_the_same_rows_on_csv(
    version: ProductVersion, examples: int, tmp_path: Path
) -> None:
    broken = run_agreement(version, csv_rows(version), compare_on_csv, tmp_path, examples)
    if examples == DEEP_EXAMPLES:  # every rule broken, and every typed column's dtype
        typed = {(c.name, "dtype") for c in version.columns if TEXTS[c.type]}
        rules = row_rules(version) - {(c, "not_nullable") for c in null_free(version)} | typed
        assert rules <= broken, f"never broken: {rules - broken}"


def test_a_csv_with_control_bytes_is_refused_whole_where_pandas_reads_it(tmp_path: Path) -> None:
    """``divergences.CSV_CONTROL_BYTES_LOOK_BINARY``: the file is refused as a whole, nothing is
    judged row by row; pandas reads the same file."""
    version = VERSIONS[[v.product for v in VERSIONS].index("market.calendar")]
    path = tmp_path / "calendar.csv"
    path.write_text("calendar_date,region,is_holiday,holiday_name\n2024-01-01,EU,true,\x08\n")
    assert len(pd.read_csv(path)) == 1
    report = engine_report(version, path)
    [unreadable] = report.schema_failures
    assert unreadable.rule == "readable" and "binary data" in unreadable.sample[0]["error"]
