"""The planning assets' own checks: the forecast against its baseline and its training data, the
supply plan against its invariants. Each spec says what it expects; each result says what it
found (the computations are ``supplymesh``'s, these only report them)."""

from __future__ import annotations

from collections.abc import Iterator

import dagster as dg
import pandas as pd

from supplymesh.planning.coordination.kpis import MAX_TRUCK_RATIO
from supplymesh.planning.coordination.supply_plan import SettledSupplyPlan
from supplymesh.planning.model_lifecycle.drift import DriftReport
from supplymesh.planning.model_lifecycle.serving import ForecastDrift


def forecast_check_specs(forecast: dg.AssetKey) -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            "beats_seasonal_naive",
            asset=forecast,
            description="The serving model's backtest MASE is below the seasonal-naive MASE.",
        ),
        dg.AssetCheckSpec(
            "feature_drift",
            asset=forecast,
            description="No monitored input of the rows forecast now drifted from the champion's "
            "training reference (PSI and KS both over their bounds).",
        ),
        dg.AssetCheckSpec(
            "target_drift",
            asset=forecast,
            description="Demand of the latest weeks did not drift from the champion's training "
            "reference (PSI and KS both over their bounds).",
        ),
    ]


def supply_plan_check_specs(
    inventory: dg.AssetKey, shipments: dg.AssetKey, loads: dg.AssetKey
) -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            "policy_invariants",
            asset=inventory,
            blocking=True,
            description="Order quantities are whole cases, at least the MOQ, and "
            "lift the inventory position to the order-up-to level.",
        ),
        dg.AssetCheckSpec(
            "plan_invariants",
            asset=shipments,
            blocking=True,
            description="Every order on exactly one truck or listed with a reason; "
            "no truck over capacity; every on-time load arrives by its need-by date.",
        ),
        dg.AssetCheckSpec(
            "trucks_near_lower_bound",
            asset=loads,
            description=f"Trucks used are at most {MAX_TRUCK_RATIO}x the sum of the lane-window "
            "lower bounds (ceil of load over capacity on the binding dimension).",
        ),
    ]


def beats_seasonal_naive_check(forecast: dg.AssetKey, champion: pd.Series) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=forecast,
        check_name="beats_seasonal_naive",
        passed=bool(champion["backtest_mase"] < champion["seasonal_naive_mase"]),
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "model_mase": float(champion["backtest_mase"]),
            "seasonal_naive_mase": float(champion["seasonal_naive_mase"]),
        },
    )


def drift_check(forecast: dg.AssetKey, name: str, report: DriftReport) -> dg.AssetCheckResult:
    """A drift report as a WARN check: which columns drifted, by how much, against which bounds."""
    table = report.table.round(4)
    config = report.config
    return dg.AssetCheckResult(
        asset_key=forecast,
        check_name=name,
        passed=report.passed,
        severity=dg.AssetCheckSeverity.WARN,
        description=report.describe(),
        metadata={
            "drifted": ", ".join(report.drifted) or "none",
            "max_psi": float(table["psi"].max()) if len(table) else 0.0,
            "max_ks": float(table["ks"].max()) if len(table) else 0.0,
            "bounds": f"PSI > {config.max_psi} and KS > {config.max_ks}"
            f" and KS p-value < {config.max_pvalue}",
            "columns": dg.MetadataValue.md(
                table.to_markdown(index=False) if len(table) else "none"
            ),
        },
    )


def forecast_checks(
    forecast: dg.AssetKey, champion: pd.Series, drift: ForecastDrift
) -> Iterator[dg.AssetCheckResult]:
    yield beats_seasonal_naive_check(forecast, champion)
    yield drift_check(forecast, "feature_drift", drift.features)
    yield drift_check(forecast, "target_drift", drift.target)


def invariant_check(name: str, key: dg.AssetKey, violations: list[str]) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=name,
        passed=not violations,
        metadata={
            "violations": len(violations),
            "sample": dg.MetadataValue.md("\n".join(f"- {v}" for v in violations[:20]) or "none"),
        },
    )


def supply_plan_checks(
    plan: SettledSupplyPlan, inventory: dg.AssetKey, shipments: dg.AssetKey, loads: dg.AssetKey
) -> Iterator[dg.AssetCheckResult]:
    yield invariant_check("policy_invariants", inventory, plan.inventory_violations)
    yield invariant_check("plan_invariants", shipments, plan.shipment_violations)
    trucks, bound = plan.trucks, plan.lower_bound_trucks
    yield dg.AssetCheckResult(
        asset_key=loads,
        check_name="trucks_near_lower_bound",
        passed=plan.trucks_near_lower_bound,
        metadata={
            "trucks": trucks,
            "lower_bound": bound,
            "ratio": trucks / bound if bound else 1.0,
            "mean_binding_fill": plan.mean_binding_fill,
        },
    )
