"""Why the mesh job runs in process: time the whole mesh under both Dagster executors.

Usage: MESH_HOME=... python -m benchmarks.executors   (after `mesh generate`)
"""

from __future__ import annotations

import time

import dagster as dg

from orchestration.definitions import build_definitions
from supplymesh.dagster_home import prepare_dagster_home
from supplymesh.settings import mesh_paths

BENCH_JOB = "executor_bench"


def _job(executor: dg.ExecutorDefinition) -> dg.JobDefinition:
    job = dg.define_asset_job(BENCH_JOB, selection=dg.AssetSelection.all(), executor_def=executor)
    defs = dg.Definitions.merge(build_definitions(), dg.Definitions(jobs=[job]))
    return defs.resolve_job_def(BENCH_JOB)


def multiprocess_job() -> dg.JobDefinition:
    return _job(dg.multiprocess_executor.configured({"max_concurrent": 2}))


def in_process_job() -> dg.JobDefinition:
    return _job(dg.in_process_executor)


def main() -> None:
    prepare_dagster_home(mesh_paths())
    with dg.DagsterInstance.get() as instance:
        for name, factory in (("in_process", in_process_job), ("multiprocess", multiprocess_job)):
            start = time.perf_counter()
            result = dg.execute_job(dg.reconstructable(factory), instance=instance)
            print(f"{name:<13} {time.perf_counter() - start:6.1f} s  success={result.success}")


if __name__ == "__main__":
    main()
