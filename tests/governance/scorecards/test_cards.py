"""Scorecards gather their evidence from the real audit trail and quality history."""

import datetime as dt

import pytest

from supplymesh.governance import audit
from supplymesh.governance.lineage import LineageGraph
from supplymesh.governance.quality import QualityMetric, append_metrics
from supplymesh.governance.scorecards import build_scorecards, scorecards_frame
from supplymesh.governance.scorecards.cards import breach_shares
from supplymesh.publishing.publish import publish_frame
from supplymesh.registry import get_product
from supplymesh.settings import MeshPaths

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
CALENDAR = get_product("market.calendar")
GRAPH = LineageGraph(
    parents={"market/calendar_v1": set(), "planning/demand_forecast_v1": {"market/calendar_v1"}},
    products={
        "market/calendar_v1": ("market.calendar", 1),
        "planning/demand_forecast_v1": ("planning.demand_forecast", 1),
    },
    columns={},
)


def metric(snapshot: str, value: float, breached: bool) -> QualityMetric:
    return QualityMetric(
        NOW.isoformat(),
        "market.calendar",
        1,
        snapshot,
        None,
        "r",
        "psi",
        "region",
        value,
        0.25,
        breached,
    )


def validated(paths: MeshPaths, passed: bool) -> None:
    audit.record(
        paths, audit.VALIDATION, "market.calendar v1", "run:r", "check", {"passed": passed}
    )


@pytest.fixture
def paths(tmp_path) -> MeshPaths:
    paths = MeshPaths(tmp_path)
    for passed in (True, False, True, True):
        validated(paths, passed)
    append_metrics(paths, [metric("s1", 0.1, False), metric("s1", 0.2, False)])
    append_metrics(paths, [metric("s2", 0.4, True), metric("s2", 0.1, False)])
    return paths


def served(hours_ago: float):
    published = (NOW - dt.timedelta(hours=hours_ago)).isoformat(timespec="seconds")
    return lambda product, major: {"published_at": published}


def test_a_scorecard_counts_checks_breaches_freshness_and_consumers(paths):
    (card,) = build_scorecards(paths, [CALENDAR], GRAPH, served(1.0), NOW)
    assert card.pass_rate == 0.75 and card.validations == 4
    assert card.quality == 0.75 and card.quality_trend == "worsening"  # shares 0.0 then 0.5
    assert card.freshness == 1.0 and card.hours_since_publish == 1.0
    assert card.consumers == "planning.demand_forecast" and card.downstream_products == 1
    assert 0 < card.score < 100


def test_a_stale_snapshot_and_a_failed_check_lower_the_score(paths):
    (fresh,) = build_scorecards(paths, [CALENDAR], GRAPH, served(1.0), NOW)
    stale_hours = 2 * CALENDAR.freshness_sla_hours
    (stale,) = build_scorecards(paths, [CALENDAR], GRAPH, served(stale_hours), NOW)
    assert stale.freshness == 0.5 and stale.score < fresh.score
    validated(paths, False)
    (failed,) = build_scorecards(paths, [CALENDAR], GRAPH, served(1.0), NOW)
    assert failed.pass_rate == 0.6 and failed.score < fresh.score


def test_a_version_never_published_scores_only_its_definition(tmp_path):
    (card,) = build_scorecards(MeshPaths(tmp_path), [CALENDAR], GRAPH, lambda p, m: None, NOW)
    assert card.pass_rate is None and card.quality is None and card.freshness == 0.0
    assert card.quality_trend == "unknown" and card.hours_since_publish is None
    assert card.score == pytest.approx(100 * 0.15 * (card.documentation + card.rule_coverage), 0.01)


def test_breach_shares_are_per_snapshot_in_publish_order(paths):
    from supplymesh.governance.quality import read_metrics

    assert breach_shares(read_metrics(paths)) == {"market.calendar v1": [0.0, 0.5]}


def test_the_frame_passes_the_contract_gate_of_governance_product_scorecards(paths):
    cards = build_scorecards(
        paths, [CALENDAR, get_product("sales.orders")], GRAPH, served(1.0), NOW
    )
    frame = scorecards_frame(cards)
    assert list(frame["product"]) == ["market.calendar", "sales.orders", "sales.orders"]
    result = publish_frame("governance.product_scorecards", frame, paths=paths, run_id="t")
    assert result.published, result.report.summary()
    assert result.rows == 3
