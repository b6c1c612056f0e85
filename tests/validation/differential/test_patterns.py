"""``str_matches`` patterns match the same strings in DuckDB (RE2) as in pandera (Python ``re``)."""

from __future__ import annotations

import re

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supplymesh.registry import all_products
from supplymesh.validation.rules import literal, re2_pattern

CONTRACT_PATTERNS = sorted(
    {
        str(check.statistics["pattern"])
        for p in all_products()
        for v in p.versions
        for col in v.schema.columns.values()
        for check in col.checks
        if check.name == "str_matches"
    }
)
# the escapes and anchors whose meaning differs between the two engines, and brackets around them
PATTERNS = [*CONTRACT_PATTERNS, r"a$|b", r"[\d-]+$", r"\D+x", r"x\Z", r"[]a]+$", r"[^\d]\d$"]


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def _near(pattern: str) -> st.SearchStrategy[str]:
    """Strings matching the pattern, and the same with a newline, a space or a digit of another
    script appended or in front."""
    matching = st.from_regex(pattern, fullmatch=True)
    tails = st.sampled_from(["", "\n", " ", "\u0663", "x", "\n\n"])
    return st.one_of(matching, st.builds(lambda m, t: m + t, matching, tails), st.text(max_size=8))


@pytest.mark.parametrize("pattern", PATTERNS)
def test_duckdb_matches_what_python_matches(pattern: str, con) -> None:
    compiled = re2_pattern(pattern)
    assert compiled is not None

    @settings(max_examples=30, derandomize=True, database=None, deadline=None)
    @given(st.lists(_near(pattern), min_size=1, max_size=20))
    def agree(values: list[str]) -> None:
        sql = f"SELECT regexp_matches(v, {literal('^(?:' + compiled + ')')}) FROM unnest(?) t(v)"
        found = [r[0] for r in con.execute(sql, [values]).fetchall()]
        assert found == [re.match(pattern, v) is not None for v in values], pattern

    agree()


@pytest.mark.parametrize("pattern", [r"\w+", r"\s", r"\bSO", r"(?=a)a", r"(?<=a)b", r"(?P=x)"])
def test_a_pattern_re2_cannot_say_alike_runs_in_pandera(pattern: str) -> None:
    assert re2_pattern(pattern) is None
