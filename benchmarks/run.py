"""`make bench`: validation throughput and end-to-end cost at small and medium, then the CLI's
start-up (`benchmarks.cli`) on the small world.

Usage: python -m benchmarks.run [--scales small,medium,completejourney] [--seed 7]
Each scale runs in its own runtime folder under $MESH_HOME/bench/<scale>; the CLI benchmark reads
the small one when it was materialized, else makes its own in $MESH_HOME/bench/cli.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

from benchmarks.cli import bench_cli, print_cli
from benchmarks.measure import measure
from benchmarks.planning import bench_planning, print_planning
from benchmarks.validation import bench_validation, print_validation
from supplymesh.progress import Stages
from supplymesh.publishing.landing import latest_batch
from supplymesh.settings import mesh_home


def _mesh(*args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("mesh")), *args]


def bench_scale(scale: str, seed: int, stages: Stages) -> dict:
    home = mesh_home() / "bench" / scale
    shutil.rmtree(home, ignore_errors=True)
    env = {"MESH_HOME": str(home)}
    with stages.stage(f"{scale}: generate"):
        world = ["--scale", scale]
        if scale == "completejourney":  # the real-data world, at its small size
            world = ["--world", "completejourney", "--scale", "small"]
        generate = measure(_mesh("generate", *world, "--seed", str(seed)), env)
    with stages.stage(f"{scale}: materialize"):
        materialize = measure(_mesh("materialize"), env)
    result = {
        "scale": scale,
        "generate_seconds": generate.seconds,
        "generate_peak_mib": generate.peak_mib,
        "materialize_seconds": materialize.seconds,
        "materialize_peak_mib": materialize.peak_mib,
        "end_to_end_seconds": generate.seconds + materialize.seconds,
        "end_to_end_peak_mib": max(generate.peak_mib, materialize.peak_mib),
        "materialize_ok": materialize.returncode == 0,
    }
    batch = latest_batch(home / "landing" / "sales", "orders")
    with stages.stage(f"{scale}: contract validation"):
        if batch is not None:
            result["validation"] = bench_validation(batch)
    with stages.stage(f"{scale}: planning (training, evaluation)"):
        if result["materialize_ok"]:
            result["planning"] = bench_planning(home)
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", default="small,medium,completejourney")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    os.environ.setdefault("MESH_HOME", str(mesh_home()))
    results = []
    scales = args.scales.split(",")
    stages = Stages("bench", total=4 * len(scales) + 1)  # shown on a terminal only
    for scale in scales:
        r = bench_scale(scale, args.seed, stages)
        results.append(r)
        print(f"\n== {scale} ==")
        print(
            f"generate     {r['generate_seconds']:8.1f} s   peak {r['generate_peak_mib']:8.0f} MiB"
        )
        print(
            f"materialize  {r['materialize_seconds']:8.1f} s   peak {r['materialize_peak_mib']:8.0f} MiB"
            f"   {'ok' if r['materialize_ok'] else 'FAILED'}"
        )
        print(
            f"end to end   {r['end_to_end_seconds']:8.1f} s   peak {r['end_to_end_peak_mib']:8.0f} MiB"
        )
        v = r.get("validation")
        if v:
            print_validation(v)
        if r.get("planning"):
            print_planning(r["planning"], r["scale"], r["materialize_seconds"])
    small = next((r for r in results if r["scale"] == "small" and r["materialize_ok"]), None)
    with stages.stage("mesh start-up"):
        cli = bench_cli(mesh_home() / "bench" / ("small" if small else "cli"), args.seed)
    print_cli(cli)
    results.append({"benchmark": "cli", **cli})
    out = mesh_home() / "bench" / "results.json"
    out.write_text(json.dumps(results, indent=2))
    print(f"\nresults written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
