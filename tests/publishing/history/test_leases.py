"""A live reader's lease holds its snapshots; a dead reader's does not (and the next run removes
it), nor does one older than a day; another host's holds until then. A reader whose snapshots
were deleted while it leased them resolves again, and a retired snapshot still on disk (what a
catalog not yet rebuilt lists) is leased at once."""

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from supplymesh.files import temp_name
from supplymesh.publishing.history import leases
from supplymesh.publishing.history.leases import (
    DELETING,
    LEASE_KIND,
    MAX_LEASE_AGE_S,
    SnapshotGoneError,
    hold,
    is_leftover,
    leased_ids,
    take_lease,
)
from supplymesh.publishing.leftovers import remove_dead_writers_files
from supplymesh.publishing.manifest import write_manifest
from supplymesh.settings import MeshPaths

A_DAY_LATER = MAX_LEASE_AGE_S + 60


def test_a_lease_holds_its_snapshots_until_released(tmp_path):
    paths = MeshPaths(tmp_path)
    with hold(paths, {"s1", "s2"}, "a test reader"):
        assert leased_ids(paths) == {"s1", "s2"}
    assert leased_ids(paths) == set()


def test_the_lease_of_a_reader_that_died_holds_nothing(tmp_path):
    paths = MeshPaths(tmp_path)
    lease = hold(paths, {"s1"}, "a reader about to die")
    gone = subprocess.Popen(["true"])  # its pid no longer runs once it is reaped
    gone.wait()
    token = lease.path.name.split(".")[3]
    orphan = paths.leases / f".reader.{gone.pid}.{token}.{LEASE_KIND}"
    lease.path.rename(orphan)
    assert leased_ids(paths) == set()
    (removed,) = remove_dead_writers_files(paths)  # what the next run cleans up
    assert removed.startswith("removed catalog/leases/.reader.") and not orphan.exists()


def test_a_reader_resolves_again_when_pruning_dropped_what_it_resolved(tmp_path):
    paths = MeshPaths(tmp_path)
    snap = {"snapshot_id": "new", "published_at": "2026-12-06T10:00:00+00:00", "path": "x"}
    write_manifest(paths, {"products": {"a.b": {"versions": {"1": {"history": [snap]}}}}})
    seen = []

    def resolve(manifest):
        seen.append(len(seen))
        return "read", {"gone": "a.b v1"} if len(seen) == 1 else {"new": "a.b v1"}

    resolved, lease = take_lease(paths, resolve, "a racing reader")
    with lease:
        assert resolved == "read" and len(seen) == 2
        assert leased_ids(paths) == {"new"}


def test_the_leases_folder_is_its_groups_alone_setgid_and_sticky(tmp_path):
    paths = MeshPaths(tmp_path)
    with hold(paths, {"s1"}, "an analyst's query") as lease:
        assert paths.leases.stat().st_mode & 0o7777 == 0o3770  # no world access
        assert lease.path.stat().st_mode & 0o777 == 0o640  # the pruning account reads it


def test_a_reader_that_cannot_write_its_lease_still_reads_unleased(tmp_path, caplog):
    paths = MeshPaths(tmp_path)
    paths.leases.parent.mkdir(parents=True)
    paths.leases.write_text("not a folder")  # as a read-only mount would refuse it
    with hold(paths, {"s1"}, "a read-only reader") as lease:
        assert lease.path is None and leased_ids(paths) == set()
    assert "a read-only reader: reading without a lease" in caplog.text


def _retired_manifest(paths: MeshPaths, tmp_path: Path, **mark) -> str:
    """A manifest whose ``orders`` v2 retired snapshot ``old`` (its file on disk) no longer
    serves: what a catalog one publish behind still lists."""
    data = tmp_path / "old" / "data.parquet"
    data.parent.mkdir()
    data.write_bytes(b"parquet")
    old = {"snapshot_id": "old", "path": str(data), **mark}
    new = {"snapshot_id": "new", "path": str(tmp_path / "new.parquet")}
    version = {"current": new, "history": [new], "retired": [old]}
    write_manifest(paths, {"products": {"sales.orders": {"versions": {"2": version}}}})
    return str(data)


