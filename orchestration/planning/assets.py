"""Planning products: the champion's forecast -> its accuracy; inventory, transport and their
coordination -> one settled supply plan, each a published product.

Each planner reads the marts dbt built and the products published upstream of it (so the chain
runs through the mesh, as a consumer would read it), computes its plan with the pure functions in
``supplymesh.planning`` and publishes it through the same contract gate as every source product.
The demand model itself (training, the champion/challenger gate, the registry) is in
``orchestration.ml``; the forecast here is always made by the serving champion.
"""

import json
from pathlib import Path

import dagster as dg
import pandas as pd

from orchestration.contract_checks import contract_check_spec, publish_events
from orchestration.metadata import asset_key, product_spec
from orchestration.ml.assets import MODELS
from orchestration.planning.checks import (
    beats_seasonal_naive_check,
    forecast_check_specs,
    forecast_checks,
    supply_plan_check_specs,
    supply_plan_checks,
)
from orchestration.planning.replan import (
    PlanScope,
    audit_replan,
    carried_drift_checks,
    event_scope,
    replan_forecast,
    scope_metadata,
)
from orchestration.resources import MeshResource
from supplymesh.planning.coordination.supply_plan import (
    HISTORY_COLUMNS,
    SettledSupplyPlan,
    SupplyPlanInputs,
    plan_supply,
)
from supplymesh.planning.forecasting.accuracy import ACTUAL_COLUMNS, accuracy_table, actuals
from supplymesh.planning.forecasting.origin_features import read_back_periods
from supplymesh.planning.model_lifecycle import model_registry as reg
from supplymesh.planning.model_lifecycle.drift import DriftConfig
from supplymesh.planning.model_lifecycle.serving import (
    NoServingModelError,
    ServedForecast,
    ServingModel,
    serve_forecast,
    serving_model,
)
from supplymesh.planning.replanning.supply import ServedPlan, replan_supply
from supplymesh.planning_inputs import (
    FEATURES_MART,
    features_read_back,
    published_model_registry,
    read_mart,
    read_product,
    series_chunks,
    series_history,
)
from supplymesh.planning_settings import PlanningSettings
from supplymesh.publishing.history.leases import take_lease
from supplymesh.publishing.manifest import current_frame, snapshot_history
from supplymesh.publishing.publish import publish_frame
from supplymesh.registry import Product, get_product
from supplymesh.reporting.dagster_metadata import (
    forecast_plot_metadata,
    inventory_plot_metadata,
    truck_plot_metadata,
)
from supplymesh.reporting.plots import representative_series
from supplymesh.settings import MeshPaths

FORECAST = get_product("planning.demand_forecast")
ACCURACY = get_product("planning.forecast_accuracy")
INVENTORY = get_product("planning.inventory_plan")
SHIPMENTS = get_product("planning.shipment_plan")
LOADS = get_product("planning.truck_loads")
KPIS = get_product("planning.supply_plan_kpis")
DECISIONS = get_product("planning.supply_plan_decisions")
RECEIPTS = get_product("procurement.purchase_receipts")
LOCATIONS = get_product("network.locations")


def mart(name: str) -> dg.AssetKey:
    return dg.AssetKey(["transforms", name])


def _forecast_frames(paths: MeshPaths) -> list[pd.DataFrame]:
    """Every forecast snapshot of the newest major still on record, oldest first (leased while
    read, so a publish's pruning cannot delete one under the read)."""

    def on_record(manifest: dict) -> tuple[list[dict], dict[str, str]]:
        major = FORECAST.latest.major
        history = snapshot_history(manifest, FORECAST.key, major)
        return history, {s["snapshot_id"]: f"{FORECAST.key} v{major}" for s in history}

    history, lease = take_lease(paths, on_record, "forecast accuracy")
    with lease:
        return [pd.read_parquet(s["path"]) for s in history if Path(s["path"]).exists()]


