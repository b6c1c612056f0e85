"""One world end to end: generate, the first `mesh materialize` (it trains: a new world has no
champion), the second (nothing due: the daily run), each timed with its peak RSS and the load
average around it; then where each run's time went (its Dagster steps), the order lines, the
model's quality, contract validation and `mesh evaluate`, as the scale's plan says.

Each scale runs in its own runtime folder, ``$MESH_HOME/bench/<scale>``, removed first.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from benchmarks.measure import measure
from benchmarks.planning import bench_evaluation, model_quality
from benchmarks.replanning.event import bench_replan
from benchmarks.steps import TRAINING_STEP, parse_model_line, parse_run_id, run_steps
from benchmarks.validation import bench_validation
from supplymesh.progress import Stages
from supplymesh.publishing.landing import latest_batch
from supplymesh.settings import mesh_home


@dataclass(frozen=True)
class ScalePlan:
    """What a scale measures beyond generate and the first materialize."""

    second_run: bool = True  # the daily run, no training due
    validation: bool = True  # the contract-validation comparison on its sales.orders
    evaluate: bool = False  # `mesh evaluate` (replays the inventory policy: slow on large)
    replan: bool = False  # a landed orders batch replanned event-driven (``benchmarks.replanning``)

    def stages(self) -> int:
        return 2 + self.second_run + self.validation + self.evaluate + self.replan


PLANS = {
    "tiny": ScalePlan(evaluate=True, replan=True),  # the benchmark's own end-to-end check
    "small": ScalePlan(evaluate=True, replan=True),
    "medium": ScalePlan(evaluate=True),
    # a second large run is not worth its 15+ minutes; pandera on pandas over 50 M rows neither
    "large": ScalePlan(second_run=False, validation=False),
}


def plan_of(scale: str) -> ScalePlan:
    return PLANS.get(scale, ScalePlan())


def world_args(scale: str, seed: int) -> list[str]:
    """`mesh generate`'s arguments for a benchmark scale."""
    if scale == "completejourney":  # the real-data world, at its small size
        return ["--world", "completejourney", "--scale", "small", "--seed", str(seed)]
    return ["--scale", scale, "--seed", str(seed)]


def _mesh(*args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("mesh")), *args]


def order_lines(home: Path) -> int | None:
    """Order lines of the world: the rows of its sales.orders landing batch."""
    import duckdb

    from supplymesh.validation.engine import source_sql

    batch = latest_batch(home / "landing" / "sales", "orders")
    if batch is None:
        return None
    with duckdb.connect() as con:
        return con.execute(f"SELECT count(*) FROM {source_sql(batch)}").fetchone()[0]


def materialize_run(home: Path, label: str) -> dict:
    """One measured `mesh materialize`, its run id, what it did with the model, its steps."""
    stdout = home / f"bench_materialize_{label}.out"
    run = measure(_mesh("materialize"), {"MESH_HOME": str(home)}, stdout=stdout)
    text = stdout.read_text() if stdout.exists() else ""
    run_id = parse_run_id(text)
    steps = run_steps(home, run_id)
    return {
        **run.as_dict(),
        "ok": run.returncode == 0,
        "run_id": steps.get("run_id") or run_id,
        "model": parse_model_line(text),
        "steps": steps["steps"],
        **({"steps_error": steps["error"]} if "error" in steps else {}),
    }


def bench_scale(scale: str, seed: int, stages: Stages) -> dict:
    """Every figure of one scale (see the module docstring), as plain values."""
    plan = plan_of(scale)
    home = mesh_home() / "bench" / scale
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    result: dict = {"scale": scale, "runs": {}}
    with stages.stage(f"{scale}: generate"):
        generate = measure(_mesh("generate", *world_args(scale, seed)), {"MESH_HOME": str(home)})
        result["generate"] = generate.as_dict()
        result["order_lines"] = order_lines(home)
    if generate.returncode != 0:
        return result
    with stages.stage(f"{scale}: first materialize (trains)"):
        first = result["runs"]["first"] = materialize_run(home, "first")
        result["training_seconds"] = first["steps"].get(TRAINING_STEP)
        result["model"] = model_quality(home) if first["ok"] else None
    if plan.second_run:
        with stages.stage(f"{scale}: second materialize (no training due)"):
            result["runs"]["second"] = materialize_run(home, "second")
    if plan.validation:
        with stages.stage(f"{scale}: contract validation"):
            batch = latest_batch(home / "landing" / "sales", "orders")
            if batch is not None:
                result["validation"] = bench_validation(batch)
    if plan.evaluate and first["ok"]:
        with stages.stage(f"{scale}: mesh evaluate"):
            result["evaluation"] = bench_evaluation(home)
    if plan.replan and first["ok"]:  # last: it lands a batch and replans the served plans
        with stages.stage(f"{scale}: event-driven replan"):
            result["replan"] = bench_replan(home)
    return result
