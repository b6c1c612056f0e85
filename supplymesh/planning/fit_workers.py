"""Worker processes for a training round's model fits, so that the round uses every core.

A demand-model fit grows its trees in Cython, but scikit-learn picks every split in Python
while holding the GIL: two fits on threads of one process run nearly one after the other (a
medium P50 and P90 pair took 20.9 s wall on 20.5 s of CPU, about both fits alone; a training
round averaged 1.3 of 2 cores). A worker process has an interpreter and a GIL of its own, so as
many fits grow at once as there are workers (two P50 fits in two processes: 11.8 s and 12.1 s,
12.8 s alone), while the round's own process prepares the next window's rows and runs the
baselines and predictions.

A fit computes the same estimator in a worker as in the caller (the same rows, seed and
OpenMP threads): only where it runs changes. The workers are loky's (joblib's process
executor, what scikit-learn's ``n_jobs`` runs on): fresh interpreters, as ``spawn`` starts, since
the caller holds OpenMP, Dagster and logging threads that ``fork`` would copy mid-flight, and
unlike the standard library's ``spawn`` they never re-run the caller's main script, so a user's
script without an ``if __name__ == "__main__"`` guard trains as it did. They live for one
training round and are shut down with it. Work runs in the caller instead, as a finished
future, when there is one worker, when the rows are too few to pay for starting a worker and
copying them to it, and in a daemonic process (a Celery prefork worker may start no children).
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from typing import Any

from joblib.externals.loky import ProcessPoolExecutor

# A fit below this many rows runs in the caller: it takes a few seconds at most, about what a
# worker takes to start (a new interpreter importing pandas and scikit-learn) and be sent rows.
MIN_ROWS = 50_000
# Never more workers than this: a training round has at most 7 fits of 2 models in flight, and
# each worker holds a copy of the rows it fits.
MAX_WORKERS = 4

AUTO = 0  # workers: one per usable core, at most ``MAX_WORKERS``


def usable_cores() -> int:
    """The cores this process may run on (its affinity, not the machine's count)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def worker_count(workers: int) -> int:
    """``workers`` (``AUTO``: one per usable core), at most ``MAX_WORKERS``; 1 in a daemonic
    process."""
    if multiprocessing.current_process().daemon:
        return 1
    wanted = usable_cores() if workers == AUTO else workers
    return max(1, min(wanted, MAX_WORKERS))


class FitWorkers:
    """Where a round's fits run: ``submit`` returns a future either way."""

    def __init__(self, workers: int = 1, min_rows: int | None = None) -> None:
        self.workers = worker_count(workers)
        self.min_rows = MIN_ROWS if min_rows is None else min_rows
        self._pool: ProcessPoolExecutor | None = None
        self._submitted: list[Future] = []
        self.warming: list[Future] = []  # the workers' imports ``start`` sent

    def parallel(self, rows: int) -> bool:
        """Whether a fit of ``rows`` rows goes to a worker process."""
        return self.workers > 1 and rows >= self.min_rows

    def start(self, rows: int, modules: tuple[str, ...]) -> None:
        """Start the workers now, when fits of ``rows`` rows go to them, each importing
        ``modules`` while the caller prepares the round's first rows: a new interpreter takes
        seconds to import pandas, scikit-learn and statsforecast, which the first fits waited
        for (8.7 s of CPU over two workers on the small world)."""
        if self._pool is not None or not self.parallel(rows):
            return
        self._pool = ProcessPoolExecutor(self.workers)
        self.warming = [self._pool.submit(import_modules, modules) for _ in range(self.workers)]

    def submit(self, rows: int, fn: Callable[..., Any], /, *args: Any) -> Future:
        """``fn(*args)`` in a worker (``fn`` and ``args`` must pickle) when ``parallel(rows)``,
        else at once in this process."""
        if not self.parallel(rows):
            return finished(fn, *args)
        if self._pool is None:  # started by the first fit that needs it
            self._pool = ProcessPoolExecutor(self.workers)
        self._submitted.append(self._pool.submit(fn, *args))
        return self._submitted[-1]

    def close(self, failed: bool = False) -> None:
        """Stop the workers: fits not started are cancelled; running ones are waited for, or
        killed when the round ``failed`` (nobody will read them)."""
        for future in self._submitted:
            future.cancel()
        self._submitted.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=True, kill_workers=failed)
            self._pool = None


INLINE = FitWorkers(1)  # every fit in the caller: what a caller without a round's pool uses


@contextmanager
def fit_workers(workers: int, min_rows: int | None = None) -> Iterator[FitWorkers]:
    """Workers for one training round, stopped on leaving (also on an error)."""
    pool = FitWorkers(workers, min_rows)
    try:
        yield pool
    except BaseException:
        pool.close(failed=True)
        raise
    pool.close()


def import_modules(modules: tuple[str, ...]) -> None:
    """Import ``modules`` (in a worker, before its first fit)."""
    for name in modules:
        importlib.import_module(name)


def finished(fn: Callable[..., Any], /, *args: Any) -> Future:
    """A future holding ``fn(*args)``, run now (its error, if it raised one)."""
    future: Future = Future()
    try:
        future.set_result(fn(*args))
    except Exception as error:  # handed to whoever reads the future, as a worker's would be
        future.set_exception(error)
    return future
