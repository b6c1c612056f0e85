"""Planning products: the champion's forecast -> its accuracy; inventory, transport and their
coordination -> one settled supply plan, each a published product.

Each planner reads the marts dbt built and the products published upstream of it (so the chain
runs through the mesh, as a consumer would read it), computes its plan with the pure functions in
``supplymesh.planning`` and publishes it through the same contract gate as every source product.
The demand model itself (training, the champion/challenger gate, the registry) is in
``orchestration.ml``; the forecast here is always made by the serving champion.
"""

import json
from functools import partial
from pathlib import Path

import dagster as dg
import pandas as pd

from orchestration.contract_checks import contract_check_spec, publish_events
from orchestration.metadata import asset_key, product_spec
from orchestration.ml import MODELS, serving_model
from orchestration.resources import MeshResource
from supplymesh.marts import read_mart, read_product
from supplymesh.planning.coordination.coordinator import (
    CoordinationConfig,
    binding_fill,
    coordinate,
)
from supplymesh.planning.coordination.kpis import MAX_TRUCK_RATIO, supply_plan_kpis
from supplymesh.planning.coordination.plan_checks import check_inventory_plan, check_shipment_plan
from supplymesh.planning.forecasting.accuracy import accuracy_table, actuals
from supplymesh.planning.forecasting.features import add_origin_features
from supplymesh.planning.forecasting.forecast import (
    attach_error_std,
    error_std_from_predictions,
    forecast_with_model,
    future_rows,
    prepare_frame,
)
from supplymesh.planning.inventory.classification import ServiceTargets
from supplymesh.planning.inventory.policy import plan_inventory
from supplymesh.planning.inventory.policy_inputs import policy_inputs
from supplymesh.planning.inventory.protection_quantiles import lead_time_samples, lead_time_stats
from supplymesh.planning.model_lifecycle import model_registry as reg
from supplymesh.planning.model_lifecycle.drift import DriftConfig, feature_drift, target_drift
from supplymesh.planning_settings import PlanningSettings
from supplymesh.publishing.manifest import current_snapshot, read_manifest
from supplymesh.publishing.publish import publish_frame
from supplymesh.registry import get_product
from supplymesh.reporting.dagster_metadata import (
    forecast_plot_metadata,
    inventory_plot_metadata,
    truck_plot_metadata,
)

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


def _snapshot_paths(paths, product) -> list[Path]:
    """Data files of every snapshot of a product's newest major still on record, oldest first."""
    manifest = read_manifest(paths)
    entry = manifest["products"].get(product.key, {}).get("versions", {})
    snaps = entry.get(str(product.latest.major), {}).get("history", [])
    return [Path(s["path"]) for s in snaps if Path(s["path"]).exists()]


def _current_frame(paths, product) -> pd.DataFrame | None:
    """The product's currently served snapshot, or None before its first publish (a product
    that accumulates over runs reads its own last state this way)."""
    snap = current_snapshot(read_manifest(paths), product.key, product.latest.major)
    if snap is None or not Path(snap["path"]).exists():
        return None
    return pd.read_parquet(snap["path"])


def _spec(product, deps: list[dg.AssetKey]) -> dg.AssetSpec:
    return product_spec(
        product, product.latest, deps=deps, kinds={"scikitlearn", "duckdb", "pandera"}
    )


def _invariant_check(name: str, key: dg.AssetKey, violations: list[str]) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=name,
        passed=not violations,
        metadata={
            "violations": len(violations),
            "sample": dg.MetadataValue.md("\n".join(f"- {v}" for v in violations[:20]) or "none"),
        },
    )


def _drift_description(report) -> str:
    """Which columns drifted and by how much, against which bounds (the check's one line)."""
    config = report.config
    bounds = f"drift = PSI > {config.max_psi:g}, KS > {config.max_ks:g}, p < {config.max_pvalue:g}"
    table = report.table
    if not len(table):
        return "no monitored column to compare"
    if report.passed:
        return f"none of {len(table)} monitored columns drifted ({bounds})"
    rows = table.set_index("column").loc[report.drifted]
    drifted = ", ".join(
        f"{column} (PSI {row.psi:.3f}, KS {row.ks:.3f})" for column, row in rows.iterrows()
    )
    return f"{len(rows)} of {len(table)} monitored columns drifted: {drifted} ({bounds})"


