"""Crash-safe files: an atomic write is all or nothing, and the lock serialises processes.

The lock is tested with real processes contending for a real lock file (no mocks): each one
reads a counter, waits, and writes it back, which loses updates unless the lock serialises them.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from supplymesh import files
from supplymesh.files import atomic_write, durable_replace, exclusive_lock
from supplymesh.governance import audit
from supplymesh.settings import MeshPaths

WORKERS = 4
ROUNDS = 5


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_atomic_write_replaces_the_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "new" / "manifest.json"
    atomic_write(target, '{"products": {}}')
    atomic_write(target, b"second")
    assert target.read_bytes() == b"second"
    assert leftovers(target.parent) == []


def test_a_writer_failing_midway_leaves_the_old_file_and_no_partial_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "audit_head.json"
    atomic_write(target, "old content")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", disk_full)  # the data is written, not yet durable
    with pytest.raises(OSError, match="No space left"):
        atomic_write(target, "new content " * 10_000)
    assert target.read_text() == "old content"
    assert leftovers(tmp_path) == []


CRASHING_WRITER = """
import os, sys
from pathlib import Path
from supplymesh import files
files.os.fsync = lambda fd: os._exit(3)  # the process dies between write and rename
files.atomic_write(Path(sys.argv[1]), "new content " * 10_000)
"""


def test_a_writer_killed_midway_leaves_the_old_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "model.pkl"
    atomic_write(target, b"old model")
    crashed = subprocess.run([sys.executable, "-c", CRASHING_WRITER, str(target)], check=False)
    assert crashed.returncode == 3
    assert target.read_bytes() == b"old model"  # a dead process leaves at most a hidden .tmp
    assert all(name.startswith(".model.pkl.") for name in leftovers(tmp_path))


def add_under_lock(folder: str, rounds: int) -> None:
    """Read the counter, wait, write it plus one: an unserialised peer would lose updates."""
    counter = Path(folder) / "counter"
    for _ in range(rounds):
        with exclusive_lock(Path(folder) / ".lock"):
            value = int(counter.read_text())
            time.sleep(0.01)
            atomic_write(counter, str(value + 1))
            with open(Path(folder) / "holders.log", "a") as log:
                log.write(f"{os.getpid()}\n")


def run_processes(target, args_of) -> None:
    spawn = multiprocessing.get_context("spawn")
    workers = [spawn.Process(target=target, args=args_of(n)) for n in range(WORKERS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [w.exitcode for w in workers] == [0] * WORKERS


def test_processes_contending_for_the_lock_take_turns(tmp_path: Path) -> None:
    (tmp_path / "counter").write_text("0")
    run_processes(add_under_lock, lambda n: (str(tmp_path), ROUNDS))
    assert int((tmp_path / "counter").read_text()) == WORKERS * ROUNDS  # no update lost
    assert len(set((tmp_path / "holders.log").read_text().split())) == WORKERS
    assert (tmp_path / ".lock").exists()  # the lock file stays, as the old flock copies left it


def hold_the_lock(lock_path: str, seconds: float) -> None:
    with exclusive_lock(Path(lock_path)):
        Path(lock_path).with_name("held").touch()
        time.sleep(seconds)


def test_a_second_process_waits_while_the_first_holds_the_lock(tmp_path: Path) -> None:
    lock_path = tmp_path / ".registry.lock"
    holder = multiprocessing.get_context("spawn").Process(
        target=hold_the_lock, args=(str(lock_path), 1.0)
    )
    holder.start()
    deadline = time.monotonic() + 30
    while not (tmp_path / "held").exists():
        assert time.monotonic() < deadline and holder.is_alive()
        time.sleep(0.01)
    asked = time.monotonic()
    with exclusive_lock(lock_path):
        waited = time.monotonic() - asked
    holder.join(30)
    assert holder.exitcode == 0
    assert waited >= 0.5  # it got the lock only once the holder let go


def record_audit_entries(home: str, worker: int) -> None:
    for i in range(ROUNDS):
        audit.record(MeshPaths(Path(home)), "publish", f"p{worker}", f"run:{worker}", str(i))


def test_concurrent_publishers_in_several_processes_keep_one_audit_chain(tmp_path: Path) -> None:
    run_processes(record_audit_entries, lambda n: (str(tmp_path / "mesh"), n))
    result = audit.verify(MeshPaths(tmp_path / "mesh"))
    assert result.ok, result.problems
    assert result.entries == WORKERS * ROUNDS


def test_durable_replace_moves_a_finished_folder_over_its_target(tmp_path):
    staging = tmp_path / ".snap.staging"
    staging.mkdir()
    (staging / "data.parquet").write_bytes(b"rows")
    final = tmp_path / "snap"
    durable_replace(staging, final)
    assert not staging.exists()
    assert (final / "data.parquet").read_bytes() == b"rows"


HOLD_AND_DIE = """
import os, sys, time
from pathlib import Path
from supplymesh.files import exclusive_lock
lock = exclusive_lock(Path(sys.argv[1]), "the test lock")
lock.acquire()
Path(sys.argv[1]).with_name("held").touch()
time.sleep(float(sys.argv[2]))
os._exit(9)  # dies holding it, as a SIGKILL would: no release, the record stays
"""


def start_holder(lock_path: Path, seconds: float) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLD_AND_DIE, str(lock_path), str(seconds)])
    deadline = time.monotonic() + 30
    while not lock_path.with_name("held").exists():
        assert time.monotonic() < deadline and holder.poll() is None
        time.sleep(0.01)
    return holder


def test_the_holder_is_recorded_while_it_holds_and_forgotten_when_it_lets_go(tmp_path):
    lock_path = tmp_path / ".lock"
    with exclusive_lock(lock_path, "the catalog lock"):
        owner = files.read_owner(lock_path)
        assert owner is not None and owner.pid == os.getpid()
        assert owner.host and owner.started_at and owner.command
    assert files.read_owner(lock_path) is None
    assert not files.owner_path(lock_path).exists()


def test_a_lock_whose_holder_was_killed_is_taken_over_with_one_line_naming_it(tmp_path):
    lock_path = tmp_path / ".registry.lock"
    holder = start_holder(lock_path, 0)
    assert holder.wait(30) == 9
    assert files.read_owner(lock_path).pid == holder.pid  # the dead holder's record stayed
    said: list[str] = []
    lock = files.OwnedLock(lock_path, "the model registry lock", report=said.append)
    with lock:
        assert lock.taken_over is not None and lock.taken_over.pid == holder.pid
        assert files.read_owner(lock_path).pid == os.getpid()
    assert len(said) == 1
    assert said[0].startswith("the model registry lock: stale, taken over from pid ")
    assert f"pid {holder.pid} " in said[0] and "its process is gone" in said[0]


def test_a_waiter_names_the_live_holder_and_one_that_may_not_wait_refuses(tmp_path):
    lock_path = tmp_path / ".materialize.lock"
    holder = start_holder(lock_path, 1.5)
    try:
        with pytest.raises(files.LockBusyError, match=f"held by pid {holder.pid} on "):
            files.OwnedLock(lock_path, "the run lock").acquire(wait=False)
        said: list[str] = []
        lock = files.OwnedLock(lock_path, "the run lock", report=said.append).acquire()
        lock.release()
    finally:
        holder.wait(30)
    assert said[0].startswith(f"the run lock: waiting for pid {holder.pid} on ")
    assert "stale, taken over" in said[1]  # it died holding the lock: the record said so


def test_temporary_names_carry_the_writers_pid(tmp_path):
    name = files.temp_name("manifest.json")
    assert name.startswith(".manifest.json.") and name.endswith(".tmp")
    assert files.temp_writer(name) == os.getpid()
    assert files.temp_writer(files.temp_name("2026-snap", "staging")) == os.getpid()
    assert files.temp_writer("manifest.json") is None
    assert files.pid_alive(os.getpid())
