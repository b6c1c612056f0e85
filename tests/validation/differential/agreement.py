"""The comparison both differential test modules run: every contract, drawn frames, the engine's
rows per rule against pandera's, and which rules the drawn frames broke."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supplymesh.registry import ProductVersion, all_products
from supplymesh.validation.rules import compile_rules
from tests.validation.differential.outcomes import Outcome, RuleKey

VERSIONS = [v for p in all_products() for v in p.versions]
VERSION_IDS = [f"{v.product}_v{v.major}" for v in VERSIONS]

# the default suite draws a few frames per contract, the same ones every run; `make test-slow`
# draws many (the same ones every run too: a rule broken once is broken in every run)
FAST_EXAMPLES = 4
DEEP_EXAMPLES = 60
EXAMPLES = [
    pytest.param(FAST_EXAMPLES, id="fast"),
    pytest.param(DEEP_EXAMPLES, id="deep", marks=pytest.mark.slow),
]

Compare = Callable[[ProductVersion, list[dict], Path], tuple[Outcome, Outcome]]


def row_rules(version: ProductVersion) -> set[RuleKey]:
    """Every row rule of the contract, named as ``outcomes`` names them."""
    return {(r.column, r.name) for r in compile_rules(version.schema)}


def differences(engine: Outcome, pandera: Outcome) -> dict[RuleKey, dict[str, list[int]]]:
    """Per rule on which the two disagree, the rows only one of them names."""
    return {
        key: {
            "engine only": sorted(engine.get(key, frozenset()) - pandera.get(key, frozenset())),
            "pandera only": sorted(pandera.get(key, frozenset()) - engine.get(key, frozenset())),
        }
        for key in set(engine) | set(pandera)
        if engine.get(key, frozenset()) != pandera.get(key, frozenset())
    }


def run_agreement(
    version: ProductVersion,
    rows: st.SearchStrategy,
    compare: Compare,
    folder: Path,
    examples: int,
) -> set[RuleKey]:
    """Draw ``examples`` frames; on each, the engine and pandera must name the same rows for
    every rule. Returns the rules some frame broke."""
    broken: set[RuleKey] = set()

    @settings(
        max_examples=examples,
        derandomize=True,  # the same frames every run: coverage and CI are stable
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(rows)
    def agree(drawn: list[dict]) -> None:
        engine, pandera = compare(version, drawn, folder)
        assert not differences(engine, pandera), (
            f"{version.product} v{version.major}: {differences(engine, pandera)}\n"
            f"{pd.DataFrame(drawn).to_string()}"
        )
        broken.update(key for key, found in engine.items() if found)

    agree()
    return broken