def _scored_days(forecasts: list[pd.DataFrame]) -> str:
    """The history days a forecast on record covers (none when no forecast is on record)."""
    first = min((f["forecast_date"].min() for f in forecasts if len(f)), default=None)
    if first is None:
        return "is_history"
    return f"is_history AND demand_date >= DATE '{pd.Timestamp(first).date()}'"


def _spec(product: Product, deps: list[dg.AssetKey]) -> dg.AssetSpec:
    return product_spec(
        product, product.latest, deps=deps, kinds={"scikitlearn", "duckdb", "pandera"}
    )


def _serving(paths: MeshPaths) -> ServingModel:
    """The serving champion; a clear failure of the step when none serves."""
    try:
        return serving_model(published_model_registry(paths))
    except NoServingModelError as exc:
        raise dg.Failure(description=str(exc)) from exc


def _forecast_metadata(
    champion: pd.Series, features: pd.DataFrame, forecast: pd.DataFrame, backtest: pd.DataFrame
) -> dict:
    last = backtest[backtest["origin"] == backtest["origin"].max()]
    return {
        "champion": champion["model_version"],
        "champion_backtest_mase": float(champion["backtest_mase"]),
        "seasonal_naive_mase": float(champion["seasonal_naive_mase"]),
        "moving_average_mase": float(champion["moving_average_mase"]),
        "backtest_p90_coverage": float(champion["backtest_p90_coverage"]),
        "feature_importance": dg.MetadataValue.json(json.loads(champion["feature_importances"])),
        **forecast_plot_metadata(features, forecast, last),
    }


def _root_run(context: dg.AssetExecutionContext) -> str:
    """The run whose planning steps share one replan scope: a re-execution's original run."""
    return context.run.root_run_id or context.run.run_id


def _full_forecast(
    paths: MeshPaths,
    serving: ServingModel,
    backtest: pd.DataFrame,
    horizon: int,
    drift: DriftConfig,
) -> ServedForecast:
    """Every series' forecast, read in chunks of whole series only as far back as it reads."""
    window = features_read_back(read_back_periods(serving.model.spec))
    return serve_forecast(
        serving.model,
        series_chunks(paths, FEATURES_MART, where=window),
        backtest,
        serving.reference(),
        horizon,
        drift,
        serving.final_choice(),
    )


@dg.multi_asset(
    name="demand_forecast",
    specs=[_spec(FORECAST, [mart("fct_demand_features"), asset_key(MODELS.latest)])],
    check_specs=[
        contract_check_spec(FORECAST.latest),
        *forecast_check_specs(asset_key(FORECAST.latest)),
    ],
    can_subset=True,  # its one asset always runs; its checks may go unevaluated (no verdict)
)
def demand_forecast(
    context: dg.AssetExecutionContext,
    mesh: MeshResource,
    planning: dg.ResourceParam[PlanningSettings],
    config: PlanScope,
):
    """P50/P90 per SKU x DC x day from the serving champion, with its measured error sigma and the
    seasonal-naive baseline beside it; drift of inputs and demand against its training data.
    The mart is read in chunks of whole series, only as far back as the forecast reads. An
    event-driven run (``config.replan_for``) re-forecasts only the pairs the batch changed."""
    paths, horizon = mesh.paths, planning.forecast.horizon_days
    serving = _serving(paths)
    if (trained_for := serving.trained_horizon) != horizon:
        context.log.warning(f"champion trained for a {trained_for}-day horizon forecasts {horizon}")
    backtest, drift = serving.backtest(), DriftConfig.from_settings(planning)
    run_id = context.run.run_id
    scope = event_scope(paths, config, _root_run(context), FORECAST, "forecast_origin")
    if scope is None or scope.whole_network:
        served = _full_forecast(paths, serving, backtest, horizon, drift)
    else:
        served_frame = current_frame(paths, FORECAST.key, FORECAST.latest.major)
        served = replan_forecast(paths, serving, served_frame, scope, horizon, drift)
    result = publish_frame(
        FORECAST.key, served.forecast, paths=paths, run_id=run_id, settings=planning
    )
    if scope is not None and result.published:
        audit_replan(paths, scope, run_id, [FORECAST.key])
    plotted = series_history(paths, representative_series(served.forecast))
    key = asset_key(FORECAST.latest)
    if scope is None or scope.whole_network:
        checks, checks_said = list(forecast_checks(key, serving.row, served.drift)), {}
    else:  # a few series are no sample of the network's drift: the last full verdicts stand
        carried, checks_said = carried_drift_checks(context.instance, key, scope)
        checks = [beats_seasonal_naive_check(key, serving.row), *carried]
    extra = {
        **_forecast_metadata(serving.row, plotted, served.forecast, backtest),
        "horizon_days": horizon,
        "champion_trained_horizon_days": trained_for,
        "series_by_method": dg.MetadataValue.json(served.method_counts()),
        **(scope_metadata(scope) if scope is not None else {}),
        **checks_said,
    }
    yield from publish_events([(result, FORECAST.latest)], extra=extra)
    selected = context.selected_asset_check_keys
    yield from (c for c in checks if dg.AssetCheckKey(key, c.check_name or "") in selected)


