"""Shared synthetic inputs for the planning tests (no other package of the repo is needed)."""

from __future__ import annotations

import pandas as pd
import pytest

from supplymesh.planning.forecast import forecast_demand, forecast_error_std, score_holdout

from .synthetic import make_features


@pytest.fixture(scope="session")
def features() -> pd.DataFrame:
    """6 SKUs x 2 DCs x 400 days of weekly pattern, promotion uplift, holidays and stock-outs."""
    return make_features(n_skus=6, n_locations=2, history_days=400, seed=7)


@pytest.fixture(scope="session")
def holdout(features):
    return score_holdout(features, horizon=28)


@pytest.fixture(scope="session")
def forecast_and_model(features):
    return forecast_demand(features, horizon=28, model_version="test-1")


@pytest.fixture(scope="session")
def error_std(holdout, forecast_and_model):
    return forecast_error_std(holdout, forecast_and_model[0])


def make_lane(lane_id: str, origin: str, destination: str, **overrides) -> dict:
    """One ``fct_lane_stats`` row with round numbers; override what a test needs."""
    lane = {
        "lane_id": lane_id,
        "origin_id": origin,
        "destination_id": destination,
        "carrier": "C1",
        "max_weight_kg": 1000.0,
        "max_volume_m3": 10.0,
        "max_pallets": 10,
        "ftl_cost": 800.0,
        "ltl_cost_per_kg": 0.5,
        "ltl_min_charge": 100.0,
        "currency": "EUR",
        "transit_days_nominal": 2.0,
        "transit_days_observed_mean": 2.5,
        "transit_days_observed_std": 0.5,
        "transit_days_p90": 3.2,
        "n_shipments": 12,
        "destination_handling_days": 1,
    }
    lane.update(overrides)
    return lane
