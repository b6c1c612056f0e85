"""Event to published decision: an orders batch correcting one SKU x DC lands on a materialized
world, the landing sensor asks for its run, the run publishes it and replans only the touched
pairs; how long from the landing to the published plans, and where the time went.

``land_corrected_orders`` is the event: the newest orders batch again, with one pair's lines of
the last ``days`` days raised by ``extra`` units each (a late correction from the source system;
the as-of date stays). ``replan_once`` evaluates the sensor once, as a daemon tick would, and
runs its request in this process with the code already loaded, as the daemon's code server has
it; under ``mesh ui`` a tick comes every 30 s and the run gets its own process, so add up to
that. Run in a child (``python -m benchmarks.replanning.event HOME``, one JSON object on
stdout) so the benchmark's own process never imports Dagster.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from supplymesh.publishing.landing import latest_batch, new_batch_id
from supplymesh.settings import MeshPaths

DECISION_PRODUCTS = ("planning.inventory_plan", "planning.shipment_plan", "planning.truck_loads")


def land_corrected_orders(
    paths: MeshPaths, sku: str, location_id: str, days: int = 28, extra: int = 3
) -> Path:
    """Land a new orders batch: the newest one with ``sku`` at ``location_id`` selling ``extra``
    more units on each line of its last ``days`` days. Written under a hidden name and renamed,
    as every producer lands a batch."""
    import duckdb

    from supplymesh.validation.rules import literal

    source = latest_batch(paths.landing_dir("sales"), "orders")
    if source is None:
        raise FileNotFoundError("no orders batch has landed yet")
    batch_id = new_batch_id()
    target = source.with_name(f"orders__{batch_id}")
    hidden = target.with_name(f".{target.name}.partial")
    hidden.mkdir()
    pair = f"sku = {literal(sku)} AND location_id = {literal(location_id)}"
    with duckdb.connect() as con:
        last = con.execute(f"SELECT max(order_date) FROM '{source}/*.parquet'").fetchone()[0]
        recent = f"order_date > DATE '{last}' - INTERVAL {int(days)} DAY"
        con.execute(
            f"COPY (SELECT * REPLACE (CASE WHEN {pair} AND {recent} THEN quantity + {int(extra)} "
            f"ELSE quantity END AS quantity) FROM '{source}/*.parquet') "
            f"TO '{hidden / 'part-00000.parquet'}' (FORMAT parquet, COMPRESSION zstd)"
        )
    os.replace(hidden, target)
    return target


def _published_at(paths: MeshPaths, product: str) -> float:
    from supplymesh.publishing.manifest import current_snapshot, read_manifest
    from supplymesh.registry import get_product

    snap = current_snapshot(read_manifest(paths), product, get_product(product).latest.major)
    return dt.datetime.fromisoformat(str(snap["published_at"])).timestamp()


def replan_once(paths: MeshPaths, sku: str, location_id: str) -> dict:
    """Land the correction, tick the sensor once, run its request; the figures of it all."""
    import dagster as dg

    from orchestration.definitions import build_definitions
    from orchestration.landing.sensors import landing_sensor
    from orchestration.resources import MeshResource
    from supplymesh.dagster_home import prepare_dagster_home
    from supplymesh.headless import run_config, stdout_to
    from supplymesh.planning_settings import load_planning_settings

    prepare_dagster_home(paths)
    defs = build_definitions()
    job = defs.resolve_job_def("mesh")
    resources = {"mesh": MeshResource(home=str(paths.home))}
    with dg.DagsterInstance.get() as instance:
        context = dg.build_sensor_context(instance=instance, definitions=defs, resources=resources)
        list(landing_sensor(context))  # a first tick remembers the batches already published
        cursor = context.cursor
        landed = time.time()
        batch = land_corrected_orders(paths, sku, location_id)
        context = dg.build_sensor_context(
            instance=instance, definitions=defs, resources=resources, cursor=cursor
        )
        request = next(r for r in landing_sensor(context) if batch.name in (r.run_key or ""))
        config = run_config(paths, load_planning_settings(paths.home), "WARNING", ())
        with stdout_to(paths.logs / f"replan_{batch.name}.log"):  # dbt's log, as headless's
            result = job.execute_in_process(
                instance=instance,
                asset_selection=list(request.asset_selection or []),
                run_config={**config, **request.run_config},
                tags=request.tags,
                raise_on_error=False,
            )
        done = time.time()
    published = max(_published_at(paths, p) for p in DECISION_PRODUCTS)
    return {
        "ok": result.success,
        "run_id": result.run_id,
        "batch": batch.name,
        "assets": len(request.asset_selection or []),
        "selected": sorted(k.to_user_string() for k in request.asset_selection or []),
        "event_to_decision_s": round(published - landed, 2),
        "event_to_run_end_s": round(done - landed, 2),
    }


def bench_replan(home: Path) -> dict:
    """``replan_once`` on the materialized world at ``home``, in a child process, with the
    run's step durations from the Dagster event log (``benchmarks.steps``)."""
    from benchmarks.steps import run_steps

    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.replanning.event", str(home)],
        env={**os.environ, "MESH_HOME": str(home)},
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    if out.returncode != 0:
        return {"ok": False, "error": out.stderr.strip().splitlines()[-1:]}
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    return {**figures, "steps": run_steps(home, figures["run_id"])["steps"]}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("home", type=Path)
    parser.add_argument("--sku", default="SKU00001")
    parser.add_argument("--location", default="DC01")
    args = parser.parse_args()
    os.environ["MESH_HOME"] = str(args.home.resolve())
    load = os.getloadavg()[0]
    figures = replan_once(MeshPaths(args.home.resolve()), args.sku, args.location)
    print(json.dumps({**figures, "load_before": load, "load_after": os.getloadavg()[0]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
