"""Event-driven replanning end to end on a tiny world: a landed orders batch that corrects one
SKU x DC publishes sales.orders, rebuilds only the dbt models downstream of it and replans only
the touched pairs and their lanes; every other pair's plan rows are the previous version's."""

import json
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pandas.testing as pdt
import pytest

from benchmarks.replanning.event import land_corrected_orders, replan_once
from orchestration.definitions import build_definitions
from orchestration.landing.full_run import FULL_RUN_TAG
from orchestration.landing.sensors import landing_sensor
from orchestration.planning.assets import FORECAST, INVENTORY, _supply_plan_inputs
from orchestration.planning.replan import REPLAN_TAG, PlanScope, event_scope
from orchestration.planning.run_scope import run_scope_path
from orchestration.resources import MeshResource
from supplymesh.governance.layout import audit_log_path
from supplymesh.headless import materialize
from supplymesh.planning.coordination.supply_plan import plan_supply
from supplymesh.planning.model_lifecycle.model_registry import utc_now as now
from supplymesh.planning_settings import load_planning_settings
from supplymesh.publishing.landing import latest_batch
from supplymesh.publishing.manifest import current_frame
from supplymesh.publishing.publish import publish_landing
from tests.mesh_world import generate_tiny_world, mesh_environment

# `make test-slow`: a full tiny-world run, an event run and a full plan to compare with: about two minutes
pytestmark = pytest.mark.slow

PLAN = {
    "planning.inventory_plan": ["sku", "location_id"],
    "planning.shipment_plan": ["sku", "destination_id"],
}


def _served(paths) -> dict[str, pd.DataFrame]:
    keys = [*PLAN, "planning.demand_forecast", "planning.truck_loads"]
    return {k: current_frame(paths, k, 1) for k in keys}


@pytest.fixture(scope="module")
def replanned(tmp_path_factory):
    """The tiny world materialized, then one corrected orders batch replanned."""
    with mesh_environment(tmp_path_factory.mktemp("replan")) as paths:
        generate_tiny_world(paths)
        assert materialize([]).success
        before = _served(paths)
        plan = before["planning.inventory_plan"]
        top = plan.sort_values("mean_daily_demand", ascending=False).iloc[0]
        figures = replan_once(paths, top["sku"], top["location_id"])
        yield paths, before, _served(paths), (top["sku"], top["location_id"]), figures


def _audit(paths) -> list[dict]:
    lines = audit_log_path(paths).read_text().splitlines()
    return [e for e in map(json.loads, lines) if e["action"] == "replan"]


def _scope(paths) -> set[tuple[str, str]]:
    entry = next(e for e in _audit(paths) if e["subject"] == "planning.inventory_plan")
    return {(p["sku"], p["location_id"]) for p in entry["details"]["pairs"]}


def _split(frame: pd.DataFrame, keys: list[str], scope: set) -> tuple[pd.DataFrame, pd.DataFrame]:
    inside = pd.Series(
        [k in scope for k in zip(frame[keys[0]], frame[keys[1]], strict=True)], index=frame.index
    )
    order = [*keys, *(c for c in ("po_id",) if c in frame.columns)]
    return (
        frame[~inside].sort_values(order).reset_index(drop=True),
        frame[inside].sort_values(order).reset_index(drop=True),
    )


def test_the_run_publishes_orders_rebuilds_its_models_and_replans_without_training(replanned):
    _, _, _, _, figures = replanned
    assert figures["ok"]
    selected = set(figures["selected"])
    assert {
        "sales/orders_v2",
        "transforms/fct_demand_features",
        "planning/demand_forecast_v1",
    } <= selected
    assert "planning/inventory_plan_v1" in selected and "planning/shipment_plan_v1" in selected
    # not the whole mesh: no other source, no model training, no dbt model orders do not feed
    assert not selected & {
        "catalog/products_v1",
        "ml/forecast_models_v1",
        "transforms/fct_lane_stats",
    }


