"""The supply plan end to end on small frames: the policy's orders, settled on trucks, with KPIs
that accumulate over runs, decisions stamped with the run, and invariants that hold."""

import numpy as np
import pandas as pd
import pytest

from supplymesh.planning.coordination.supply_plan import SupplyPlanInputs, plan_supply
from supplymesh.planning_settings import default_planning_settings
from tests.planning.synthetic import AS_OF, make_features, make_lane

HORIZON = 28
NOW = pd.Timestamp("2026-11-27 06:00")
SETTINGS = default_planning_settings()
SERIES = ["sku", "location_id"]


def _forecast(history: pd.DataFrame) -> pd.DataFrame:
    """A flat forecast at each series' last-28-day mean, with a fixed error sigma."""
    recent = history[pd.to_datetime(history["demand_date"]) > AS_OF - pd.Timedelta(days=HORIZON)]
    level = recent.groupby(SERIES)["units_sold"].mean().rename("p50").reset_index()
    days = pd.DataFrame({"horizon_day": range(1, HORIZON + 1)})
    forecast = level.merge(days, how="cross")
    return forecast.assign(
        forecast_origin=AS_OF.date(),
        forecast_date=[(AS_OF + pd.Timedelta(days=int(h))).date() for h in forecast["horizon_day"]],
        p90=forecast["p50"] * 1.5,
        error_std_daily=2.0,
        model_version="test",
    )


def _backtest(history: pd.DataFrame) -> pd.DataFrame:
    """Two backtest origins predicting each series' mean, against the real actuals."""
    history = history.assign(demand_date=pd.to_datetime(history["demand_date"]))
    mean = history.groupby(SERIES)["units_sold"].transform("mean")
    frames = []
    for origin in (AS_OF - pd.Timedelta(days=56), AS_OF - pd.Timedelta(days=28)):
        step = (history["demand_date"] - origin).dt.days
        window = history[(step >= 1) & (step <= HORIZON)]
        frames.append(
            window[SERIES].assign(
                origin=origin,
                demand_date=window["demand_date"],
                step=step[window.index],
                actual=window["units_sold"],
                p50=mean[window.index],
            )
        )
    return pd.concat(frames, ignore_index=True)


def _positions(features: pd.DataFrame) -> pd.DataFrame:
    series = features[[*SERIES, "supplier_id", "category"]].drop_duplicates()
    rng = np.random.default_rng(3)
    return series.assign(
        snapshot_date=AS_OF.date(),
        on_hand=rng.integers(0, 40, len(series)),
        on_order=0,
        unit_cost=2.5,
        list_price=5.0,
        case_pack=6,
        min_order_qty=0,
        units_per_pallet=120,
        unit_weight_kg=1.0,
        unit_volume_m3=0.01,
    ).assign(inventory_position=lambda f: f["on_hand"] + f["on_order"])


def _receipts(positions: pd.DataFrame) -> pd.DataFrame:
    rows = [
        {
            "po_id": f"PO{i}-{n}",
            "supplier_id": r.supplier_id,
            "location_id": r.location_id,
            "order_date": (AS_OF - pd.Timedelta(days=60 + 10 * n)).date(),
            "receipt_date": (AS_OF - pd.Timedelta(days=55 + 10 * n - n % 2)).date(),
        }
        for i, r in enumerate(positions.itertuples())
        for n in range(4)
    ]
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def inputs() -> SupplyPlanInputs:
    features = make_features(n_skus=4, n_locations=2, history_days=200, seed=11)
    history = features[features["is_history"]]
    positions = _positions(features)
    lanes = pd.DataFrame(
        [
            make_lane(f"L-{s}-{d}", s, d)
            for s, d in positions[["supplier_id", "location_id"]].drop_duplicates().to_numpy()
        ]
    )
    return SupplyPlanInputs(
        forecast=_forecast(history),
        features=features,
        positions=positions,
        lanes=lanes,
        receipts=_receipts(positions),
        locations=pd.DataFrame({"location_id": ["DC00", "DC01"], "handling_days": [1, 1]}),
        backtest=_backtest(history),
    )


@pytest.fixture(scope="module")
def settled(inputs):
    return plan_supply(inputs, SETTINGS, "run-1", NOW)


def test_the_plan_has_one_row_per_series_dated_by_the_forecast_origin(settled, inputs):
    plan = settled.inventory_plan
    assert len(plan) == len(inputs.positions)
    assert not plan.duplicated(SERIES).any()
    assert settled.plan_date == pd.Timestamp(AS_OF.date())
    assert (plan["order_quantity"] > 0).any(), "low stock must trigger some orders"


def test_the_settled_plan_keeps_the_policy_and_truck_invariants(settled):
    assert settled.inventory_violations == []
    assert settled.shipment_violations == []
    assert settled.trucks_near_lower_bound
    assert settled.trucks >= settled.lower_bound_trucks > 0
    assert 0 < settled.mean_binding_fill <= 1


def test_every_order_due_is_shipped_or_decided(settled):
    due = settled.inventory_plan[settled.inventory_plan["order_quantity"] > 0]
    shipments = settled.shipments.rename(columns={"destination_id": "location_id"})
    shipped = set(map(tuple, shipments[SERIES].to_numpy()))
    decided = set(map(tuple, settled.decisions[SERIES].to_numpy()))
    assert set(map(tuple, due[SERIES].to_numpy())) <= shipped | decided


def test_kpis_append_this_run_to_the_previous_runs(settled, inputs):
    assert settled.kpis["run_id"].tolist() == ["run-1"]
    assert (
        settled.latest_kpis["orders_planned"]
        == (settled.inventory_plan["order_quantity"] > 0).sum()
    )
    again = plan_supply(
        SupplyPlanInputs(**{**inputs.__dict__, "previous_kpis": settled.kpis}),
        SETTINGS,
        "run-2",
        NOW + pd.Timedelta(days=1),
    )
    assert again.kpis["run_id"].tolist() == ["run-1", "run-2"]


def test_decisions_carry_the_run_and_plan_date_first(settled):
    assert list(settled.decisions.columns[:2]) == ["run_id", "plan_date"]
    assert (settled.decisions["run_id"] == "run-1").all()


def test_higher_service_targets_hold_more_safety_stock(inputs, settled):
    targets = SETTINGS.service_targets()
    strict = {
        "inventory": {"service_targets": {k: min(0.995, v + 0.04) for k, v in targets.items()}}
    }
    stricter = plan_supply(inputs, SETTINGS.updated(strict, "test"), "run-1", NOW)
    assert (
        stricter.inventory_plan["safety_stock"].sum() > settled.inventory_plan["safety_stock"].sum()
    )
