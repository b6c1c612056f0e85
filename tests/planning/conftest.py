"""Shared synthetic inputs for the planning tests (no other package of the repo is needed)."""

from __future__ import annotations

import pandas as pd
import pytest

from supplymesh.planning.forecasting.forecast import (
    forecast_demand,
    forecast_error_std,
    score_holdout,
)

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
