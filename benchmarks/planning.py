"""Planning benchmark: model training/backtest time and peak memory, and the Done-when figures.

After a scale's world is materialized, two measured runs in its runtime folder:

* ``python -m benchmarks.planning train --out FILE``: one challenger trained from the features
  mart exactly as the ``ml/forecast_models`` asset does (search, rolling-origin backtest,
  importance, final fit), timed per phase; wall time and peak RSS of the whole process;
* ``mesh evaluate --json``: the champion's forecast figures, the inventory policy replayed on
  held-out demand against a tuned weeks-of-cover rule, and the logistics plan's invariants and
  trucks against the lower bound.

Usage on its own: ``python -m benchmarks.planning report <MESH_HOME>`` (both, then print).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from benchmarks.measure import measure


def train_once(out: Path) -> None:
    """Train one challenger on the current MESH_HOME's features; write timings and metrics."""
    from supplymesh.planning.model_lifecycle.training import TrainingConfig, train_challenger
    from supplymesh.planning_inputs import read_mart
    from supplymesh.planning_settings import load_planning_settings
    from supplymesh.settings import mesh_paths

    started = time.perf_counter()
    features = read_mart(mesh_paths(), "fct_demand_features")
    loaded = time.perf_counter() - started
    settings = load_planning_settings(mesh_paths().home)
    challenger = train_challenger(features, TrainingConfig.from_settings(settings))
    summary = challenger.backtest.summary()
    out.write_text(
        json.dumps(
            {
                "feature_rows": len(features),
                "load_seconds": loaded,
                "search_seconds": challenger.seconds.get("search", 0.0),
                "backtest_seconds": challenger.seconds.get("backtest", 0.0),
                "final_fit_seconds": challenger.seconds.get("fit", 0.0),
                "total_seconds": time.perf_counter() - started,
                "training_rows": challenger.model.n_train_rows,
                "fit_rows": challenger.model.n_fit_rows,
                "backtest_origins": len(challenger.backtest.origins),
                "model_mase": summary["model"].mase,
                "seasonal_naive_mase": summary["seasonal_naive"].mase,
                "p90_coverage": summary["model"].p90_coverage,
            }
        )
    )


def bench_planning(home: Path) -> dict:
    """Measured training and the evaluation report of one materialized runtime folder."""
    env = {"MESH_HOME": str(home)}
    train_file = home / "bench_train.json"
    train = measure(
        [sys.executable, "-m", "benchmarks.planning", "train", "--out", str(train_file)], env
    )
    report_file = home / "bench_evaluate.json"
    evaluate = measure(
        [sys.executable, "-m", "benchmarks.planning", "evaluate", "--out", str(report_file)], env
    )
    out: dict = {
        "train_seconds": train.seconds,
        "train_peak_mib": train.peak_mib,
        "evaluate_seconds": evaluate.seconds,
        "evaluate_peak_mib": evaluate.peak_mib,
    }
    if train.returncode == 0 and train_file.exists():
        out["train"] = json.loads(train_file.read_text())
    if evaluate.returncode == 0 and report_file.exists():
        out["evaluate"] = json.loads(report_file.read_text())
    return out


def evaluate_once(out: Path) -> None:
    from supplymesh.cli.evaluate import evaluate
    from supplymesh.settings import mesh_paths

    out.write_text(json.dumps(evaluate(mesh_paths()), default=str))


def print_planning(result: dict) -> None:
    """The planning part of a scale's benchmark, as the closing note needs it."""
    t = result.get("train")
    print(
        f"model training   {result['train_seconds']:8.1f} s   peak {result['train_peak_mib']:8.0f} MiB"
    )
    if t:
        print(
            f"  search {t['search_seconds']:.1f} s, backtest ({t['backtest_origins']} origins) "
            f"{t['backtest_seconds']:.1f} s, final fit {t['final_fit_seconds']:.1f} s on "
            f"{t['fit_rows']:,} of {t['training_rows']:,} rows"
        )
    e = result.get("evaluate")
    if not e:
        print("  evaluation FAILED")
        return
    f, inv, lg = e["forecast"], e["inventory"], e["logistics"]
    print(
        f"forecast: MASE {f['model_mase']:.3f} vs seasonal naive {f['seasonal_naive_mase']:.3f} "
        f"= {f['mase_ratio_vs_seasonal_naive']:.3f}x (<= 0.85: {f['mase_ratio_at_most_0_85']}), "
        f"P90 coverage {f['p90_coverage']:.3f} (0.85-0.95: {f['p90_coverage_in_range']})"
    )
    print(
        f"inventory: classes within 1.5 points {inv['classes_within_1_5_points']}/"
        f"{inv['n_classes']} (max gap {inv['max_abs_csl_gap_points']:.2f} pts; too few cycles: "
        f"{', '.join(inv['classes_too_small']) or 'none'}), average inventory "
        f"{inv['inventory_saving']:.1%} below weeks of cover at the same CSL "
        f"({inv['inventory_saving_units']:.1%} in units)"
    )
    for c in inv["classes"]:
        print(
            f"  {c['service_class']:>3}  target {c['target']:.3f}  CSL {c['policy_csl']:.4f}"
            f" (se {c.get('policy_csl_se') or 0:.4f})  fill {c['policy_fill_rate']:.4f}"
            f"  cover {c['cover_weeks']:.2f} wk  saving {c['inventory_saving']:+.1%}"
            if c["policy_csl"] is not None and c["service_class"] != "all"
            else f"  {c['service_class']:>3}  CSL {c['policy_csl'] or 0:.4f} vs target {c['target']:.3f}"
        )
    ratio = lg["truck_ratio"]
    print(
        f"logistics: {lg['trucks']} trucks vs lower bound {lg['lower_bound_trucks']}"
        f" ({'n/a' if ratio is None else f'{ratio:.3f}x'}), invariant violations "
        f"{lg['invariant_violations']}, late {lg['late_orders']}"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="verb", required=True)
    for verb in ("train", "evaluate"):
        p = sub.add_parser(verb)
        p.add_argument("--out", type=Path, required=True)
    r = sub.add_parser("report")
    r.add_argument("home", type=Path)
    args = parser.parse_args()
    if args.verb == "train":
        train_once(args.out)
    elif args.verb == "evaluate":
        evaluate_once(args.out)
    else:
        os.environ["MESH_HOME"] = str(args.home)
        result = bench_planning(args.home)
        print_planning(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