@pytest.mark.parametrize("product", list(PLAN))
def test_pairs_out_of_scope_keep_their_previous_rows_exactly(replanned, product):
    paths, before, after, _, _ = replanned
    scope = _scope(paths)
    assert 0 < len(scope) < len(before["planning.inventory_plan"])
    kept_before, _ = _split(before[product], PLAN[product], scope)
    kept_after, _ = _split(after[product], PLAN[product], scope)
    pdt.assert_frame_equal(kept_after, kept_before, check_exact=True)


def test_the_corrected_pair_is_re_forecast_and_replanned(replanned):
    paths, before, after, pair, _ = replanned
    assert pair in _scope(paths)
    plan_before = before["planning.inventory_plan"].set_index(["sku", "location_id"])
    plan_after = after["planning.inventory_plan"].set_index(["sku", "location_id"])
    assert plan_after.loc[pair, "mean_daily_demand"] > plan_before.loc[pair, "mean_daily_demand"]
    fc_before, fc_after = (
        f.set_index(["sku", "location_id"]).loc[pair, "p50"].sum()
        for f in (before["planning.demand_forecast"], after["planning.demand_forecast"])
    )
    assert fc_after > fc_before
    # the other series' forecast is the served one, untouched
    others = [f[(f["sku"] != pair[0]) | (f["location_id"] != pair[1])].reset_index(drop=True)
              for f in (before["planning.demand_forecast"], after["planning.demand_forecast"])]  # fmt: skip
    pdt.assert_frame_equal(others[1], others[0], check_exact=True)


def test_the_replanned_rows_are_what_a_full_plan_of_the_same_inputs_gives(replanned):
    paths, _, after, _, _ = replanned
    full = plan_supply(_supply_plan_inputs(paths), load_planning_settings(paths.home), "x", now())
    published = after["planning.inventory_plan"]
    computed = full.inventory_plan[published.columns].astype(published.dtypes.to_dict())
    keys, scope = ["sku", "location_id"], _scope(paths)
    _, ours = _split(published.drop(columns="plan_date"), keys, scope)
    _, theirs = _split(computed.drop(columns="plan_date"), keys, scope)
    pdt.assert_frame_equal(ours, theirs)
    # a pair out of scope whose class the new ranking moved is named in the audit, not replanned
    entry = next(e for e in _audit(paths) if e["subject"] == "planning.inventory_plan")
    shifted = {(s["sku"], s["location_id"]) for s in entry["details"]["class_shifts_outside_scope"]}
    moved = full.inventory_plan.merge(published, on=keys, suffixes=("_full", ""))
    moved = moved[moved["service_class_full"] != moved["service_class"]]
    assert shifted == set(zip(moved["sku"], moved["location_id"], strict=True)) - scope


def test_the_audit_says_which_pairs_and_why(replanned):
    paths, _, _, pair, figures = replanned
    entries = {e["subject"]: e for e in _audit(paths)}
    assert {e["actor"] for e in entries.values()} == {f"run:{figures['run_id']}"}  # mesh-wide form
    assert set(entries) >= {"planning.demand_forecast", *PLAN, "planning.truck_loads"}
    pairs = {(p["sku"], p["location_id"]): p["reason"] for p in entries[
        "planning.inventory_plan"]["details"]["pairs"]}  # fmt: skip
    assert pairs[pair].endswith("rows of sales.orders new, changed or removed")
    assert any("lane with a changed pair" in r for r in pairs.values())
    assert entries["planning.inventory_plan"]["details"]["changed_pairs"] == 1


def test_the_forecasts_drift_verdicts_are_carried_over_not_re_measured_on_a_few_series(replanned):
    _, _, _, _, figures = replanned
    forecast = dg.AssetKey(["planning", "demand_forecast_v1"])
    with dg.DagsterInstance.get() as instance:
        for name in ("feature_drift", "target_drift"):
            record = instance.get_latest_asset_check_evaluation_record(
                dg.AssetCheckKey(forecast, name)
            )
            assert record.run_id == figures["run_id"]
            evaluation = record.event.asset_check_evaluation
            assert evaluation.description.startswith("carried over from run ")
            assert evaluation.metadata["carried_from_run"].value != figures["run_id"]


