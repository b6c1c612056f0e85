"""Fit workers: work goes to other processes only when there are workers and rows enough,
errors reach the caller either way, a daemonic process keeps its fits, and the workers stop
with the round."""

import multiprocessing
import os
import subprocess
import sys

import pytest

from supplymesh.planning import fit_workers as fit_workers_module
from supplymesh.planning.fit_workers import (
    AUTO,
    MAX_WORKERS,
    FitWorkers,
    fit_workers,
    usable_cores,
    worker_count,
)


def _fail(message: str) -> None:
    raise ValueError(message)


def _worker_count_in(queue, workers) -> None:
    queue.put(worker_count(workers))


def test_one_worker_or_few_rows_run_in_the_caller():
    assert not FitWorkers(1).parallel(10**9)
    few = FitWorkers(2, min_rows=100)
    assert not few.parallel(99)
    assert few.parallel(100)
    assert few.submit(99, os.getpid).result() == os.getpid()
    assert few._pool is None  # nothing was started for work that stayed here


def test_work_with_rows_enough_runs_in_another_process():
    with fit_workers(2, min_rows=1) as workers:
        pids = {workers.submit(1, os.getpid).result() for _ in range(4)}
        processes = list(workers._pool._processes.values())
    assert os.getpid() not in pids
    assert processes and workers._pool is None
    assert not any(p.is_alive() for p in processes)  # stopped on leaving


@pytest.mark.parametrize("rows", [1, 10**9])
def test_an_error_reaches_whoever_reads_the_future(rows):
    with fit_workers(2, min_rows=2) as workers:
        failed = workers.submit(rows, _fail, "no rows for product sales.orders")
        with pytest.raises(ValueError, match=r"sales\.orders"):
            failed.result()


def test_auto_is_one_worker_per_usable_core_capped():
    assert worker_count(AUTO) == max(1, min(usable_cores(), MAX_WORKERS))
    assert worker_count(99) == MAX_WORKERS
    assert worker_count(1) == 1


def test_a_daemonic_process_fits_in_place():
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    daemon = context.Process(target=_worker_count_in, args=(queue, 4), daemon=True)
    daemon.start()
    daemon.join(60)
    assert queue.get(timeout=5) == 1


def test_a_script_without_a_main_guard_gets_workers(tmp_path):
    script = tmp_path / "train.py"  # what a user's own script or notebook export looks like
    script.write_text(
        "import os\n"
        "from supplymesh.planning.fit_workers import fit_workers\n"
        "with fit_workers(2, min_rows=1) as workers:\n"
        "    print(workers.submit(1, os.getpid).result() != os.getpid())\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"


def test_min_rows_is_read_when_a_pool_is_made(monkeypatch):
    monkeypatch.setattr(fit_workers_module, "MIN_ROWS", 7)
    assert FitWorkers(2).min_rows == 7


def test_started_workers_import_before_the_first_fit_and_only_for_rows_enough():
    few = FitWorkers(2, min_rows=100)
    few.start(99, ("colorsys",))
    assert few._pool is None and not few.warming  # the fits of a small frame stay here
    with fit_workers(2, min_rows=100) as workers:
        workers.start(100, ("colorsys",))
        assert len(workers.warming) == workers.workers
        assert all(w.result() is None for w in workers.warming)
        assert workers.submit(100, os.getpid).result() != os.getpid()


def test_a_module_a_worker_cannot_import_fails_its_warm_up_only():
    with fit_workers(2, min_rows=1) as workers:
        workers.start(1, ("no_such_module_for_sales_orders",))
        with pytest.raises(ModuleNotFoundError, match="no_such_module"):
            workers.warming[0].result()
        assert workers.submit(1, os.getpid).result() != os.getpid()
