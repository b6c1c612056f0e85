"""Planning products: forecast -> inventory plan -> shipment plan, each a published product.

Each planner reads the marts dbt built and the products published upstream of it (so the chain
runs through the mesh, as a consumer would read it), computes its plan with the pure functions in
``supplymesh.planning`` and publishes it through the same contract gate as every source product.
"""

import dagster as dg
import pandas as pd

from orchestration.contract_checks import contract_check_spec, publish_events
from orchestration.metadata import asset_key, product_spec
from orchestration.resources import MeshResource
from supplymesh.marts import read_mart, read_product
from supplymesh.planning.forecast import (
    attach_error_std,
    forecast_demand,
    forecast_error_std,
    score_holdout,
)
from supplymesh.planning.inventory import plan_inventory
from supplymesh.planning.plan_checks import check_inventory_plan, check_shipment_plan
from supplymesh.planning.shipments import plan_shipments
from supplymesh.publishing.publish import publish_frame
from supplymesh.registry import get_product

FORECAST = get_product("planning.demand_forecast")
INVENTORY = get_product("planning.inventory_plan")
SHIPMENTS = get_product("planning.shipment_plan")
LOADS = get_product("planning.truck_loads")


def mart(name: str) -> dg.AssetKey:
    return dg.AssetKey(["transforms", name])


class ForecastConfig(dg.Config):
    horizon_days: int = 28


class InventoryConfig(dg.Config):
    service_level: float = 0.95
    review_period_days: int = 7


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


@dg.multi_asset(
    name="demand_forecast",
    specs=[_spec(FORECAST, [mart("fct_demand_features")])],
    check_specs=[
        contract_check_spec(FORECAST.latest),
        dg.AssetCheckSpec(
            "beats_seasonal_naive",
            asset=asset_key(FORECAST.latest),
            description="Held-out MASE of the model is below the seasonal-naive MASE.",
        ),
    ],
)
def demand_forecast(context: dg.AssetExecutionContext, config: ForecastConfig, mesh: MeshResource):
    """Global gradient-boosted model over all SKU x DC series, scored on a held-out window
    beside the weekly seasonal-naive baseline, then refit on all history to forecast."""
    features = read_mart(mesh.paths, "fct_demand_features")
    score = score_holdout(features, horizon=config.horizon_days)
    forecast, _ = forecast_demand(
        features, horizon=config.horizon_days, model_version=f"hgb-{context.run.run_id[:8]}"
    )
    forecast = attach_error_std(forecast, forecast_error_std(score, forecast))
    result = publish_frame(FORECAST.key, forecast, paths=mesh.paths, run_id=context.run.run_id)
    yield from publish_events([(result, FORECAST.latest)], extra=score.as_metadata())
    yield dg.AssetCheckResult(
        asset_key=asset_key(FORECAST.latest),
        check_name="beats_seasonal_naive",
        passed=bool(score.model.mase < score.naive.mase),
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"model_mase": score.model.mase, "seasonal_naive_mase": score.naive.mase},
    )


@dg.multi_asset(
    name="inventory_plan",
    specs=[
        _spec(
            INVENTORY,
            [
                asset_key(FORECAST.latest),
                mart("fct_inventory_position"),
                mart("fct_supplier_lead_times"),
            ],
        )
    ],
    check_specs=[
        contract_check_spec(INVENTORY.latest),
        dg.AssetCheckSpec(
            "policy_invariants",
            asset=asset_key(INVENTORY.latest),
            blocking=True,
            description="Order quantities are whole cases, at least the MOQ, and "
            "lift the inventory position to the order-up-to level.",
        ),
    ],
)
def inventory_plan(context: dg.AssetExecutionContext, config: InventoryConfig, mesh: MeshResource):
    """Periodic-review order-up-to policy per SKU x DC from the published forecast."""
    forecast = read_product(mesh.paths, FORECAST.key)
    positions = read_mart(mesh.paths, "fct_inventory_position")
    lead_times = read_mart(mesh.paths, "fct_supplier_lead_times")
    plan_date = pd.Timestamp(forecast["forecast_origin"].max())
    plan = plan_inventory(
        forecast,
        None,
        positions,
        lead_times,
        plan_date,
        service_level=config.service_level,
        review_period_days=config.review_period_days,
    )
    result = publish_frame(INVENTORY.key, plan, paths=mesh.paths, run_id=context.run.run_id)
    yield from publish_events([(result, INVENTORY.latest)])
    yield _invariant_check(
        "policy_invariants", asset_key(INVENTORY.latest), check_inventory_plan(plan, positions)
    )


@dg.multi_asset(
    name="shipment_plan",
    specs=[
        _spec(
            SHIPMENTS,
            [asset_key(INVENTORY.latest), mart("fct_inventory_position"), mart("fct_lane_stats")],
        ),
        _spec(LOADS, [asset_key(INVENTORY.latest), mart("fct_lane_stats")]),
    ],
    check_specs=[
        contract_check_spec(SHIPMENTS.latest),
        contract_check_spec(LOADS.latest),
        dg.AssetCheckSpec(
            "plan_invariants",
            asset=asset_key(SHIPMENTS.latest),
            blocking=True,
            description="Every order on exactly one truck or listed with a reason; "
            "no truck over capacity; every on-time load arrives by its need-by date.",
        ),
    ],
)
def shipment_plan(context: dg.AssetExecutionContext, mesh: MeshResource):
    """Due purchase orders consolidated onto trucks per lane and ship date."""
    plan = read_product(mesh.paths, INVENTORY.key)
    items = read_mart(mesh.paths, "fct_inventory_position")
    lanes = read_mart(mesh.paths, "fct_lane_stats")
    plan_date = pd.Timestamp(plan["plan_date"].max())
    shipments = plan_shipments(plan, items, lanes, plan_date)
    results = [
        (
            publish_frame(
                SHIPMENTS.key, shipments.shipments, paths=mesh.paths, run_id=context.run.run_id
            ),
            SHIPMENTS.latest,
        ),
        (
            publish_frame(LOADS.key, shipments.loads, paths=mesh.paths, run_id=context.run.run_id),
            LOADS.latest,
        ),
    ]
    yield from publish_events(results)
    yield _invariant_check(
        "plan_invariants",
        asset_key(SHIPMENTS.latest),
        check_shipment_plan(shipments.shipments, shipments.loads, lanes),
    )


def planning_assets() -> list[dg.AssetsDefinition]:
    return [demand_forecast, inventory_plan, shipment_plan]
