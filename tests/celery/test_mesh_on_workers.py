"""The mesh job with its steps on Celery workers: a real Redis broker, two ``mesh worker``
processes, and the same products as an in-process run.

One tiny world, three runs in one runtime folder: the whole mesh on the workers (the demand
model trains on one of them: no champion yet), then the daily path in process, then the daily
path on the workers again. The two daily runs start from the same landing batches and the same
champion, so everything the second publishes must equal what the first did. (Two trainings do not
give the same model even in process: four trainings of this world, two of them in process, gave
backtest MASEs of 0.7054 (twice), 0.7036 and 0.7187; a comparison of two trainings would test
that, not the executor.)
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from supplymesh.settings import MeshPaths
from tests.celery.products import republished, run_fingerprints
from tests.celery.redis_server import RedisServer
from tests.celery.workers import Worker, parent_pid, start_worker
from tests.mesh_world import generate_tiny_world

pytestmark = pytest.mark.celery

MESH = str(Path(sys.executable).with_name("mesh"))
WORKERS = ("w1", "w2")
CELERY_WORKER_KEY = "Celery worker"  # dagster-celery's engine event metadata: the worker's name


def mesh_env(home: Path, **extra: str) -> dict[str, str]:
    """The caller's environment without any Dagster, executor or broker setting, plus ``extra``."""
    cleared = (
        *("DAGSTER_HOME", "DBT_TARGET_PATH", "DBT_LOG_PATH", "MESH_DAGSTER_CONFIG"),
        *("MESH_EXECUTOR", "MESH_CELERY_BROKER", "MESH_CELERY_BACKEND", "MESH_DBT_TARGET"),
    )
    env = {k: v for k, v in os.environ.items() if k not in cleared}
    return {**env, "MESH_HOME": str(home), **extra}


def materialize(env: dict[str, str]) -> tuple[str, float, str]:
    """``mesh materialize`` of the whole mesh: its run id, wall seconds and model line."""
    started = time.monotonic()
    done = subprocess.run(
        [MESH, "materialize"], env=env, capture_output=True, text=True, timeout=1800
    )
    assert done.returncode == 0, done.stdout + done.stderr
    found = re.search(r"^run ([0-9a-f-]{36}) succeeded", done.stdout, re.MULTILINE)
    assert found, done.stdout
    model = re.search(r"^model: .*$", done.stdout, re.MULTILINE)
    return found.group(1), time.monotonic() - started, model.group(0) if model else ""


@pytest.fixture
def workers(redis: RedisServer, tmp_path: Path) -> Iterator[tuple[Path, list[Worker]]]:
    """A generated tiny world and two Celery workers on it, stopped by PID afterwards."""
    home = tmp_path / "mesh"
    generate_tiny_world(MeshPaths(home))
    env = mesh_env(home, MESH_CELERY_BROKER=redis.url)
    started = time.monotonic()
    running = [start_worker(name, env, tmp_path / f"{name}.log") for name in WORKERS]
    try:
        for worker in running:
            worker.wait_until_ready(timeout=300)
        print(f"\n{len(running)} workers ready in {time.monotonic() - started:.1f} s")
        yield home, running
    finally:
        for worker in running:
            worker.stop()


def step_placement(home: Path, run_id: str) -> tuple[dict[str, str], dict[str, int]]:
    """Per step, the Celery worker that ran it and the PID of its STEP_START, from the run's
    event log."""
    os.environ["DAGSTER_HOME"] = str(MeshPaths(home).dagster_home)
    try:
        with dg.DagsterInstance.get() as instance:
            assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.SUCCESS
            entries = instance.all_logs(run_id)
    finally:
        os.environ.pop("DAGSTER_HOME")
    names, pids = {}, {}
    for entry in entries:
        event = entry.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type_value == "ENGINE_EVENT":
            worker = event.event_specific_data.metadata.get(CELERY_WORKER_KEY)
            if worker is not None:
                names[event.step_key] = worker.value
        elif event.event_type_value == "STEP_START":
            pids[event.step_key] = event.pid
    return names, pids


def assert_spread_over(running: list[Worker], home: Path, run_id: str) -> dict[str, str]:
    """Every step of the run ran in a step process of one of ``running``, and both took some."""
    names, pids = step_placement(home, run_id)
    assert set(names) == set(pids), "a step started without a Celery worker taking it"
    hosts = {name.split("@")[0] for name in names.values()}
    assert hosts == {w.name for w in running}, f"steps ran on {hosts}, not on every worker"
    parents = {step: parent_pid(pid) for step, pid in pids.items()}
    ours = {worker.pid for worker in running}
    assert set(parents.values()) == ours, f"step processes' parents {parents} vs workers {ours}"
    for worker in running:
        steps = sorted(s for s, name in names.items() if name.startswith(f"{worker.name}@"))
        print(f"  worker {worker.name} (pid {worker.pid}): {len(steps)} steps, e.g. {steps[:3]}")
    return names


def test_mesh_steps_run_on_two_workers_and_publish_what_in_process_does(
    workers: tuple[Path, list[Worker]], redis: RedisServer
) -> None:
    home, running = workers
    on_workers = mesh_env(home, MESH_CELERY_BROKER=redis.url, MESH_EXECUTOR="celery")

    first, seconds, model = materialize(on_workers)
    print(f"whole mesh on the workers: {seconds:.1f} s ({model})")
    assert model.startswith("model: trained")
    steps = assert_spread_over(running, home, first)
    assert "forecast_model" in steps and len(steps) >= 30  # products, dbt, model, plans
    run_log = (MeshPaths(home).logs / f"materialize_{first}.log").read_text()
    assert "the steps ran on Celery workers" in run_log  # where their output is

    daily, seconds, _ = materialize(mesh_env(home))
    print(f"daily path in process: {seconds:.1f} s")
    in_process = run_fingerprints(MeshPaths(home), daily)
    published_in_process = republished(MeshPaths(home), daily)

    again, seconds, model = materialize(on_workers)
    print(f"daily path on the workers: {seconds:.1f} s ({model})")
    assert model.startswith("model: not trained")
    assert_spread_over(running, home, again)
    assert republished(MeshPaths(home), again) == published_in_process
    on_celery = run_fingerprints(MeshPaths(home), again)
    different = sorted(k for k in in_process if on_celery[k] != in_process[k])
    assert not different, f"products differ from the in-process run's: {different}"
    print(
        f"{len(published_in_process)} product versions republished, equal to the in-process run's"
    )
