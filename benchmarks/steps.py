"""Where a measured `mesh materialize` spent its time: each step's duration, from the run's
Dagster event log.

`mesh materialize` records every run in the instance under ``$MESH_HOME/dagster_home``; a step's
duration is its STEP_SUCCESS (or STEP_FAILURE) timestamp minus its STEP_START one. The training
time of a run is its ``forecast_model`` step's. The instance is read in a child process
(``python -m benchmarks.steps HOME [RUN_ID]``, one JSON object on stdout) so the benchmark's own
process never imports Dagster nor points ``DAGSTER_HOME`` at one world after another.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

TRAINING_STEP = "forecast_model"  # the step that trains the demand model (orchestration/ml)
_RUN_LINE = re.compile(r"^run (\S+) (?:succeeded|FAILED) in ", re.MULTILINE)
_MODEL_LINE = re.compile(r"^model: (.*)$", re.MULTILINE)


def parse_run_id(stdout: str) -> str | None:
    """The run id of `mesh materialize`'s closing line (``run <id> succeeded in ...``)."""
    found = _RUN_LINE.findall(stdout)
    return found[-1] if found else None


def parse_model_line(stdout: str) -> str | None:
    """What `mesh materialize` said of the demand model (``trained (no champion yet)``, ...)."""
    found = _MODEL_LINE.findall(stdout)
    return found[-1].strip() if found else None


def step_durations(events: Iterable[tuple[str, str, float]]) -> dict[str, float]:
    """Seconds per step key from ``(step_key, event type, timestamp)`` records: from its
    STEP_START to its STEP_SUCCESS or STEP_FAILURE. A step still open (the run broke) is
    left out, not guessed."""
    started: dict[str, float] = {}
    seconds: dict[str, float] = {}
    for step_key, kind, timestamp in events:
        if kind == "STEP_START":
            started[step_key] = timestamp
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE") and step_key in started:
            seconds[step_key] = timestamp - started[step_key]
    return seconds


def slowest(seconds: dict[str, float], n: int = 5) -> list[tuple[str, float]]:
    """The ``n`` longest steps, longest first."""
    return sorted(seconds.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


def read_steps(run_id: str | None) -> dict:
    """The run (``run_id``, else the newest) and its step durations, from the instance that
    ``DAGSTER_HOME`` names."""
    import dagster as dg

    kinds = {
        dg.DagsterEventType.STEP_START,
        dg.DagsterEventType.STEP_SUCCESS,
        dg.DagsterEventType.STEP_FAILURE,
    }
    with dg.DagsterInstance.get() as instance:
        if run_id is None:
            runs = instance.get_runs(limit=1)
            if not runs:
                return {"run_id": None, "steps": {}}
            run_id = runs[0].run_id
        records = [
            (e.step_key, e.dagster_event.event_type_value, e.timestamp)
            for e in instance.all_logs(run_id, of_type=kinds)
            if e.dagster_event is not None and e.step_key
        ]
    return {"run_id": run_id, "steps": step_durations(records)}


def run_steps(home: Path, run_id: str | None) -> dict:
    """``read_steps`` on the world at ``home``, in a child process (see the module docstring);
    an empty result with the error when the instance cannot be read."""
    env = {**os.environ, "MESH_HOME": str(home), "DAGSTER_HOME": str(home / "dagster_home")}
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.steps", str(home), *([run_id] if run_id else [])],
        env=env,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    if out.returncode != 0:
        return {"run_id": run_id, "steps": {}, "error": out.stderr.strip().splitlines()[-1:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("home", type=Path, help="the world's MESH_HOME")
    parser.add_argument("run_id", nargs="?", help="default: the newest run")
    args = parser.parse_args()
    os.environ["DAGSTER_HOME"] = str(args.home.resolve() / "dagster_home")
    print(json.dumps(read_steps(args.run_id)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
