"""The targets table judged on results dicts: met, NOT met, not run, speed-ups and deltas."""

import pytest

from benchmarks.figures import Figure
from benchmarks.targets import MASE_BEFORE, TARGETS, Target, row, target_rows
from tests.benchmarks.results import cli, scale, validation


def _by_target(results: dict) -> dict:
    return {r.target: r for r in target_rows(results)}


def _find(rows: dict, start: str):
    [hit] = [r for text, r in rows.items() if text.startswith(start)]
    return hit


def test_nothing_run_gives_one_not_run_row_per_target() -> None:
    rows = target_rows({"scales": {}, "cli": None})
    assert len(rows) == len(TARGETS)
    assert {r.verdict for r in rows} == {"not run"}
    assert {r.measured for r in rows} == {"not run"}


def test_small_runs_are_judged_against_their_limits() -> None:
    results = {"scales": {"small": scale("small", 1.0, 135.0, 61.0, 276_356)}}
    rows = _by_target(results)
    daily = _find(rows, "small: `mesh materialize` with no training due")
    assert (daily.verdict, daily.ratio, daily.limit) == ("NOT met", "1.02", "<= 60 s")
    assert daily.measured.startswith("61.0 s")
    assert daily.load == "1.00 -> 1.20"
    trains = _find(rows, "small: a `mesh materialize` that trains")
    assert (trains.verdict, trains.ratio) == ("met", "0.90")
    assert _find(rows, "medium: training").verdict == "not run"


def test_a_failed_run_is_not_met_however_fast() -> None:
    results = {"scales": {"small": scale("small", 1.0, 30.0, None, 100, ok=False)}}
    trains = _find(_by_target(results), "small: a `mesh materialize` that trains")
    assert trains.verdict == "NOT met"
    assert "FAILED" in trains.measured


def test_medium_adds_generate_to_the_daily_run_and_takes_the_larger_peak() -> None:
    medium = scale(
        "medium",
        6.7,
        433.8,
        111.1,
        5_215_127,
        peak_mib=4300.0,
        first_steps={"forecast_model": 328.7, "dbt": 40.0},
    )
    rows = _by_target({"scales": {"medium": medium}})
    daily = _find(rows, "medium: `mesh generate`")
    assert daily.verdict == "met" and daily.measured.startswith("117.8 s")
    peak = _find(rows, "medium: peak RSS")
    assert peak.verdict == "NOT met" and peak.measured.startswith("4.20 GiB")
    training = _find(rows, "medium: training")
    assert training.verdict == "NOT met" and training.measured.startswith("328.7 s")


def test_a_first_run_without_a_training_step_is_not_met() -> None:
    medium = scale("medium", 6.7, 100.0, 100.0, 5_000_000, first_steps={"dbt": 40.0})
    training = _find(_by_target({"scales": {"medium": medium}}), "medium: training")
    assert training.verdict == "NOT met"
    assert "no forecast_model step" in training.measured


def test_large_per_line_time_is_a_multiple_of_mediums() -> None:
    medium = scale("medium", 10.0, 90.0, 100.0, 1_000_000)  # 100 µs per line
    large = scale("large", 60.0, 1740.0, None, 10_000_000, peak_mib=20 * 1024)  # 180 µs
    rows = _by_target({"scales": {"medium": medium, "large": large}})
    per_line = _find(rows, "large: time per order line")
    assert per_line.verdict == "NOT met"  # 1.8x medium's, over 1.5x
    assert per_line.measured.startswith("1.80x")
    assert per_line.ratio == "1.20"
    assert _find(rows, "large: the whole mesh").verdict == "met"  # 20 GiB of 24


def test_large_alone_leaves_its_per_line_target_not_run() -> None:
    large = scale("large", 60.0, 1740.0, None, 10_000_000)
    assert _find(_by_target({"scales": {"large": large}}), "large: time per").verdict == "not run"


def test_validation_targets_are_speedups_met_when_they_reach_the_limit() -> None:
    medium = scale("medium", 6.7, 400.0, 110.0, 5_000_000, validation=validation(3.5, 21.0, 3.4))
    rows = _by_target({"scales": {"medium": medium}})
    pandas = _find(rows, "validation of medium sales.orders: engine vs pandera on pandas")
    assert (pandas.verdict, pandas.ratio, pandas.limit) == ("met", "6.00x faster", ">= 6x")
    polars = _find(rows, "validation of medium sales.orders: engine vs pandera's polars")
    assert (polars.verdict, polars.ratio) == ("NOT met", "0.97x faster")
    assert polars.load == "1.10 -> 1.30"


