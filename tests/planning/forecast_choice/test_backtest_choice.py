"""The forecaster on a finished backtest: warm-up apart, every method on the same rows."""

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from contracts.ml.forecast_backtest_v2 import METHODS
from supplymesh.planning.forecast_choice.backtest_choice import (
    backtest_candidates,
    choose_on_backtest,
    complete_rows,
)
from supplymesh.planning.forecast_choice.stored_choice import choice_from_json, choice_to_json
from supplymesh.planning.forecasting.backtest import METHODS as BACKTEST_METHODS
from supplymesh.planning.forecasting.backtest import run_backtest
from supplymesh.planning.forecasting.features import history_features, history_spec
from supplymesh.planning.forecasting.history_backtest import backtest_history
from supplymesh.planning.forecasting.model import ForecastParams
from supplymesh.planning.forecasting.peers import BACKTEST_ONLY, MODEL_MEDIAN, peers_from_text
from tests.planning.forecasting.test_history_backtest import weekly_history

PARAMS = ForecastParams(max_iter=40, p90_max_iter=30)
PEERS = ("auto_theta", "croston_sba")


@pytest.fixture(scope="module")
def weekly_backtest():
    _report, backtest = backtest_history(
        weekly_history(n_items=8), "W", horizon=4, n_origins=3, params=PARAMS, peers=PEERS
    )
    return backtest


def scored_mase(backtest, column: str, origins: list[str]) -> float:
    """Mean per-series MASE of one column at the given origins, computed from the backtest."""
    rows = backtest.scored_with_scales()
    rows = rows[rows["origin"].dt.date.astype(str).isin(origins)]
    scaled = (rows[column] - rows["actual"]).abs() / rows["scale"]
    return float(scaled.groupby([rows["sku"], rows["location_id"]]).mean().mean())


def test_the_earliest_origin_is_warm_up_and_every_method_is_scored_on_the_others(
    weekly_backtest,
):
    report = choose_on_backtest(weekly_backtest).sections()
    origins = [o.date().isoformat() for o in weekly_backtest.origins]
    assert report["warm_up_origins"] == origins[:1]
    assert report["scored_origins"] == origins[1:]
    methods = {
        "model": report["model"],
        **report["baselines"],
        **report["peers"],
        "forecaster": report["forecaster"],
    }
    assert len({m["n_rows"] for m in methods.values()}) == 1
    for method, column in (("model", "p50"), ("auto_theta", "auto_theta")):
        expected = scored_mase(weekly_backtest, column, origins[1:])
        assert methods[method]["mase"] == pytest.approx(expected, abs=1e-4)
    assert 0.0 <= report["forecaster"]["p90_coverage"] <= 1.0
    best = report["best_peer"]
    ratio = report["forecaster"]["mase"] / methods[best]["mase"]
    assert report["forecaster_vs_best_peer"] == pytest.approx(ratio, abs=1e-3)


def test_rows_a_candidate_did_not_forecast_are_left_out_for_every_method(weekly_backtest):
    missing = weekly_backtest.predictions.copy()
    first_sku = missing["sku"].iloc[0]
    missing.loc[missing["sku"] == first_sku, "croston_sba"] = np.nan
    candidates = backtest_candidates(weekly_backtest)
    kept = complete_rows(dataclasses.replace(weekly_backtest, predictions=missing), candidates)
    assert first_sku not in set(kept["sku"])
    assert len(kept) == (missing["sku"] != first_sku).sum()


def test_sampled_peers_confine_the_forecaster_to_the_sample():
    history = weekly_history(n_items=8)
    spec = history_spec("W", 4)
    frame = history_features(history, "W", 4)
    backtest = run_backtest(frame, PARAMS, spec, horizon=4, n_origins=3, peers=PEERS, peer_series=3)
    report = choose_on_backtest(backtest).sections()
    assert "3 sampled series" in report["scored_rows"]
    assert report["forecaster"]["n_series"] == 3 == report["model"]["n_series"]
    assert report["forecaster"]["mase_total"] is None  # a sample has no network total


def test_one_origin_is_all_warm_up_and_scores_nothing():
    _report, backtest = backtest_history(
        weekly_history(n_items=4), "W", horizon=4, n_origins=1, params=PARAMS, peers=()
    )
    report = choose_on_backtest(backtest).sections()
    assert report["scored_origins"] == [] and report["forecaster"] is None


def test_the_forecaster_table_has_overall_and_scored_origin_rows(weekly_backtest):
    choice = choose_on_backtest(weekly_backtest)
    table = choice.table("fm-test")
    assert list(table["level"]) == ["overall", "origin", "origin"]
    assert set(table["method"]) == {"forecaster"}
    scored = [pd.Timestamp(o).date() for o in choice.selection.scored_origins]
    assert list(table["origin"].iloc[1:]) == scored
    assert table["n_rows"].iloc[0] == table["n_rows"].iloc[1:].sum()


def test_the_backtest_product_admits_every_method_a_training_round_runs_and_the_forecaster():
    trained = [m for m in BACKTEST_METHODS if m not in BACKTEST_ONLY]  # never in a training round
    assert [*trained, "forecaster"] == METHODS
    assert MODEL_MEDIAN in BACKTEST_ONLY and MODEL_MEDIAN not in peers_from_text("all", served=True)


def test_a_stored_choice_serves_the_same_forecast_and_p90(weekly_backtest):
    final = choose_on_backtest(weekly_backtest).final
    stored = choice_from_json(json.loads(json.dumps(choice_to_json(final), allow_nan=False)))
    assert stored.table().equals(final.table())
    rows = weekly_backtest.predictions.merge(
        weekly_backtest.scales, on=["origin", "sku", "location_id"]
    ).assign(demand_class="smooth")
    expected = final.forecast(rows)
    served = stored.forecast(rows)
    assert served["forecaster"].to_numpy() == pytest.approx(expected["forecaster"].to_numpy())
    assert served["forecaster_p90"].to_numpy() == pytest.approx(
        expected["forecaster_p90"].to_numpy()
    )