@dg.asset(
    key=asset_key(ACCURACY.latest),
    group_name="planning",
    description=ACCURACY.description,
    deps=[asset_key(FORECAST.latest), mart("fct_demand_features"), asset_key(MODELS.latest)],
    kinds={"duckdb", "pandera"},
    owners=[f"team:{ACCURACY.owner_team}", ACCURACY.owner_email],
    check_specs=[contract_check_spec(ACCURACY.latest)],
    tags={"domain": "planning", "access": ACCURACY.access, "status": ACCURACY.latest.status},
    metadata=_spec(ACCURACY, []).metadata,
)
def forecast_accuracy(
    context: dg.AssetExecutionContext,
    mesh: MeshResource,
    planning: dg.ResourceParam[PlanningSettings],
):
    """Every published forecast still on record scored on the actuals that arrived since, and
    the champion's backtest origins; earlier scores are kept."""
    paths = mesh.paths
    forecasts = _forecast_frames(paths)
    champion = reg.champion(published_model_registry(paths))
    table = accuracy_table(
        current_frame(paths, ACCURACY.key, ACCURACY.latest.major),
        forecasts,
        actuals(read_mart(paths, FEATURES_MART, ACTUAL_COLUMNS, _scored_days(forecasts))),
        None if champion is None else reg.load_backtest(champion),
        None if champion is None else champion["model_version"],
        reg.utc_now(),
    )
    result = publish_frame(
        ACCURACY.key, table, paths=paths, run_id=context.run.run_id, settings=planning
    )
    live = table[(table["source"] == "live") & (table["method"] == "model")]
    yield from publish_events(
        [(result, ACCURACY.latest)],
        extra={"live_forecasts_scored": len(live), "forecast_snapshots_on_record": len(forecasts)},
    )


def _supply_plan_inputs(paths: MeshPaths) -> SupplyPlanInputs:
    """The marts and products the supply plan reads, as served now."""
    return SupplyPlanInputs(
        forecast=read_product(paths, FORECAST.key),
        features=read_mart(paths, FEATURES_MART, [*HISTORY_COLUMNS, "is_history"], "is_history"),
        positions=read_mart(paths, "fct_inventory_position"),
        lanes=read_mart(paths, "fct_lane_stats"),
        receipts=read_product(paths, RECEIPTS.key),
        locations=read_product(paths, LOCATIONS.key),
        backtest=reg.load_backtest(reg.champion(published_model_registry(paths))),
        previous_kpis=current_frame(paths, KPIS.key, KPIS.latest.major),
    )


def _supply_plan_metadata(plan: SettledSupplyPlan, forecast: pd.DataFrame) -> dict:
    latest = plan.latest_kpis
    return {
        **inventory_plot_metadata(plan.inventory_plan, forecast),
        **truck_plot_metadata(plan.loads),
        "orders_proposed": int(latest["orders_proposed"]),
        "orders_planned": int(latest["orders_planned"]),
        "orders_pulled_forward": int(latest["orders_pulled_forward"]),
        "orders_deferred": int(latest["orders_deferred"]),
        "trucks": plan.trucks,
        "lower_bound_trucks": plan.lower_bound_trucks,
        "projected_fill_rate": float(latest["projected_fill_rate"]),
    }


