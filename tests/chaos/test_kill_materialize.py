"""Chaos: `mesh materialize` killed with SIGKILL at random moments, over and over, on one tiny
world; after every kill the mesh is checked, and the next run starts without any cleanup.

Each trial lands a changed orders batch, starts a run of ``SELECTION`` (publishing, a dbt model
and planning: the steps a kill can hit) and kills it after a delay drawn uniformly over the
length of an uninterrupted run (seeded: ``CHAOS_SEED``). Then: every product version readable by
plain DuckDB on its snapshot and through every role's catalog, each the previous publish or a
whole new one (row fingerprints), no duplicate keys, no catalog serving a third snapshot. Every
``CHAOS_RERUN_EVERY``-th trial, and after the last, a run goes to completion on what the kills
left and must succeed and clean up. ``CHAOS_KILLS`` (default 20) sets the number of kills.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from supplymesh.files import read_owner
from supplymesh.headless import materialize
from supplymesh.run_guard import RUN_LOCK
from tests.chaos.invariants import (
    check_invariants,
    dead_leftovers,
    land_changed_orders,
    read_state,
)
from tests.mesh_world import generate_tiny_world, mesh_environment

pytestmark = pytest.mark.chaos

KILLS = int(os.environ.get("CHAOS_KILLS", "20"))
SEED = int(os.environ.get("CHAOS_SEED", "20261206"))
RERUN_EVERY = int(os.environ.get("CHAOS_RERUN_EVERY", "5"))
SELECTION = [
    "sales.orders",
    "transforms/stg_sales__orders",
    "planning.demand_forecast",
    "planning.forecast_accuracy",
]
MESH = str(Path(sys.executable).with_name("mesh"))


def start_run(home: Path) -> subprocess.Popen:
    args = [MESH, "materialize", *(a for s in SELECTION for a in ("--select", s))]
    env = {**os.environ, "MESH_HOME": str(home)}
    return subprocess.Popen(
        args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def step_at_kill(run_id: str | None) -> str:
    """The step the killed run was in, from its events in the Dagster instance."""
    if run_id is None:
        return "startup (no run lock yet)"
    with dg.DagsterInstance.get() as instance:
        if instance.get_run_by_id(run_id) is None:
            return "startup (run not begun)"
        running: list[str] = []
        for entry in instance.all_logs(run_id):
            event = entry.dagster_event
            if event is None or event.step_key is None:
                continue
            if event.event_type_value == "STEP_START":
                running.append(event.step_key)
            elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE"):
                running = [s for s in running if s != event.step_key]
    return running[-1] if running else "between steps"


def complete_run(home: Path) -> tuple[str, float]:
    started = time.monotonic()
    run = start_run(home)
    output, _ = run.communicate(timeout=900)
    assert run.returncode == 0, output
    assert dead_leftovers_after(home) == [], "a completed run left a dead writer's files"
    return output, time.monotonic() - started


def dead_leftovers_after(home: Path) -> list[Path]:
    from supplymesh.settings import MeshPaths

    return dead_leftovers(MeshPaths(home))


def kill_a_run(paths, delay: float) -> tuple[bool, set[str], str, str, float]:
    """Start a run, SIGKILL it after ``delay`` s: whether it was killed (else it had finished),
    the ids of runs that may have published, the step it was in, its output, its wall time."""
    started = time.monotonic()
    run = start_run(paths.home)
    time.sleep(delay)
    owner = read_owner(paths.home / RUN_LOCK)
    run.send_signal(signal.SIGKILL)
    output, _ = run.communicate()
    took = time.monotonic() - started
    killed = run.returncode == -signal.SIGKILL
    if not killed:
        assert run.returncode == 0, output
    run_id = owner.run_id if owner and owner.pid == run.pid else None
    step = step_at_kill(run_id) if killed else "finished before its kill moment"
    return killed, {run_id} if run_id else set(_run_ids(output)), step, output, took


def test_sigkill_at_random_moments_never_tears_a_product(tmp_path_factory, capsys) -> None:
    """``CHAOS_KILLS`` runs killed (a run that finishes before its moment does not count, and
    the next moments are drawn over its shorter length)."""
    rng = random.Random(SEED)
    rows: list[str] = []
    kills = trial = 0
    with mesh_environment(tmp_path_factory.mktemp("chaos")) as paths:
        generate_tiny_world(paths)
        assert materialize([]).success  # trains the model the planning steps serve
        os.environ["DAGSTER_HOME"] = str(paths.dagster_home)
        land_changed_orders(paths, 0)
        _, duration = complete_run(paths.home)
        state = read_state(paths)
        while kills < KILLS:
            trial += 1
            assert trial <= 3 * KILLS, "runs keep finishing before their kill moment"
            land_changed_orders(paths, trial)
            delay = rng.uniform(0, duration)
            killed, run_ids, step, output, took = kill_a_run(paths, delay)
            kills += killed
            duration = duration if killed else took
            state, outcome = check_invariants(paths, state, run_ids)
            moved = sorted(k for k, v in outcome.items() if v == "new")
            verdict = f"ok; new: {', '.join(moved) or 'none'}"
            if killed and (kills % RERUN_EVERY == 0 or kills == KILLS):
                land_changed_orders(paths, 1000 + trial)
                output, duration = complete_run(paths.home)
                check_invariants(paths, state, set(_run_ids(output)))
                state = read_state(paths)  # a run that succeeds leaves no catalog behind
                verdict += f"; rerun ok in {duration:.0f} s"
            rows.append(f"| {trial} | {delay:.1f} | {step} | {verdict} |")
    with capsys.disabled():
        print(f"\nchaos: {kills} kills in {trial} trials, seed {SEED}")
        print("| trial | killed at (s) | step running | outcome |\n|---|---|---|---|")
        print("\n".join(rows))


def _run_ids(output: str) -> list[str]:
    return [line.split()[1] for line in output.splitlines() if line.startswith("run ")]
