"""The figures a planner checks before trusting the plan, in one report (``mesh evaluate``).

* Forecast: the serving champion's rolling-origin backtest beside seasonal naive and the moving
  average (MASE, WAPE, bias, P90 coverage), from the registry.
* Inventory: the policy replayed on the champion's held-out windows (``inventory_sim``): cycle
  service level and fill rate per ABC/XYZ class against target, average inventory against a
  weeks-of-cover rule tuned to the same service level. Each class's CSL comes with a standard
  error (series resampled), so a gap can be told from noise on a small network.
* Logistics: the published shipment plan's invariants, trucks against the lower bound, fill.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from supplymesh.planning.coordination.coordinator import binding_fill
from supplymesh.planning.coordination.kpis import MAX_TRUCK_RATIO, lower_bound_total
from supplymesh.planning.coordination.plan_checks import check_shipment_plan
from supplymesh.planning.inventory.simulation import (
    InventoryEvaluation,
    RunResult,
    SimulationConfig,
    SimulationData,
    evaluate_policy,
)

CSL_TOLERANCE_POINTS = 1.5
MIN_INVENTORY_SAVING = 0.15
MAX_FORECAST_MASE_RATIO = 0.85
P90_COVERAGE_RANGE = (0.85, 0.95)
BOOTSTRAP_DRAWS = 200


def forecast_figures(champion: pd.Series) -> dict[str, object]:
    """The champion's backtest evidence, and the Done-when comparisons."""
    ratio = float(champion["backtest_mase"]) / float(champion["seasonal_naive_mase"])
    coverage = float(champion["backtest_p90_coverage"])
    return {
        "model_version": champion["model_version"],
        "backtest_origins": int(champion["backtest_origins"]),
        "model_mase": float(champion["backtest_mase"]),
        "seasonal_naive_mase": float(champion["seasonal_naive_mase"]),
        "moving_average_mase": float(champion["moving_average_mase"]),
        "mase_ratio_vs_seasonal_naive": ratio,
        "model_mase_total": float(champion["backtest_mase_total"]),
        "model_wape": float(champion["backtest_wape"]),
        "model_bias": float(champion["backtest_bias"]),
        "p90_coverage": coverage,
        "beats_seasonal_naive": bool(ratio < 1.0),
        "mase_ratio_at_most_0_85": bool(ratio <= MAX_FORECAST_MASE_RATIO),
        "p90_coverage_in_range": bool(P90_COVERAGE_RANGE[0] <= coverage <= P90_COVERAGE_RANGE[1]),
    }


def csl_standard_errors(data: SimulationData, result: RunResult, seed: int = 0) -> pd.Series:
    """Standard error of each class's cycle service level in the replay ``result``, resampling
    its series (a class of a few dozen series measures its CSL to within a couple of points at
    best)."""
    frame = data.series[["service_class"]].assign(
        cycles=result.cycles, stockouts=result.stockout_cycles
    )
    rng = np.random.default_rng(seed)
    out = {}
    for cls, part in frame.groupby("service_class"):
        cycles, stockouts = part["cycles"].to_numpy(), part["stockouts"].to_numpy()
        n = len(part)
        picks = rng.integers(0, n, (BOOTSTRAP_DRAWS, n))
        c, s = cycles[picks].sum(axis=1), stockouts[picks].sum(axis=1)
        ok = c > 0
        out[cls] = float(np.std(1.0 - s[ok] / c[ok])) if ok.sum() > 1 else np.nan
    return pd.Series(out, name="policy_csl_se")


@dataclass
class InventoryFigures:
    evaluation: InventoryEvaluation
    standard_errors: pd.Series

    def table(self) -> pd.DataFrame:
        comp = self.evaluation.comparison()
        comp["policy_csl_se"] = comp["service_class"].map(self.standard_errors)
        comp["within_tolerance"] = comp["csl_gap_points"].abs() <= CSL_TOLERANCE_POINTS
        return comp

    def headline(self) -> dict[str, object]:
        out = self.evaluation.headline()
        out["csl_within_1_5_points_every_class"] = bool(
            out["classes_within_1_5_points"] == out["n_classes"]
        )
        out["saving_at_least_15_percent"] = bool(out["inventory_saving"] >= MIN_INVENTORY_SAVING)
        return out


def inventory_figures(data: SimulationData, config: SimulationConfig) -> InventoryFigures:
    evaluation = evaluate_policy(data, config)
    return InventoryFigures(evaluation, csl_standard_errors(data, evaluation.policy_result))


def logistics_figures(
    shipments: pd.DataFrame, loads: pd.DataFrame, lanes: pd.DataFrame
) -> dict[str, object]:
    """Invariants and truck efficiency of a published shipment plan."""
    violations = check_shipment_plan(shipments, loads, lanes)
    bound = lower_bound_total(loads)
    trucks = len(loads)
    fill = binding_fill(loads)
    return {
        "orders": len(shipments),
        "orders_assigned": int((shipments["status"] == "assigned").sum()) if len(shipments) else 0,
        "late_orders": int(shipments["is_late"].sum()) if len(shipments) else 0,
        "trucks": trucks,
        "lower_bound_trucks": bound,
        "truck_ratio": trucks / bound if bound else None,
        "trucks_within_1_1x_bound": bool(trucks <= MAX_TRUCK_RATIO * bound) if bound else True,
        "mean_binding_fill": float(fill.mean()) if trucks else None,
        "ftl_loads": int((loads["mode"] == "FTL").sum()) if trucks else 0,
        "transport_cost": float(loads["cost"].sum()) if trucks else 0.0,
        "invariant_violations": len(violations),
        "violation_sample": violations[:10],
    }