def test_a_validation_method_that_disagrees_with_the_engine_is_not_met() -> None:
    v = validation(1.0, 20.0, 0.5, agreed=False)
    medium = scale("medium", 6.7, 400.0, 110.0, 5_000_000, validation=v)
    pandas = _find(
        _by_target({"scales": {"medium": medium}}),
        "validation of medium sales.orders: engine vs pandera on pandas",
    )
    assert pandas.verdict == "NOT met"


def test_cli_figures_use_their_units() -> None:
    rows = _by_target({"scales": {}, "cli": cli(help_s=1.3, lookup=0.0145)})
    help_row = _find(rows, "`mesh --help`")
    assert (help_row.verdict, help_row.ratio) == ("NOT met", "1.30")
    lookup = _find(rows, "point lookup through a long-lived")
    assert lookup.verdict == "met" and lookup.measured.startswith("14.5 ms")
    assert lookup.limit == "<= 50 ms"
    assert lookup.load == "2.00 -> 2.50"


@pytest.mark.parametrize(
    ("ratio", "verdict"), [(0.7105, "met"), (0.7115, "NOT met"), (0.60, "met")]
)
def test_mase_ratio_may_worsen_by_at_most_the_tolerance(ratio: float, verdict: str) -> None:
    model = {"mase_ratio": ratio, "p90_coverage": 0.9, "model_version": "v1"}
    small = scale("small", 1.0, 130.0, 60.0, 276_356, model=model)
    mase = _find(_by_target({"scales": {"small": small}}), "small: backtest MASE ratio")
    assert mase.verdict == verdict
    assert mase.ratio == f"{ratio - MASE_BEFORE['small']:+.4f}"


def test_a_scale_without_a_champion_fails_its_mase_target() -> None:
    small = scale("small", 1.0, 130.0, 60.0, 276_356, model=None)
    mase = _find(_by_target({"scales": {"small": small}}), "small: backtest MASE ratio")
    assert (mase.verdict, mase.measured) == ("NOT met", "no champion published")


def test_a_target_at_exactly_its_limit_is_met() -> None:
    target = Target("t", 60, "s", lambda results: Figure(60.0, "x"))
    assert row(target, {}).verdict == "met"


def test_a_second_run_that_trained_does_not_measure_the_no_training_targets() -> None:
    small = scale("small", 1.0, 130.0, 50.0, 276_356)
    small["runs"]["second"]["model"] = "trained (drift: check feature_drift failed)"
    medium = scale("medium", 6.0, 400.0, 100.0, 5_000_000)
    medium["runs"]["second"]["model"] = "trained (drift: check feature_drift failed)"
    rows = _by_target({"scales": {"small": small, "medium": medium}})
    for start in ("small: `mesh materialize` with no", "medium: `mesh generate`", "medium: peak"):
        hit = _find(rows, start)
        assert hit.verdict == "not measured", start
        assert "not a run with no training due" in hit.measured
    assert _find(rows, "small: a `mesh materialize` that trains").verdict == "met"


def test_a_first_run_that_did_not_train_does_not_measure_the_training_target() -> None:
    small = scale("small", 1.0, 100.0, 50.0, 276_356, model=None)
    small["runs"]["first"]["model"] = "not trained (asked: not in the selection)"
    trains = _find(_by_target({"scales": {"small": small}}), "small: a `mesh materialize` that")
    assert trains.verdict == "not measured"


def _replan(**kw) -> dict:
    base = {
        "ok": True,
        "event_to_decision_s": 24.0,
        "assets": 20,
        "steps": {"transforms": 12.0, "supply_plan": 3.0},
        "load_before": 1.0,
        "load_after": 1.2,
    }
    return {**base, **kw}


def test_the_event_driven_replan_is_judged_by_its_event_to_decision_seconds() -> None:
    small = scale("small", 1.0, 135.0, 40.0, 276_356)
    met = _find(
        _by_target({"scales": {"small": {**small, "replan": _replan()}}}), "small: a landed"
    )
    assert (met.verdict, met.ratio) == ("met", "0.40")
    assert met.measured.startswith("24.0 s") and "transforms 12.0 s" in met.measured
    failed = {**small, "replan": {"ok": False, "error": ["boom"]}}
    assert _find(_by_target({"scales": {"small": failed}}), "small: a landed").verdict == "NOT met"
    assert _find(_by_target({"scales": {"small": small}}), "small: a landed").verdict == "not run"
