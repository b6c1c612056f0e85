"""One ``mesh materialize`` at a time per ``MESH_HOME``, and the clean-up after a killed one.

Two runs over one ``MESH_HOME`` would publish every product twice, interleaved, and race on
files only a run writes (dbt's manifest and database, the Dagster instance config). So a run
holds ``MESH_HOME/.materialize.lock`` from before it touches anything until it has finished.

A second run **waits** by default, after one line naming the holder (pid, host, start, command,
run id): whoever starts a run wants the mesh published from the data landed so far, and the
waiting run, once it starts, does exactly that on top of the first one's result, so a cron job
and a person who start runs at once both get what they asked for without a retry loop. A caller
that would rather skip (a scheduler that will be back in an hour) passes ``wait=False``
(``mesh materialize --no-wait``) and gets ``LockBusyError``, naming the holder, before anything
happened.

The kernel frees the lock of a killed run. The next run finds the dead run's owner record,
says "stale, taken over" in one line, marks that Dagster run failed (it would otherwise show as
started forever, and hold off the model's training automation), and removes what the dead
run left (``supplymesh.publishing.leftovers``), one line per thing.
"""

from __future__ import annotations

import functools
import sys
import uuid
from collections.abc import Callable
from typing import TypeVar

from supplymesh.dagster_home import prepare_dagster_home
from supplymesh.files import LockOwner, OwnedLock
from supplymesh.publishing.leftovers import clean_leftovers
from supplymesh.settings import MeshPaths, mesh_paths

R = TypeVar("R")
RUN_LOCK = ".materialize.lock"


def say(message: str) -> None:
    """A run guard's message: on stderr, prefixed like the CLI's own."""
    print(f"mesh materialize: {message}", file=sys.stderr, flush=True)


def run_lock(paths: MeshPaths, run_id: str, report: Callable[[str], None] = say) -> OwnedLock:
    """The whole-run lock of ``paths.home`` (not yet acquired), recording ``run_id``."""
    return OwnedLock(
        paths.home / RUN_LOCK,
        f"MESH_HOME {paths.home} (one `mesh materialize` at a time)",
        run_id=run_id,
        report=report,
    )


def mark_dead_run_failed(paths: MeshPaths, dead: LockOwner) -> str | None:
    """Mark the Dagster run of a killed ``mesh materialize`` failed; a line saying so."""
    if not dead.run_id:
        return None
    import dagster as dg

    prepare_dagster_home(paths)  # the instance the dead run wrote to
    with dg.DagsterInstance.get() as instance:
        run = instance.get_run_by_id(dead.run_id)
        if run is None or run.is_finished:
            return None
        instance.report_run_failed(
            run, f"the process running it ({dead.describe()}) died; marked failed by the next run"
        )
    return f"marked run {dead.run_id} failed: its process died"


def recover(paths: MeshPaths, lock: OwnedLock, report: Callable[[str], None] = say) -> list[str]:
    """Clean up after whatever died in ``paths.home`` (call holding ``lock``): stale locks taken
    over, a dead run's temporary files removed and its Dagster run marked failed."""
    dead = lock.taken_over
    lines = clean_leftovers(paths, dead.run_id if dead else None, report)
    failed = mark_dead_run_failed(paths, dead) if dead else None
    lines += [failed] if failed else []
    for line in lines:
        report(line)
    return lines


def one_run_per_home(materialize: Callable[..., R]) -> Callable[..., R]:
    """Wrap a headless run in the run lock: the wrapper takes ``wait`` (default True) and hands
    the run its ``run_id``, recorded as the lock's owner before the run starts."""

    @functools.wraps(materialize)
    def guarded(*args: object, wait: bool = True, **kwargs: object) -> R:
        paths = mesh_paths()
        run_id = str(kwargs.pop("run_id", "") or uuid.uuid4())
        lock = run_lock(paths, run_id).acquire(wait=wait)
        try:
            recover(paths, lock)
            return materialize(*args, run_id=run_id, **kwargs)
        finally:
            lock.release()

    return guarded
