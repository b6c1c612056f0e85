"""The demand model's P50 and P90 fits run side by side and give the models fitted one by one."""

import numpy as np

from supplymesh.planning.forecasting import model as model_module
from supplymesh.planning.forecasting.features import DAILY_MART
from supplymesh.planning.forecasting.forecast import prepare_frame
from supplymesh.planning.forecasting.model import ForecastParams, fit_demand_model
from supplymesh.planning.forecasting.origin_features import add_origin_features


def test_side_by_side_fits_equal_fits_one_after_the_other(features, monkeypatch):
    frame = prepare_frame(features)[0]
    history = add_origin_features(frame[frame["_history"]], DAILY_MART, 28)
    params = ForecastParams(horizon=28, max_iter=40, p90_max_iter=30)
    together = fit_demand_model(history, params)

    def one_by_one(estimators, x, y, weight, n_threads):
        return [(e.fit(x, y, sample_weight=weight), 0.0) for e in estimators]

    monkeypatch.setattr(model_module, "_fit_side_by_side", one_by_one)
    apart = fit_demand_model(history, params)
    rows = history.sample(500, random_state=1)
    np.testing.assert_array_equal(together.predict(rows), apart.predict(rows))
    assert together.p90_model.n_iter_ == apart.p90_model.n_iter_ == 30
