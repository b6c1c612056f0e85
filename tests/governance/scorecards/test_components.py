"""The score's components and formula, on the project's real contracts."""

from dataclasses import replace

import pytest

from supplymesh.governance.contract_changes.spec import contract_spec
from supplymesh.governance.scorecards import components
from supplymesh.registry import get_product


def spec(key: str, major: int | None = None):
    product = get_product(key)
    return contract_spec(product, product.version(major) if major else product.latest)


def test_the_weights_sum_to_one_so_a_perfect_version_scores_100():
    assert sum(components.WEIGHTS.values()) == pytest.approx(1.0)
    assert components.score(dict.fromkeys(components.WEIGHTS, 1.0)) == 100.0


def test_a_component_without_evidence_counts_as_zero():
    parts = dict.fromkeys(components.WEIGHTS, 1.0) | {"pass_rate": None, "quality": None}
    expected = 100 * (1 - components.WEIGHTS["pass_rate"] - components.WEIGHTS["quality"])
    assert components.score(parts) == pytest.approx(expected)


def test_documentation_counts_description_owner_and_described_columns():
    orders = spec("sales.orders", 2)
    assert components.documentation(orders) == 1.0
    undocumented = replace(
        orders,
        description="short",
        owner_email="nobody",
        columns=tuple(replace(c, description="") for c in orders.columns),
    )
    assert components.documentation(undocumented) == 0.0


def test_rule_coverage_counts_keys_ranges_allowed_values_and_table_rules():
    orders = spec("sales.orders", 2)
    covered = components.rule_coverage(orders)
    assert 0 < covered <= 1
    # order_id (key), quantity (range), currency (allowed values), sku (references) are checked
    bare = replace(orders, primary_key=(), rules=())
    assert components.rule_coverage(bare) < covered


def test_pass_rate_counts_only_the_last_checks():
    window = components.VALIDATION_WINDOW
    assert components.pass_rate([]) is None
    assert components.pass_rate([False] * 5 + [True] * window) == 1.0
    assert components.pass_rate([True, False, True, True]) == 0.75


def test_freshness_is_full_within_the_sla_then_decays():
    assert components.freshness(None, 24) == 0.0
    assert components.freshness(23.9, 24) == 1.0
    assert components.freshness(48, 24) == 0.5


def test_quality_and_its_trend_follow_the_breach_shares():
    assert components.quality([]) is None and components.quality_trend([]) == "unknown"
    assert components.quality([0.0]) == 1.0 and components.quality_trend([0.0]) == "new"
    assert components.quality([0.5, 0.0]) == 0.75
    assert components.quality_trend([0.5, 0.5, 0.0]) == "improving"
    assert components.quality_trend([0.0, 0.0, 0.2]) == "worsening"
    assert components.quality_trend([0.1, 0.1]) == "steady"
