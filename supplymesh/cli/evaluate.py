"""``mesh evaluate``: forecast, inventory and logistics figures for the current world.

Reads the published products, the marts and the serving champion's artifacts (nothing is
re-trained): the champion's backtest, the inventory policy replayed on its held-out windows
against a tuned weeks-of-cover rule, and the published shipment plan's invariants and trucks.
The replay uses the planning settings the published inventory plan was made with (recorded on
its snapshot), not the defaults: a plan made with ``--set inventory.service_targets.AX=0.99`` is
judged against 0.99.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import TYPE_CHECKING

from supplymesh.publishing.manifest import current_snapshot, read_manifest
from supplymesh.registry import get_product
from supplymesh.settings import MeshPaths, mesh_paths

if TYPE_CHECKING:
    from supplymesh.planning_settings import PlanningSettings

# The planners (pandas, scikit-learn) are imported by ``evaluate`` and ``_print``, when the verb
# runs: declaring it, and `mesh --help`, imports none of them.

PLAN = "planning.inventory_plan"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("evaluate", help="forecast, inventory and logistics figures of the world")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--seeds",
        type=int,
        help="lead-time draws of the simulation (default: evaluation.simulation_seeds)",
    )
    p.set_defaults(run=run)


def plan_settings(paths: MeshPaths) -> tuple[PlanningSettings, str]:
    """The planning settings the served inventory plan was made with, and where they come from
    (a plan published before settings were recorded: the runtime folder's settings)."""
    from supplymesh.planning_settings import PLANNING_SETTINGS_KEY, load_planning_settings

    product = get_product(PLAN)
    snap = current_snapshot(read_manifest(paths), product.key, product.latest.major)
    recorded = (snap or {}).get("metadata", {}).get(PLANNING_SETTINGS_KEY)
    if recorded is None:
        return load_planning_settings(paths.home), "planning.yaml (the plan records none)"
    source = f"{PLAN} snapshot {snap['snapshot_id']}"
    return load_planning_settings(paths.home, overrides=recorded), source


def evaluate(paths: MeshPaths, seeds: int | None = None) -> dict[str, object]:
    """Every figure of the report, as plain values."""
    from supplymesh.planning.coordination.evaluation import (
        forecast_figures,
        inventory_figures,
        logistics_figures,
    )
    from supplymesh.planning.inventory.protection_quantiles import lead_time_samples
    from supplymesh.planning.inventory.simulation import SimulationConfig
    from supplymesh.planning.inventory.simulation_inputs import prepare_simulation
    from supplymesh.planning.model_lifecycle import model_registry as reg
    from supplymesh.planning_inputs import published_model_registry, read_mart, read_product

    started = time.perf_counter()
    champion = reg.champion(published_model_registry(paths))
    if champion is None:
        raise SystemExit("no champion model yet: run `mesh materialize` (and approve if required)")
    settings, source = plan_settings(paths)
    features = read_mart(paths, "fct_demand_features")
    history = features[features["is_history"].fillna(False).astype(bool)]
    items = read_mart(paths, "fct_inventory_position")
    samples = lead_time_samples(
        read_product(paths, "procurement.purchase_receipts"),
        read_product(paths, "network.locations"),
    )
    config = SimulationConfig.from_settings(settings, seeds)
    data = prepare_simulation(
        reg.load_backtest(champion),
        history[["sku", "location_id", "demand_date", "units_sold"]],
        items,
        samples,
        config,
    )
    inventory = inventory_figures(data, config)
    logistics = logistics_figures(
        read_product(paths, "planning.shipment_plan"),
        read_product(paths, "planning.truck_loads"),
        read_mart(paths, "fct_lane_stats"),
    )
    table = inventory.table()
    return {
        "mesh_home": str(paths.home),
        "settings": {
            "source": source,
            "review_period_days": config.review_period_days,
            "service_targets": dict(config.targets.targets),
        },
        "forecast": forecast_figures(champion),
        "inventory": {
            **inventory.headline(),
            "classes": json.loads(table.round(4).to_json(orient="records")),
            "cover_weeks": inventory.evaluation.cover_weeks,
        },
        "logistics": logistics,
        "seconds": round(time.perf_counter() - started, 1),
    }


def _print(report: dict) -> None:
    import pandas as pd

    s = report["settings"]
    targets = " ".join(f"{c} {t:g}" for c, t in s["service_targets"].items())
    print(
        f"settings ({s['source']}): review every {s['review_period_days']} days; targets {targets}"
    )
    f = report["forecast"]
    print(f"forecast (champion {f['model_version']}, {f['backtest_origins']} backtest origins)")
    print(
        f"  MASE model {f['model_mase']:.3f}  seasonal naive {f['seasonal_naive_mase']:.3f}  "
        f"moving average {f['moving_average_mase']:.3f}  -> {f['mase_ratio_vs_seasonal_naive']:.3f}"
        f" x seasonal naive"
    )
    print(
        f"  WAPE {f['model_wape']:.3f}  bias {f['model_bias']:+.3f}  P90 coverage "
        f"{f['p90_coverage']:.3f}  total-level MASE {f['model_mase_total']:.3f}"
    )
    inv = report["inventory"]
    print(
        f"inventory (policy replayed on {inv['measured_days']} held-out days, {inv['n_series']} "
        f"series, {inv['seeds']} lead-time seeds; weeks of cover tuned to the same CSL per class)"
    )
    table = pd.DataFrame(inv["classes"])
    cols = {
        "service_class": "class",
        "target": "target",
        "n_series": "series",
        "policy_csl": "CSL",
        "policy_csl_se": "se",
        "csl_gap_points": "gap pts",
        "policy_fill_rate": "fill",
        "cover_weeks": "cover wks",
        "cover_csl": "cover CSL",
        "inventory_saving": "saving",
    }
    with pd.option_context("display.width", 200):
        print(table[list(cols)].rename(columns=cols).round(4).to_string(index=False))
    print(
        f"  average inventory value: policy {inv['policy_on_hand_value']:,.0f} vs weeks of cover "
        f"{inv['cover_on_hand_value']:,.0f} -> {inv['inventory_saving']:.1%} less "
        f"({inv['inventory_saving_units']:.1%} in units); classes within 1.5 points: "
        f"{inv['classes_within_1_5_points']}/{inv['n_classes']}"
    )
    lg = report["logistics"]
    ratio = "n/a" if lg["truck_ratio"] is None else f"{lg['truck_ratio']:.3f}"
    print(
        f"logistics: {lg['orders']} orders, {lg['trucks']} trucks vs lower bound "
        f"{lg['lower_bound_trucks']} (ratio {ratio}), {lg['late_orders']} late, "
        f"invariant violations {lg['invariant_violations']}"
    )


def run(args: argparse.Namespace) -> int:
    report = evaluate(mesh_paths(), seeds=args.seeds)
    if args.json:
        json.dump(report, sys.stdout, indent=2, default=str)
        print()
    else:
        _print(report)
    return 0