def test_both_planning_steps_replanned_the_one_scope_recorded_for_the_run(replanned):
    paths, _, _, _, figures = replanned
    recorded = json.loads(run_scope_path(paths, figures["run_id"]).read_text())
    entries = {e["subject"]: e for e in _audit(paths)}
    for product in ("planning.demand_forecast", "planning.inventory_plan"):
        assert entries[product]["details"]["pairs"] == [
            {k: p[k] for k in ("sku", "location_id", "reason")} for p in recorded["pairs"]
        ]


def _land_orders(paths, batch_id: str, shift_days: int = 0) -> Path:
    """A new orders batch: the newest one again, its order days ``shift_days`` later."""
    source = latest_batch(paths.landing_dir("sales"), "orders")
    target = source.with_name(f"orders__{batch_id}")
    target.mkdir()
    shifted = f"order_date + INTERVAL {int(shift_days)} DAY"
    with duckdb.connect() as con:
        con.execute(
            f"COPY (SELECT * REPLACE (CAST({shifted} AS DATE) AS order_date) "
            f"FROM '{source}/*.parquet') TO '{target / 'part-00000.parquet'}' (FORMAT parquet)"
        )
    return target


@pytest.fixture(scope="module")
def definitions() -> dg.Definitions:
    return build_definitions()


def _tick(paths, definitions: dg.Definitions) -> list[dg.RunRequest]:
    context = dg.build_sensor_context(
        definitions=definitions, resources={"mesh": MeshResource(home=str(paths.home))}
    )
    return list(landing_sensor(context))


@pytest.mark.parametrize(
    ("shift_days", "with_catalog", "full"),
    [(0, False, False), (0, True, True), (1, False, True)],
    ids=["orders-alone-replans", "with-other-batches-full-run", "as-of-moves-full-run"],
)
def test_the_sensor_asks_for_the_full_run_when_a_replan_would_mix_inputs(
    replanned, definitions, shift_days, with_catalog, full
):
    paths = replanned[0]
    orders = _land_orders(paths, "20991231T000000Z", shift_days)
    item_master = latest_batch(paths.landing_dir("catalog"), "item_master")
    catalog = item_master.with_name("item_master__20991231T000000Z.csv")
    if with_catalog:
        shutil.copyfile(item_master, catalog)
    try:
        requests = _tick(paths, definitions)
    finally:
        shutil.rmtree(orders)
        catalog.unlink(missing_ok=True)
    assert len(requests) == 1  # never a replan beside a publish-only run of another product
    request = requests[0]
    selected = {k.to_user_string() for k in request.asset_selection or []}
    assert (FULL_RUN_TAG in request.tags, REPLAN_TAG in request.tags) == (full, not full)
    # the full run rebuilds what the orders do not feed; the replan does not
    assert ("transforms/fct_lane_stats" in selected) == full
    assert {"sales/orders_v2", "planning/inventory_plan_v1"} <= selected
    assert "ml/forecast_models_v1" not in selected  # the daily path: no training


def test_both_steps_plan_one_scope_though_a_publish_lands_between_them(replanned):
    paths, _, _, pair, _ = replanned
    config = PlanScope(replan_for="sales.orders")
    first = event_scope(paths, config, "run-between", FORECAST, "forecast_origin")
    plan = current_frame(paths, "planning.inventory_plan", 1)
    other = plan[(plan["sku"] != pair[0]) | (plan["location_id"] != pair[1])].iloc[0]
    batch = land_corrected_orders(paths, other["sku"], other["location_id"])
    try:
        assert all(r.published for r in publish_landing("sales.orders", paths=paths))
        second = event_scope(paths, config, "run-between", INVENTORY, "plan_date")
        fresh = event_scope(paths, config, "another-run", INVENTORY, "plan_date")
    finally:
        shutil.rmtree(batch)
    pdt.assert_frame_equal(second.pairs, first.pairs)
    assert not fresh.changed.equals(first.changed)  # the publish did change what a diff finds