def test_a_retired_snapshot_still_on_disk_is_leased_at_once(tmp_path, monkeypatch):
    paths = MeshPaths(tmp_path / "mesh")
    _retired_manifest(paths, tmp_path)

    def no_wait(seconds):
        raise AssertionError(f"the reader waited {seconds} s")

    monkeypatch.setattr(leases.time, "sleep", no_wait)
    ids = {"old": "sales.orders v2", "new": "sales.orders v2"}
    resolved, lease = take_lease(paths, lambda _: ("catalog", ids), "a lagging catalog")
    with lease:
        assert resolved == "catalog" and leased_ids(paths) == {"old", "new"}


@pytest.mark.parametrize("what", ["being deleted", "deleted"])
def test_a_snapshot_deleted_under_every_attempt_is_named_in_the_error(tmp_path, monkeypatch, what):
    paths = MeshPaths(tmp_path / "mesh")
    mark = {DELETING: True} if what == "being deleted" else {}
    data = _retired_manifest(paths, tmp_path, **mark)
    if what == "deleted":
        os.remove(data)  # a manifest an earlier release left: retired, its file gone
    monkeypatch.setattr(leases, "RETRY_WAIT_S", (0.0,) * 7)
    with pytest.raises(SnapshotGoneError) as error:
        take_lease(paths, lambda _: (None, {"old": "sales.orders v2"}), "analyst catalog")
    assert str(error.value).startswith("analyst catalog: sales.orders v2 snapshot old deleted")
    assert leased_ids(paths) == set()  # every attempt's lease released


def _foreign_lease(paths: MeshPaths, pid: int) -> Path:
    """A lease as a reader on another host sharing MESH_HOME writes it."""
    paths.leases.mkdir(parents=True, exist_ok=True)
    path = paths.leases / f".reader.{pid}.0badc0de.{LEASE_KIND}"
    record = {"pid": pid, "host": "worker-2.example", "snapshot_ids": ["s9"]}
    path.write_text(json.dumps(record))
    return path


def test_another_hosts_lease_holds_and_stays_until_it_expires(tmp_path):
    paths = MeshPaths(tmp_path)
    gone = subprocess.Popen(["true"])
    gone.wait()  # its pid runs nowhere here: on its own host it may
    lease = _foreign_lease(paths, gone.pid)
    assert leased_ids(paths) == {"s9"} and not is_leftover(lease)
    assert remove_dead_writers_files(paths) == [] and lease.exists()
    later = time.time() + A_DAY_LATER
    assert leased_ids(paths, now=later) == set() and is_leftover(lease, now=later)
    (removed,) = remove_dead_writers_files(paths, now=later)
    assert "a lease that holds nothing" in removed and not lease.exists()


def test_a_lease_older_than_a_day_holds_nothing_even_of_a_live_reader(tmp_path):
    paths = MeshPaths(tmp_path)
    with hold(paths, {"s1"}, "a connection left open") as lease:
        assert leased_ids(paths) == {"s1"}
        assert leased_ids(paths, now=time.time() + A_DAY_LATER) == set()
        assert is_leftover(lease.path, now=time.time() + A_DAY_LATER)


def test_a_temporary_file_in_the_leases_folder_stays_until_it_expires(tmp_path):
    """An atomic write's file names no host: a live reader elsewhere may be writing it."""
    paths = MeshPaths(tmp_path)
    paths.leases.mkdir(parents=True)
    partial = paths.leases / temp_name(f".reader.1.0badc0de.{LEASE_KIND}").replace(
        f".{os.getpid()}.", ".999999999."
    )
    partial.write_text("{")
    assert not is_leftover(partial) and is_leftover(partial, now=time.time() + A_DAY_LATER)
