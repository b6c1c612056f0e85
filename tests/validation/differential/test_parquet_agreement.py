"""The engine names the rows pandera names, rule by rule, on Parquet files of every contract.

A Parquet file carries its types, so a user hands pandera ``pd.read_parquet(path)`` (with the
version's renames) and the engine reads the file itself. Every frame keeps or breaks the
contract's rules with boundary values, nulls, NaN, infinities, huge numbers, near misses of
allowed values and patterns, unicode and duplicated keys (``frames.py``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from supplymesh.registry import ProductVersion
from tests.validation.differential.agreement import (
    DEEP_EXAMPLES,
    EXAMPLES,
    VERSION_IDS,
    VERSIONS,
    row_rules,
    run_agreement,
)
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
    pandera_outcome,
    raising,
)


def compare_on_parquet(
    version: ProductVersion, rows: list[dict], folder: Path
) -> tuple[Outcome, Outcome]:
    """The engine's and pandera's failing rows per rule on the rows written as Parquet."""
    path = folder / "landing.parquet"
    pq.write_table(arrow_table(version, rows), path)
    frame = as_contract_frame(version, pd.read_parquet(path))
    pandera = pandera_outcome(raising(version.schema), frame)
    pandera = account_for_null_dtypes(version, frame, pandera)
    pandera = account_for_all_null_duplicates(version, frame, pandera)
    return engine_outcome(version, path), pandera


@pytest.mark.parametrize("examples", EXAMPLES)
@pytest.mark.parametrize("version", VERSIONS, ids=VERSION_IDS)
def test_engine_and_pandera_name_the_same_rows_on_parquet(
    version: ProductVersion, examples: int, tmp_path: Path
) -> None:
    broken = run_agreement(version, contract_rows(version), compare_on_parquet, tmp_path, examples)
    if examples == DEEP_EXAMPLES:  # the deep run proves the frames break every rule
        rules = row_rules(version) - {(c, "not_nullable") for c in null_free(version)}
        assert rules <= broken, f"never broken: {rules - broken}"


@pytest.mark.parametrize("version", VERSIONS, ids=VERSION_IDS)
def test_nulls_in_integer_and_boolean_columns_differ_only_by_the_column_dtype(
    version: ProductVersion, tmp_path: Path
) -> None:
    """With nulls in every column, pandera also fails the dtype of an integer or boolean column
    as a whole (``divergences.PANDAS_NULL_CHANGES_DTYPE``); every row it names, the engine
    names."""
    rows = contract_rows(version, nulls_everywhere=True)
    broken = run_agreement(version, rows, compare_on_parquet, tmp_path, examples=3)
    required = {(c, "not_nullable") for c in null_free(version)}
    assert required <= broken, f"never broken: {required - broken}"
