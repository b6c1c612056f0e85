"""The scope of one event-driven run, worked out once and read by both planning steps.

The forecast step and the supply plan step of an event-driven run must plan the same pairs. Each
working the scope out itself would diff the product's snapshots twice (a full ``EXCEPT ALL`` of
the batch against the one it replaced), and a publish landing between the two steps would give
them different scopes: a supply plan for pairs whose forecast was never redone. So the first step
records the scope in a file of its run (``replan_scopes/<run id>.json`` under ``MESH_HOME``,
keyed by the root run, so a re-execution of the supply plan step reads the scope its forecast
was made for) and the second reads it back. Records older than ``KEEP_DAYS`` are removed when a
new one is written: an event-driven run re-executed after that works its scope out again.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from supplymesh.files import atomic_write
from supplymesh.planning.replanning.scope import ReplanScope
from supplymesh.settings import MeshPaths, plain_name

SCOPES_DIR = "replan_scopes"
KEEP_DAYS = 30  # one record per event-driven run: a busy landing zone writes hundreds a month


def run_scope_path(paths: MeshPaths, run_id: str) -> Path:
    """Where the scope of run ``run_id`` is recorded."""
    return paths.home / SCOPES_DIR / f"{plain_name(run_id, 'run id')}.json"


def record_run_scope(paths: MeshPaths, run_id: str, scope: ReplanScope) -> None:
    """Record ``scope`` as the scope of run ``run_id`` (replacing any earlier record)."""
    path = run_scope_path(paths, run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps(scope.to_record(), sort_keys=True))
    prune_run_scopes(paths)


def prune_run_scopes(paths: MeshPaths, keep_days: float = KEEP_DAYS) -> list[Path]:
    """Remove the scope records last written more than ``keep_days`` ago; return them."""
    cutoff = time.time() - keep_days * 86400
    removed = []
    for old in (paths.home / SCOPES_DIR).glob("*.json"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
                removed.append(old)
        except FileNotFoundError:  # another run's step pruned it first
            continue
    return removed


def recorded_run_scope(paths: MeshPaths, run_id: str) -> ReplanScope | None:
    """The scope recorded for run ``run_id``, or None when none was."""
    path = run_scope_path(paths, run_id)
    return ReplanScope.from_record(json.loads(path.read_text())) if path.exists() else None