def _drift_check(name: str, report) -> dg.AssetCheckResult:
    table = report.table.round(4)
    return dg.AssetCheckResult(
        asset_key=asset_key(FORECAST.latest),
        check_name=name,
        passed=report.passed,
        severity=dg.AssetCheckSeverity.WARN,
        description=_drift_description(report),
        metadata={
            "drifted": ", ".join(report.drifted) or "none",
            "max_psi": float(table["psi"].max()) if len(table) else 0.0,
            "max_ks": float(table["ks"].max()) if len(table) else 0.0,
            "bounds": f"PSI > {report.config.max_psi} and KS > {report.config.max_ks}"
            f" and KS p-value < {report.config.max_pvalue}",
            "columns": dg.MetadataValue.md(
                table.to_markdown(index=False) if len(table) else "none"
            ),
        },
    )


@dg.multi_asset(
    name="demand_forecast",
    specs=[_spec(FORECAST, [mart("fct_demand_features"), asset_key(MODELS.latest)])],
    check_specs=[
        contract_check_spec(FORECAST.latest),
        dg.AssetCheckSpec(
            "beats_seasonal_naive",
            asset=asset_key(FORECAST.latest),
            description="The serving model's backtest MASE is below the seasonal-naive MASE.",
        ),
        dg.AssetCheckSpec(
            "feature_drift",
            asset=asset_key(FORECAST.latest),
            description="No monitored input of the rows forecast now drifted from the champion's "
            "training reference (PSI and KS both over their bounds).",
        ),
        dg.AssetCheckSpec(
            "target_drift",
            asset=asset_key(FORECAST.latest),
            description="Demand of the latest weeks did not drift from the champion's training "
            "reference (PSI and KS both over their bounds).",
        ),
    ],
)
def demand_forecast(
    context: dg.AssetExecutionContext,
    mesh: MeshResource,
    planning: dg.ResourceParam[PlanningSettings],
):
    """P50/P90 per SKU x DC x day from the serving champion, with its measured error sigma and the
    seasonal-naive baseline beside it; drift of inputs and demand against its training data."""
    horizon = planning.forecast.horizon_days
    features = read_mart(mesh.paths, "fct_demand_features")
    row, model = serving_model(mesh.paths)
    if (trained_for := json.loads(row["params"]).get("horizon")) != horizon:
        context.log.warning(f"champion trained for a {trained_for}-day horizon forecasts {horizon}")
    forecast = forecast_with_model(model, features, horizon=horizon)
    backtest = reg.load_backtest(row)
    forecast = attach_error_std(forecast, error_std_from_predictions(backtest, forecast))
    result = publish_frame(
        FORECAST.key, forecast, paths=mesh.paths, run_id=context.run.run_id, settings=planning
    )
    frame, as_of = prepare_frame(features, model.spec)
    with_origin = add_origin_features(frame, model.spec, horizon, as_of)
    scoring = future_rows(with_origin, as_of, horizon)
    start = as_of - pd.Timedelta(days=horizon)
    recent = frame[frame["_history"] & (frame["demand_date"] > start) & ~frame["is_stockout"]]
    drift = DriftConfig.from_settings(planning)
    reference = reg.load_reference(row)
    last = backtest[backtest["origin"] == backtest["origin"].max()]
    plot = forecast_plot_metadata(features, forecast, last)
    extra = {
        "champion": row["model_version"],
        "champion_backtest_mase": float(row["backtest_mase"]),
        "seasonal_naive_mase": float(row["seasonal_naive_mase"]),
        "moving_average_mase": float(row["moving_average_mase"]),
        "backtest_p90_coverage": float(row["backtest_p90_coverage"]),
        "feature_importance": dg.MetadataValue.json(json.loads(row["feature_importances"])),
        "horizon_days": horizon,
        "champion_trained_horizon_days": trained_for,
        **plot,
    }
    yield from publish_events([(result, FORECAST.latest)], extra=extra)
    yield dg.AssetCheckResult(
        asset_key=asset_key(FORECAST.latest),
        check_name="beats_seasonal_naive",
        passed=bool(row["backtest_mase"] < row["seasonal_naive_mase"]),
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "model_mase": float(row["backtest_mase"]),
            "seasonal_naive_mase": float(row["seasonal_naive_mase"]),
        },
    )
    yield _drift_check("feature_drift", feature_drift(reference, scoring, drift))
    yield _drift_check("target_drift", target_drift(reference, recent, drift))


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
    features = read_mart(paths, "fct_demand_features")
    forecasts = [pd.read_parquet(path) for path in _snapshot_paths(paths, FORECAST)]
    previous = _current_frame(paths, ACCURACY)
    champion = reg.champion(reg.load_registry(paths))
    backtest = reg.load_backtest(champion) if champion is not None else None
    table = accuracy_table(
        previous,
        forecasts,
        actuals(features),
        backtest,
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
        dg.AssetCheckSpec(
            "policy_invariants",
            asset=asset_key(INVENTORY.latest),
            blocking=True,
            description="Order quantities are whole cases, at least the MOQ, and "
            "lift the inventory position to the order-up-to level.",
        ),
        dg.AssetCheckSpec(
            "plan_invariants",
            asset=asset_key(SHIPMENTS.latest),
            blocking=True,
            description="Every order on exactly one truck or listed with a reason; "
            "no truck over capacity; every on-time load arrives by its need-by date.",
        ),
        dg.AssetCheckSpec(
            "trucks_near_lower_bound",
            asset=asset_key(LOADS.latest),
            description=f"Trucks used are at most {MAX_TRUCK_RATIO}x the sum of the lane-window "
            "lower bounds (ceil of load over capacity on the binding dimension).",
        ),
    ],
)
def supply_plan(
    context: dg.AssetExecutionContext,
    mesh: MeshResource,
    planning: dg.ResourceParam[PlanningSettings],
):
    """The inventory policy's orders, loaded onto trucks, adjusted by the coordinator until the
    plan is stable (pull forward into spare capacity, defer the least critical), published as
    one consistent plan with its business KPIs."""
    paths = mesh.paths
    run_id = context.run.run_id
    forecast = read_product(paths, FORECAST.key)
    features = read_mart(paths, "fct_demand_features")
    positions = read_mart(paths, "fct_inventory_position")
    lanes = read_mart(paths, "fct_lane_stats")
    samples = lead_time_samples(
        read_product(paths, RECEIPTS.key), read_product(paths, LOCATIONS.key)
    )
    stats = lead_time_stats(samples)
    champion = reg.champion(reg.load_registry(paths))
    history = features[features["is_history"].fillna(False).astype(bool)]
    inputs = policy_inputs(
        history[["sku", "location_id", "demand_date", "units_sold"]],
        positions,
        stats,
        samples,
        reg.load_backtest(champion),
        ServiceTargets.from_settings(planning),
        planning.inventory.review_period_days,
    )
    plan_date = pd.Timestamp(forecast["forecast_origin"].max())
    proposal = plan_inventory(
        forecast,
        None,
        positions,
        stats,
        plan_date,
        service_level=planning.inventory.unclassified_service_level,
        review_period_days=planning.inventory.review_period_days,
        classes=inputs.classes,
        risk=inputs.risk,
    )
    settled = coordinate(
        proposal,
        inputs.classes,
        positions,
        lanes,
        plan_date,
        CoordinationConfig.from_settings(planning),
    )
    plan = settled.inventory_plan[proposal.columns]
    shipments, loads = settled.shipments.shipments, settled.shipments.loads
    kpis = supply_plan_kpis(settled, run_id, reg.utc_now(), _current_frame(paths, KPIS))
    decisions = settled.decisions.assign(run_id=run_id, plan_date=plan_date.date())
    frames = [
        (INVENTORY, plan),
        (SHIPMENTS, shipments),
        (LOADS, loads),
        (KPIS, kpis),
        (DECISIONS, decisions[["run_id", "plan_date", *settled.decisions.columns]]),
    ]
    publish = partial(publish_frame, paths=paths, run_id=run_id, settings=planning)
    results = [(publish(p.key, f), p.latest) for p, f in frames]
    latest = kpis.iloc[-1]
    extra = {
        **inventory_plot_metadata(plan, forecast),
        **truck_plot_metadata(loads),
        "orders_proposed": int(latest["orders_proposed"]),
        "orders_planned": int(latest["orders_planned"]),
        "orders_pulled_forward": int(latest["orders_pulled_forward"]),
        "orders_deferred": int(latest["orders_deferred"]),
        "trucks": int(latest["trucks"]),
        "lower_bound_trucks": int(latest["lower_bound_trucks"]),
        "projected_fill_rate": float(latest["projected_fill_rate"]),
    }
    yield from publish_events(results, extra=extra)
    yield _invariant_check(
        "policy_invariants", asset_key(INVENTORY.latest), check_inventory_plan(plan, positions)
    )
    yield _invariant_check(
        "plan_invariants", asset_key(SHIPMENTS.latest), check_shipment_plan(shipments, loads, lanes)
    )
    trucks, bound = int(latest["trucks"]), int(latest["lower_bound_trucks"])
    yield dg.AssetCheckResult(
        asset_key=asset_key(LOADS.latest),
        check_name="trucks_near_lower_bound",
        passed=trucks <= MAX_TRUCK_RATIO * bound,
        metadata={
            "trucks": trucks,
            "lower_bound": bound,
            "ratio": trucks / bound if bound else 1.0,
            "mean_binding_fill": float(binding_fill(loads).mean()) if len(loads) else 0.0,
        },
    )


def planning_assets() -> list[dg.AssetsDefinition]:
    return [demand_forecast, forecast_accuracy, supply_plan]
