"""The selecting forecaster: rolling-origin evidence only, per class with a global fallback."""

import json

import numpy as np
import pandas as pd
import pytest

from supplymesh.planning.forecast_choice import selection
from supplymesh.planning.forecast_choice.candidates import Candidates
from supplymesh.planning.forecast_choice.demand_classes import classify_at_origins
from supplymesh.planning.forecast_choice.selection import (
    FORECAST,
    FORECAST_P90,
    evidence_rows,
    final_choice,
    rolling_upper,
    select_forecaster,
    window_ends,
    with_scales_and_classes,
)
from supplymesh.planning.forecasting.backtest import FORECAST_COLUMN, P90_COLUMN, run_backtest
from supplymesh.planning.forecasting.forecast import prepare_frame
from supplymesh.planning.forecasting.metrics import pooled_metrics
from supplymesh.planning.forecasting.model import ForecastParams
from tests.planning.synthetic import make_features

FIRST = pd.Timestamp("2026-01-01")
HORIZON = 7
CANDIDATES = Candidates({"model": "p50", "seasonal_naive": "seasonal_naive", "oracle": "oracle"})


def backtest_rows(
    errors: dict[str, list[float]],
    n_series: int = 30,
    step: int = HORIZON,
    classes: dict[int, str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Predictions, scales (all 1) and classes of a backtest with one origin per entry of the
    error lists: at origin k, column c misses the actual by errors[c][k], alternately above and
    below, so its MASE there is exactly that error."""
    n_origins = len(next(iter(errors.values())))
    origins = [FIRST + pd.Timedelta(days=k * step) for k in range(n_origins)]
    parts = []
    for k, origin in enumerate(origins):
        for s in range(n_series):
            steps = np.arange(1, HORIZON + 1)
            actual = 10.0 + s % 5 + steps % 3
            sign = np.where(steps % 2 == 0, 1.0, -1.0)
            part = pd.DataFrame(
                {
                    "origin": origin,
                    "sku": f"S{s:03d}",
                    "location_id": "DC1",
                    "demand_date": origin + pd.to_timedelta(steps, unit="D"),
                    "step": steps,
                    "actual": actual,
                    "is_stockout": False,
                }
            )
            for method, per_origin in errors.items():
                col = CANDIDATES.columns.get(method, method)
                part[col] = actual + sign * per_origin[k]
            parts.append(part)
    predictions = pd.concat(parts, ignore_index=True)
    keys = predictions[["origin", "sku", "location_id"]].drop_duplicates()
    scales = keys.assign(scale=1.0)
    series_class = classes or {}
    labels = keys["sku"].map(lambda sku: series_class.get(int(sku[1:]), "smooth"))
    return predictions, scales, keys.assign(demand_class=labels)


def chosen(sel: selection.Selection, origin: pd.Timestamp, cls: str = "all") -> str:
    c = sel.choices
    return c[(c["origin"] == origin) & (c["demand_class"] == cls)]["method"].item()


def leaky_evidence(rows: pd.DataFrame, ends: pd.Series, origin: pd.Timestamp) -> pd.DataFrame:
    """What a selection that could see the scored window would use."""
    return rows[rows["origin"] <= origin]


@pytest.mark.parametrize("leaky", [False, True])
def test_a_candidate_perfect_only_on_the_scored_window_is_not_chosen(monkeypatch, leaky):
    # the oracle is worse than the model on every earlier window and perfect on the last
    errors = {"model": [1.0] * 4, "seasonal_naive": [1.5] * 4, "oracle": [1.2, 1.2, 1.2, 0.0]}
    predictions, scales, classes = backtest_rows(errors)
    last = predictions["origin"].max()
    if leaky:  # without the guard the oracle would win: the test below would fail
        monkeypatch.setattr(selection, "evidence_rows", leaky_evidence)
    sel = select_forecaster(predictions, scales, classes, CANDIDATES)
    if leaky:
        assert chosen(sel, last) == "oracle"
        assert chosen(sel, last, "smooth") == "oracle"
    else:
        assert chosen(sel, last) == "model"
        assert chosen(sel, last, "smooth") == "model"
        at_last = sel.predictions[sel.predictions["origin"] == last]
        np.testing.assert_array_equal(at_last[FORECAST], at_last["p50"])


def test_a_candidate_best_on_earlier_windows_is_chosen():
    errors = {"model": [1.0] * 4, "seasonal_naive": [0.5] * 4, "oracle": [3.0] * 4}
    predictions, scales, classes = backtest_rows(errors)
    sel = select_forecaster(predictions, scales, classes, CANDIDATES, thin_members=1)
    assert sel.scored_origins == sorted(predictions["origin"].unique())[1:]
    for origin in sel.scored_origins:
        assert chosen(sel, origin, "smooth") == "seasonal_naive"
    row = sel.choices[sel.choices["origin"] == sel.scored_origins[-1]].iloc[0]
    assert row["evidence_mase"] == pytest.approx(0.5)
    assert row["n_evidence_origins"] == 3
    scored = sel.scored()
    np.testing.assert_array_equal(scored[FORECAST], scored["seasonal_naive"])


def test_one_closed_window_is_too_thin_to_pick_a_single_method():
    """With one earlier window a single pick is noise (``THIN_EVIDENCE_MEMBERS``): the
    forecaster averages every method there (here all three), and picks the best single one
    once two windows have closed."""
    errors = {"model": [1.0] * 3, "seasonal_naive": [0.5] * 3, "oracle": [3.0] * 3}
    predictions, scales, classes = backtest_rows(errors)
    sel = select_forecaster(predictions, scales, classes, CANDIDATES)
    thin, robust = sel.scored_origins
    assert chosen(sel, thin) == "mean(model, seasonal_naive, oracle)"
    assert chosen(sel, robust) == "seasonal_naive"


@pytest.mark.parametrize(("naive_error", "expected"), [(0.99, "model"), (0.9, "seasonal_naive")])
def test_a_class_keeps_the_global_choice_unless_its_own_is_clearly_better(naive_error, expected):
    # 30 erratic series where seasonal naive misses by ``naive_error`` (the model by 1.0), 30
    # smooth ones where it misses by 2.0: globally the model wins; the erratic class's own pick
    # replaces it only when it is better by more than CLASS_MARGIN (3%): 10% is, 1% is not
    errors = {"model": [1.0] * 4, "seasonal_naive": [naive_error] * 4, "oracle": [3.0] * 4}
    erratic = dict.fromkeys(range(30), "erratic")
    predictions, scales, classes = backtest_rows(errors, n_series=60, classes=erratic)
    smooth = predictions["sku"].map(lambda sku: int(sku[1:]) >= 30)
    sign = np.where(predictions["step"] % 2 == 0, 1.0, -1.0)
    predictions.loc[smooth, "seasonal_naive"] = (predictions["actual"] + 2.0 * sign)[smooth]
    sel = select_forecaster(predictions, scales, classes, CANDIDATES, thin_members=1)
    last = sel.scored_origins[-1]
    assert chosen(sel, last) == "model"
    assert chosen(sel, last, "erratic") == expected


def test_the_mean_of_the_model_and_the_best_peer_is_a_candidate():
    # model always over, naive always under by the same amount: their mean is exact
    predictions, scales, classes = backtest_rows(
        {"model": [1.0] * 3, "seasonal_naive": [1.0] * 3, "oracle": [4.0] * 3}
    )
    predictions["seasonal_naive"] = 2 * predictions["actual"] - predictions["p50"]
    sel = select_forecaster(predictions, scales, classes, CANDIDATES, thin_members=1)
    assert chosen(sel, sel.scored_origins[-1], "smooth") == "mean(model, seasonal_naive)"
    np.testing.assert_allclose(sel.scored()[FORECAST], sel.scored()["actual"])


def test_the_first_origin_is_warm_up_and_reported_apart():
    errors = {"model": [1.0] * 3, "seasonal_naive": [0.5] * 3, "oracle": [3.0] * 3}
    predictions, scales, classes = backtest_rows(errors)
    sel = select_forecaster(predictions, scales, classes, CANDIDATES, thin_members=1)
    first = predictions["origin"].min()
    assert sel.warm_up == [first]
    warm = sel.predictions[sel.predictions["origin"] == first]
    np.testing.assert_array_equal(warm[FORECAST], warm["p50"])  # the default method
    assert warm[FORECAST_P90].isna().all()
    assert sel.choices[sel.choices["warm_up"]]["origin"].tolist() == [first]
    totals = dict.fromkeys(predictions["origin"].unique(), 1.0)
    assert sel.scores(totals)[FORECAST].mase == pytest.approx(0.5)
    assert sel.scores(totals, warm_up=True)[FORECAST].mase == pytest.approx(1.0)


def test_windows_overlapping_the_origin_are_never_evidence():
    # step 3 < horizon 7: each window runs 4 days past the next origin
    errors = {"model": [1.0] * 5, "seasonal_naive": [0.5] * 5, "oracle": [3.0] * 5}
    predictions, scales, classes = backtest_rows(errors, step=3)
    rows = with_scales_and_classes(predictions, scales, classes)
    ends = window_ends(rows)
    for origin in ends.index:
        assert (evidence_rows(rows, ends, origin)["demand_date"] <= origin).all()
    sel = select_forecaster(predictions, scales, classes, CANDIDATES)
    origins = list(ends.index)
    assert sel.warm_up == origins[:3]  # origins 1-2 see no closed window (origin 0's ends day 7)
    assert sel.choices.set_index("origin").loc[origins[3], "n_evidence_origins"].max() == 1


def test_each_class_gets_its_own_choice_and_a_small_class_the_global_one():
    classes_of = {s: "intermittent" for s in range(30, 60)} | {60: "lumpy", 61: "lumpy"}
    predictions, scales, classes = backtest_rows(
        {"model": [1.0] * 3, "seasonal_naive": [2.0] * 3, "oracle": [3.0] * 3},
        n_series=62,
        classes=classes_of,
    )
    intermittent = predictions["sku"].map(lambda s: 30 <= int(s[1:]) < 60).to_numpy()
    predictions.loc[intermittent, "seasonal_naive"] = predictions.loc[intermittent, "actual"] + 0.1
    sel = select_forecaster(predictions, scales, classes, CANDIDATES, min_class_series=20)
    last = sel.scored_origins[-1]
    assert chosen(sel, last, "smooth") == "model"
    assert chosen(sel, last, "intermittent") == "seasonal_naive"
    lumpy = sel.choices[(sel.choices["origin"] == last) & (sel.choices["demand_class"] == "lumpy")]
    assert lumpy["basis"].item() == "global"
    assert lumpy["method"].item() == chosen(sel, last, "all")


def test_a_candidate_missing_on_some_evidence_rows_does_not_compete_there():
    predictions, scales, classes = backtest_rows(
        {"model": [1.0] * 3, "seasonal_naive": [2.0] * 3, "oracle": [0.1] * 3}
    )
    predictions.loc[predictions["sku"] == "S000", "oracle"] = np.nan
    sel = select_forecaster(predictions, scales, classes, CANDIDATES)
    assert chosen(sel, sel.scored_origins[-1], "smooth") == "model"


def test_the_p90_at_an_origin_is_calibrated_on_earlier_windows_only():
    predictions, scales, classes = backtest_rows(
        {"model": [1.0, 2.0, 3.0, 4.0], "seasonal_naive": [2.0] * 4, "oracle": [3.0] * 4}
    )
    rows = with_scales_and_classes(predictions, scales, classes)
    last = rows["origin"].max()
    upper = rolling_upper(rows, "p50", min_count=1)
    # blowing up the last window's actuals leaves its own P90 where it was
    rows.loc[rows["origin"] == last, "actual"] *= 10
    np.testing.assert_array_equal(rolling_upper(rows, "p50", min_count=1), upper)
    assert np.isnan(upper[(rows["origin"] == rows["origin"].min()).to_numpy()]).all()


def test_the_serving_choice_uses_every_window():
    errors = {"model": [1.0, 1.0, 1.0, 4.0], "seasonal_naive": [1.5] * 4, "oracle": [3.0] * 4}
    predictions, scales, classes = backtest_rows(errors)
    now = classes.drop(columns="origin").drop_duplicates()
    final = final_choice(predictions, scales, now, CANDIDATES)
    table = final.table().set_index("demand_class")
    assert table.loc["smooth", "method"] == "seasonal_naive"  # 1.5 < mean(1, 1, 1, 4)
    rows = predictions.merge(scales).merge(classes)
    served = final.forecast(rows)
    np.testing.assert_array_equal(served[FORECAST], served["seasonal_naive"])
    assert (served[FORECAST_P90] >= served[FORECAST]).all()


@pytest.fixture(scope="module")
def real_backtest():
    features = make_features(n_skus=4, n_locations=2, history_days=300, seed=11)
    fast = ForecastParams(max_iter=40, p90_max_iter=30)
    backtest = run_backtest(
        features, fast, horizon=14, n_origins=3, peers=("auto_ets", "croston_sba")
    )
    frame, _ = prepare_frame(features)
    classes = classify_at_origins(frame[frame["_history"]], backtest.origins)
    return backtest, classes


def test_pooled_metrics_score_like_the_backtest(real_backtest):
    backtest, _ = real_backtest
    rows = backtest.scored_with_scales()
    for method in backtest.methods:
        col, upper = FORECAST_COLUMN[method], P90_COLUMN.get(method)
        assert pooled_metrics(rows, col, backtest.total_scales, upper) == backtest.metrics(method)


def test_the_forecaster_runs_on_a_real_backtest_and_reports_beside_every_method(real_backtest):
    backtest, classes = real_backtest
    columns = {m: FORECAST_COLUMN[m] for m in backtest.methods}
    upper = {m: P90_COLUMN[m] for m in backtest.methods if m in P90_COLUMN}
    candidates = Candidates(columns, upper_columns=upper)
    sel = select_forecaster(
        backtest.predictions, backtest.scales, classes, candidates, min_class_series=2
    )
    assert sel.predictions[FORECAST].notna().all()
    scored = sel.scored()
    assert (scored[FORECAST_P90] >= scored[FORECAST]).all()
    report = sel.report(backtest.total_scales)
    assert set(report["methods"]) == {FORECAST, *backtest.methods}
    assert report["warm_up_origins"] == [backtest.origins[0].date().isoformat()]
    assert report["methods"][FORECAST]["p90_coverage"] is not None
    json.dumps(report, default=str)
