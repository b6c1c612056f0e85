"""Lost-sales benchmark: the demand model trained with and without imputed stock-out days.

On one materialized generated world, for each value of ``model.impute_lost_sales``, a
challenger is trained in process exactly as the ``forecast_model`` step trains one
(``train_challenger`` with the world's planning settings) and judged three ways:

* the backtest, as the registry records it (MASE against seasonal naive, bias, P90 coverage);
  its actuals are recorded sales on days not stocked out, the same rows whatever the variant;
* against the generator's true demand (``true_demand``, rebuilt from the world's seed) on every
  held-out day and on the held-out stock-out days, where recorded sales are censored: the bias
  the correction is for;
* the inventory policy replayed on the backtest windows against a weeks-of-cover rule, as
  ``mesh evaluate`` replays the champion's (service level per class, stock value saved), on
  recorded sales as ``mesh evaluate`` does and again on true demand.

The imputation itself is scored first: estimate against true demand on the history's stock-out
days. Nothing is published and the registry is not touched.

Usage: ``python -m benchmarks.lost_sales <MESH_HOME> --scale small [--seed 7] [--json FILE]``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from supplymesh.world.demand import chunk_demand
from supplymesh.world.generate import DEFAULT_AS_OF, build_world, plan_chunks
from supplymesh.world.rng import Stream, stream
from supplymesh.world.scales import get_scale

KEYS = ["sku", "location_id", "demand_date"]


def true_demand(scale: str, seed: int = 7, as_of: date = DEFAULT_AS_OF) -> pd.DataFrame:
    """What customers wanted in a generated world, before stock-outs censored it: one row per
    SKU x DC x history day (``sku, location_id, demand_date, true_demand``).

    The landing extracts carry only sales (``min(demand, stock)``); the generator's demand is
    never written. It is deterministic in (scale, seed, as-of date), though: every SKU's demand
    comes from its own named random stream (``supplymesh.world.rng``), drawn first, so rebuilding
    the world and drawing each chunk's demand again gives exactly the demand behind the sales."""
    spec = get_scale(scale)
    world = build_world(spec, seed, as_of)
    days = world.cal.days[: spec.history_days]
    parts = []
    for skus in plan_chunks(world.item_master.supplier, spec.n_suppliers, spec.chunk_skus):
        rngs = [stream(seed, Stream.SKU, int(k)) for k in skus]  # as write_chunk draws them
        dem = chunk_demand(
            skus,
            world.profiles,
            world.item_master,
            world.cal,
            world.prices,
            world.promos,
            world.net.dc_region,
            rngs,
        )
        n_series, h = dem.demand.shape  # series are SKU-major, DC-minor
        sku_of = np.repeat(skus, spec.n_dcs)
        dc_of = np.tile(np.arange(spec.n_dcs), skus.size)
        parts.append(
            pd.DataFrame(
                {
                    "sku": np.repeat(np.asarray(world.item_master.skus)[sku_of], h),
                    "location_id": np.repeat(np.asarray(world.net.dc_ids)[dc_of], h),
                    "demand_date": np.tile(days, n_series),
                    "true_demand": dem.demand.reshape(-1).astype(float),
                }
            )
        )
    out = pd.concat(parts, ignore_index=True)
    out["demand_date"] = pd.to_datetime(out["demand_date"])
    return out


def imputation_quality(history: pd.DataFrame) -> dict[str, float]:
    """The estimate against true demand on the history's stock-out days (one pass, all days)."""
    from supplymesh.planning.forecasting.lost_sales import impute_lost_sales

    out = impute_lost_sales(history)
    stockout = history["is_stockout"].to_numpy(bool)
    imputed = out["is_imputed"].to_numpy(bool)
    truth = history["true_demand"].to_numpy(float)
    sold = history["units_sold"].to_numpy(float)
    estimate = out["units_sold"].to_numpy(float)
    promo = history["is_promo"].to_numpy(bool)

    def share(values: np.ndarray, rows: np.ndarray) -> float:
        return float(values[rows].sum() / truth[rows].sum())

    return {
        "history_days": len(history),
        "stockout_days": int(stockout.sum()),
        "stockout_share": float(stockout.mean()),
        "lost_share_of_demand": float((truth - sold)[stockout].sum() / truth.sum()),
        "imputed_share_of_stockouts": float(imputed.sum() / max(stockout.sum(), 1)),
        "sold_over_true": share(sold, imputed),
        "estimate_over_true": share(estimate, imputed),
        "estimate_over_true_promo": share(estimate, imputed & promo),
        "estimate_over_true_regular": share(estimate, imputed & ~promo),
        "mae_sold": float(np.abs(sold - truth)[imputed].mean()),
        "mae_estimate": float(np.abs(estimate - truth)[imputed].mean()),
    }


