"""Planning benchmark: the demand model's quality, and `mesh evaluate`'s figures.

After a scale's first `mesh materialize` (the one that trains), the model's quality is read
from the published model registry, not retrained: the champion's ``backtest_mase`` over its
``seasonal_naive_mase`` (the MASE ratio the issue keeps within 0.02 of its recorded figure) and
``backtest_p90_coverage``. The training time is the run's ``forecast_model`` step
(``benchmarks.steps``).

``mesh evaluate --json`` (small and medium only: it replays the inventory policy and is slow on
large) adds the champion's forecast figures, the inventory policy replayed on held-out demand
against a tuned weeks-of-cover rule, and the logistics plan's invariants and trucks against the
lower bound.

Usage on its own: ``python -m benchmarks.planning <MESH_HOME>`` (both, then print).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from benchmarks.measure import measure


def model_quality(home: Path) -> dict | None:
    """The published champion's backtest figures; None before a champion exists."""
    from supplymesh.planning_inputs import published_model_registry
    from supplymesh.settings import MeshPaths

    registry = published_model_registry(MeshPaths(home))
    champions = registry[registry["status"] == "champion"]
    if champions.empty:
        return None
    row = champions.iloc[0]
    return {
        "model_version": str(row["model_version"]),
        "backtest_mase": float(row["backtest_mase"]),
        "seasonal_naive_mase": float(row["seasonal_naive_mase"]),
        "mase_ratio": float(row["backtest_mase"]) / float(row["seasonal_naive_mase"]),
        "p90_coverage": float(row["backtest_p90_coverage"]),
    }


def bench_evaluation(home: Path) -> dict:
    """``mesh evaluate --json`` on the world at ``home``, timed; its report when it succeeded."""
    report_file = home / "bench_evaluate.json"
    mesh = str(Path(sys.executable).with_name("mesh"))
    run = measure([mesh, "evaluate", "--json"], {"MESH_HOME": str(home)}, stdout=report_file)
    out: dict = {"measurement": run.as_dict()}
    if run.returncode == 0 and report_file.exists():
        out["report"] = json.loads(report_file.read_text())
    return out


def print_quality(quality: dict | None) -> None:
    if quality is None:
        print("model: no champion published")
        return
    print(
        f"model {quality['model_version']}: backtest MASE {quality['backtest_mase']:.4f} vs "
        f"seasonal naive {quality['seasonal_naive_mase']:.4f}: ratio {quality['mase_ratio']:.4f}"
        f", P90 coverage {quality['p90_coverage']:.3f}"
    )


def print_evaluation(evaluation: dict) -> None:
    """`mesh evaluate`'s figures, as the closing note needs them."""
    e = evaluation.get("report")
    m = evaluation["measurement"]
    print(f"mesh evaluate  {m['seconds']:8.1f} s   peak {m['peak_mib']:8.0f} MiB")
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
    parser.add_argument("home", type=Path, help="a materialized world's MESH_HOME")
    args = parser.parse_args()
    home = args.home.resolve()
    print_quality(model_quality(home))
    print_evaluation(bench_evaluation(home))
    return 0


if __name__ == "__main__":
    sys.exit(main())
