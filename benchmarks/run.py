"""`make bench`: every target of issue 10 measured in one run, each printed next to its figure.

Per scale (``benchmarks.scales``): generate, a first `mesh materialize` (it trains), a second
(no training due; not on large), each timed with its peak RSS, the training time and every
step's duration from the runs' Dagster event log, the model's quality from the published
registry, contract validation (not on large) and `mesh evaluate` (small and medium). The CLI's
start-up (``benchmarks.cli``) on the small world, right after it. At the end one table of every target
(``benchmarks.targets``), printed and written as Markdown to ``$MESH_HOME/bench/targets.md``
for docs/benchmarks.md; every figure to ``$MESH_HOME/bench/results.json``.

Usage: python -m benchmarks.run [--scales small,medium,completejourney,large] [--seed 7]
(``tiny`` runs too: the benchmark's own end-to-end check; no target reads it.)
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from benchmarks.cli import bench_cli, print_cli
from benchmarks.planning import print_evaluation, print_quality
from benchmarks.report import document, machine, now, print_scale
from benchmarks.scales import bench_scale, plan_of
from benchmarks.validation import print_validation
from supplymesh.progress import Stages
from supplymesh.settings import mesh_home

DEFAULT_SCALES = "small,medium,completejourney,large"  # the longest last


def print_details(r: dict) -> None:
    """What one scale measured beyond the per-scale table."""
    print_scale(r)
    if "validation" in r:
        print_validation(r["validation"])
    if r.get("runs", {}).get("first"):
        print_quality(r.get("model"))
    if "evaluation" in r:
        print_evaluation(r["evaluation"])


def cli_figures(scales: dict, seed: int) -> dict | None:
    """The start-up figures on the small world when it was materialized, else on one of its
    own (``benchmarks.cli`` generates it and publishes only sales.orders)."""
    small = scales.get("small", {}).get("runs", {}).get("first", {}).get("ok")
    try:
        cli = bench_cli(mesh_home() / "bench" / ("small" if small else "cli"), seed)
    except RuntimeError as exc:  # a verb that failed: the table says "not run", this says why
        print(f"mesh start-up benchmark FAILED: {exc}", file=sys.stderr)
        return None
    print_cli(cli)
    return cli


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", default=DEFAULT_SCALES, help="comma-separated")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # each scale's figures as it ends, in a log too
    os.environ["MESH_HOME"] = str(mesh_home())  # every child measures under the same folder
    names = [s for s in args.scales.split(",") if s]
    load_start = os.getloadavg()[0]
    total = sum(plan_of(s).stages() for s in names) + 1
    stages = Stages("bench", total=total)  # shown on a terminal only
    scales: dict[str, dict] = {}
    cli = None
    for name in names:
        scales[name] = bench_scale(name, args.seed, stages)
        print_details(scales[name])
        if name == "small":  # measured at once, before the long scales
            with stages.stage("mesh start-up"):
                cli = cli_figures(scales, args.seed)
    if "small" not in names:
        with stages.stage("mesh start-up"):
            cli = cli_figures(scales, args.seed)
    results = {
        "scales": scales,
        "cli": cli,
        "seed": args.seed,
        "machine": machine(),
        "load_average": (load_start, os.getloadavg()[0]),
        "finished": now(),
    }
    out = mesh_home() / "bench"
    out.mkdir(parents=True, exist_ok=True)
    table = document(results)
    print("\n== targets ==\n")
    print(table)
    (out / "targets.md").write_text(table)
    (out / "results.json").write_text(json.dumps(results, indent=2, default=str))
    print(f"table written to {out / 'targets.md'}, every figure to {out / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