def truth_figures(predictions: pd.DataFrame) -> dict[str, float]:
    """Backtest P50/P90 against true demand: all held-out days, and the stock-out days."""
    out: dict[str, float] = {}
    for name, rows in (
        ("all", predictions),
        ("stockout", predictions[predictions["is_stockout"]]),
    ):
        truth = rows["true_demand"].to_numpy(float)
        p50, p90 = rows["p50"].to_numpy(float), rows["p90"].to_numpy(float)
        out[f"true_bias_{name}"] = float((p50 - truth).sum() / truth.sum())
        out[f"true_p90_coverage_{name}"] = float(np.mean(truth <= p90))
        out[f"rows_{name}"] = len(rows)
    return out


def inventory_replays(predictions: pd.DataFrame, world: dict, settings) -> dict[str, dict]:
    """``mesh evaluate``'s inventory replay of these backtest windows, three ways: on recorded
    sales (what ``mesh evaluate`` reports); the same policy facing true demand (recorded sales
    of the held-out stock-out days are censored by the world's own shortages, which the
    replayed policy may not have); and a policy sized on true demand facing it (what buffers
    sized on uncensored held-out actuals would give)."""
    from supplymesh.planning.inventory.simulation import SimulationConfig
    from supplymesh.planning.inventory.simulation_inputs import prepare_simulation

    config = SimulationConfig.from_settings(settings)

    def prepare(rows: pd.DataFrame):
        return prepare_simulation(
            rows, world["history"], world["items"], world["lead_samples"], config
        )

    recorded = prepare(predictions)
    on_truth = prepare(predictions.assign(actual=predictions["true_demand"]))
    return {
        "recorded": _replay(recorded, config),
        "true_demand": _replay(replace(recorded, demand=on_truth.demand), config),
        "true_demand_sized_on_truth": _replay(on_truth, config),
    }


def _replay(data, config) -> dict:
    from supplymesh.planning.coordination.evaluation import inventory_figures

    figures = inventory_figures(data, config)
    table = figures.table()
    return {
        **figures.headline(),
        "classes": json.loads(table.round(4).to_json(orient="records")),
    }


def with_corrected_lags(features: pd.DataFrame) -> pd.DataFrame:
    """The mart with its lag and rolling columns recomputed from the imputed series (as
    ``int_demand__lag_features`` computes them at a 28-day horizon), for the experiment of
    lags that read corrected sales. The estimate is made once over the whole history, so a
    lag of a backtest window's row may read an estimate that looked past the window's origin:
    a small leak in the experiment's favour."""
    from supplymesh.planning.forecasting.forecast import prepare_frame
    from supplymesh.planning.forecasting.lost_sales import impute_lost_sales

    frame, _as_of = prepare_frame(features)
    history = frame[frame["_history"]]
    corrected = impute_lost_sales(history)[[*KEYS, "units_sold"]]
    out = features.copy()
    out["demand_date"] = pd.to_datetime(out["demand_date"])
    out = out.merge(corrected.rename(columns={"units_sold": "_corrected"}), on=KEYS, how="left")
    out = out.sort_values(KEYS, kind="stable").reset_index(drop=True)
    by_series = out.groupby(["sku", "location_id"], sort=False)["_corrected"]
    for k in (28, 35, 42, 364):
        out[f"lag_{k}"] = by_series.shift(k)
    shifted = out.groupby(["sku", "location_id"], sort=False)["lag_28"]
    for w in (7, 28, 91):
        out[f"rolling_mean_{w}_lag28"] = shifted.transform(
            lambda s, w=w: s.rolling(w, min_periods=1).mean()
        )
    out["rolling_std_28_lag28"] = shifted.transform(lambda s: s.rolling(28, min_periods=2).std())
    return out[features.columns]


def run_variant(features: pd.DataFrame, truth: pd.DataFrame, world: dict, name: str) -> dict:
    """Train one challenger (``name``: off, on, or on+lags) and score it every way."""
    from supplymesh.planning.model_lifecycle.training import TrainingConfig, train_challenger

    impute = name != "off"
    if name == "on+lags":
        features = with_corrected_lags(features)
    settings = world["settings"].updated({"model": {"impute_lost_sales": impute}}, "benchmark")
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    challenger = train_challenger(features, TrainingConfig.from_settings(settings))
    seconds = time.perf_counter() - started
    backtest = challenger.backtest
    summary = backtest.summary()
    predictions = backtest.predictions.copy()
    predictions["demand_date"] = pd.to_datetime(predictions["demand_date"])
    scored = predictions.merge(truth, on=KEYS, how="left")
    return {
        "variant": name,
        "impute_lost_sales": impute,
        "train_seconds": round(seconds, 1),
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        "params": challenger.params.recipe(),
        "backtest_mase": summary["model"].mase,
        "seasonal_naive_mase": summary["seasonal_naive"].mase,
        "mase_ratio": summary["model"].mase / summary["seasonal_naive"].mase,
        "backtest_bias": summary["model"].bias,
        "backtest_p90_coverage": summary["model"].p90_coverage,
        **truth_figures(scored),
        "inventory": inventory_replays(scored, world, settings),
    }