PLAN_KEYS = [asset_key(p.latest) for p in (INVENTORY, SHIPMENTS, LOADS)]


def _served_plan(paths: MeshPaths) -> ServedPlan | None:
    """The settled plan as served now (None until all four of its products were published)."""
    frames = [current_frame(paths, p.key, p.latest.major) for p in (INVENTORY, SHIPMENTS, LOADS)]
    decisions = current_frame(paths, DECISIONS.key, DECISIONS.latest.major)
    if any(f is None for f in frames) or decisions is None:
        return None
    return ServedPlan(*frames, decisions)


@dg.multi_asset(
    name="supply_plan",
    specs=[
        _spec(
            INVENTORY,
            [
                asset_key(FORECAST.latest),
                asset_key(MODELS.latest),
                mart("fct_demand_features"),
                mart("fct_inventory_position"),
                asset_key(RECEIPTS.latest),
                asset_key(LOCATIONS.latest),
            ],
        ),
        _spec(SHIPMENTS, [asset_key(INVENTORY.latest), mart("fct_lane_stats")]),
        _spec(LOADS, [asset_key(INVENTORY.latest), mart("fct_lane_stats")]),
        _spec(KPIS, [asset_key(SHIPMENTS.latest), asset_key(LOADS.latest)]),
        _spec(DECISIONS, [asset_key(INVENTORY.latest), asset_key(LOADS.latest)]),
    ],
    check_specs=[
        *(contract_check_spec(p.latest) for p in (INVENTORY, SHIPMENTS, LOADS, KPIS, DECISIONS)),
        *supply_plan_check_specs(*PLAN_KEYS),
    ],
)
def supply_plan(
    context: dg.AssetExecutionContext,
    mesh: MeshResource,
    planning: dg.ResourceParam[PlanningSettings],
    config: PlanScope,
):
    """The inventory policy's orders, loaded onto trucks, adjusted by the coordinator until the
    plan is stable (pull forward into spare capacity, defer the least critical), published as
    one consistent plan with its business KPIs. An event-driven run (``config.replan_for``)
    replans only the pairs the batch changed and their lanes, the rest served as before."""
    run_id = context.run.run_id
    inputs = _supply_plan_inputs(mesh.paths)
    scope = event_scope(mesh.paths, config, _root_run(context), INVENTORY, "plan_date")
    served = _served_plan(mesh.paths) if scope is not None else None
    if served is None:
        scope = None  # a plan product was never published: the whole plan, as a full run
    shifts = None
    if scope is None or scope.whole_network or served is None:
        plan = plan_supply(inputs, planning, run_id, reg.utc_now())
    else:
        replanned = replan_supply(inputs, served, scope, planning, run_id, reg.utc_now())
        plan, shifts = replanned.plan, replanned.class_shifts
    frames = [
        (INVENTORY, plan.inventory_plan),
        (SHIPMENTS, plan.shipments),
        (LOADS, plan.loads),
        (KPIS, plan.kpis),
        (DECISIONS, plan.decisions),
    ]
    results = [
        (publish_frame(p.key, f, paths=mesh.paths, run_id=run_id, settings=planning), p.latest)
        for p, f in frames
    ]
    if scope is not None and all(r.published for r, _ in results):
        audit_replan(mesh.paths, scope, run_id, [p.key for p, _ in frames], shifts)
    extra = {
        **_supply_plan_metadata(plan, inputs.forecast),
        **(scope_metadata(scope, shifts) if scope is not None else {}),
    }
    yield from publish_events(results, extra=extra)
    yield from supply_plan_checks(plan, *PLAN_KEYS)


def planning_assets() -> list[dg.AssetsDefinition]:
    return [demand_forecast, forecast_accuracy, supply_plan]
