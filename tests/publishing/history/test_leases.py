"""A live reader's lease holds its snapshots; a dead reader's does not (and the next run removes
it); a reader whose snapshots were pruned while it leased them resolves again."""

import subprocess

from supplymesh.publishing.history.leases import (
    LEASE_KIND,
    hold,
    leased_ids,
    leases_dir,
    take_lease,
)
from supplymesh.publishing.leftovers import remove_dead_writers_files
from supplymesh.publishing.manifest import write_manifest
from supplymesh.settings import MeshPaths


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
    orphan = leases_dir(paths) / f".reader.{gone.pid}.{token}.{LEASE_KIND}"
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
        return "read", {"gone"} if len(seen) == 1 else {"new"}

    resolved, lease = take_lease(paths, resolve, "a racing reader")
    with lease:
        assert resolved == "read" and len(seen) == 2
        assert leased_ids(paths) == {"new"}


def test_the_leases_folder_is_writable_by_every_reader_account_and_sticky(tmp_path):
    paths = MeshPaths(tmp_path)
    with hold(paths, {"s1"}, "an analyst's query"):
        assert leases_dir(paths).stat().st_mode & 0o7777 == 0o1777


def test_a_reader_that_cannot_write_its_lease_still_reads_unleased(tmp_path, caplog):
    paths = MeshPaths(tmp_path)
    leases_dir(paths).parent.mkdir(parents=True)
    leases_dir(paths).write_text("not a folder")  # as a read-only mount would refuse it
    with hold(paths, {"s1"}, "a read-only reader") as lease:
        assert lease.path is None and leased_ids(paths) == set()
    assert "a read-only reader: reading without a lease" in caplog.text