def load_world(home: Path) -> tuple[pd.DataFrame, dict]:
    """The mart and what the replay reads, as ``mesh evaluate`` reads them."""
    from supplymesh.cli.evaluate import plan_settings
    from supplymesh.planning.inventory.protection_quantiles import lead_time_samples
    from supplymesh.planning_inputs import read_mart, read_product
    from supplymesh.settings import MeshPaths

    paths = MeshPaths(home)
    features = read_mart(paths, "fct_demand_features")
    history = features[features["is_history"].fillna(False).astype(bool)]
    world = {
        "settings": plan_settings(paths)[0],
        "history": history[["sku", "location_id", "demand_date", "units_sold"]],
        "items": read_mart(paths, "fct_inventory_position"),
        "lead_samples": lead_time_samples(
            read_product(paths, "procurement.purchase_receipts"),
            read_product(paths, "network.locations"),
        ),
    }
    return features, world


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("home", type=Path, help="a materialized generated world's MESH_HOME")
    parser.add_argument("--scale", required=True, help="the scale it was generated at")
    parser.add_argument("--seed", type=int, default=7, help="the seed it was generated with")
    parser.add_argument("--json", type=Path, help="write every figure here")
    parser.add_argument(
        "--variants", default="off,on", help="off, on and/or on+lags (comma-separated)"
    )
    args = parser.parse_args()
    from supplymesh.planning.forecasting.forecast import prepare_frame

    features, world = load_world(args.home.resolve())
    frame, as_of = prepare_frame(features)
    truth = true_demand(args.scale, args.seed, as_of.date())
    history = frame[frame["_history"]].merge(truth, on=KEYS, how="left")
    if history["true_demand"].isna().any():
        raise SystemExit("the world at HOME is not the generated world of --scale/--seed")
    report = {"scale": args.scale, "imputation": imputation_quality(history), "variants": []}
    print_imputation(report["imputation"])
    for name in args.variants.split(","):
        variant = run_variant(features, truth, world, name)
        report["variants"].append(variant)
        print_variant(variant)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str))
    return 0


def print_imputation(q: dict) -> None:
    print(
        f"stock-out days {q['stockout_days']:,} of {q['history_days']:,} "
        f"({q['stockout_share']:.1%}), lost {q['lost_share_of_demand']:.1%} of true demand; "
        f"estimated {q['imputed_share_of_stockouts']:.1%} of them: sold/true "
        f"{q['sold_over_true']:.3f}, estimate/true {q['estimate_over_true']:.3f} (promoted "
        f"{q['estimate_over_true_promo']:.3f}, regular {q['estimate_over_true_regular']:.3f}); "
        f"MAE {q['mae_sold']:.2f} -> {q['mae_estimate']:.2f} units"
    )


def print_variant(v: dict) -> None:
    print(
        f"{v['variant']}: trained in {v['train_seconds']} s (load "
        f"{v['load_before']:.1f}->{v['load_after']:.1f}); MASE {v['backtest_mase']:.4f} / "
        f"{v['seasonal_naive_mase']:.4f} = {v['mase_ratio']:.4f}, bias {v['backtest_bias']:+.4f},"
        f" P90 coverage {v['backtest_p90_coverage']:.3f}; vs true demand: bias all "
        f"{v['true_bias_all']:+.4f}, stock-out days {v['true_bias_stockout']:+.4f} "
        f"({v['rows_stockout']} rows), P90 coverage stock-out days "
        f"{v['true_p90_coverage_stockout']:.3f}"
    )
    for label, key in (
        ("recorded sales", "recorded"),
        ("true demand", "true_demand"),
        ("true demand, sized on it", "true_demand_sized_on_truth"),
    ):
        print_inventory(label, v["inventory"][key], classes=key != "true_demand_sized_on_truth")


def print_inventory(label: str, inv: dict, classes: bool = True) -> None:
    print(
        f"  inventory replay on {label}: classes within 1.5 points "
        f"{inv['classes_within_1_5_points']}/{inv['n_classes']} (max gap "
        f"{inv['max_abs_csl_gap_points']:.2f}), saving {inv['inventory_saving']:.1%} vs weeks of cover"
    )
    for c in inv["classes"] if classes else []:
        if c["service_class"] != "all" and c["policy_csl"] is not None:
            print(
                f"    {c['service_class']:>3} target {c['target']:.3f} CSL {c['policy_csl']:.4f}"
                f" gap {c['csl_gap_points']:+.2f} saving {c['inventory_saving']:+.1%}"
            )


if __name__ == "__main__":
    sys.exit(main())
