"""A publish killed between writing the manifest and rebuilding the catalogs leaves catalogs that
still list the snapshot retention just retired: readers of them read at once (no wait, no
error), and the next pruning rebuilds them before it deletes that snapshot."""

from pathlib import Path

import pytest

from supplymesh.consumer import connect, run_query
from supplymesh.publishing import publish
from supplymesh.publishing.history import leases
from supplymesh.publishing.history.retention import prune_product
from supplymesh.publishing.manifest import read_manifest
from supplymesh.registry import get_product
from supplymesh.settings import MeshPaths
from tests.publishing.test_publish import land
from tests.validation.test_engine import orders_frame

COUNT = "select count(*) n from sales.orders_v2"


class Killed(BaseException):
    """The process died here."""


def _kill_before_the_rebuild(paths, manifest, changed=None):
    raise Killed


@pytest.fixture
def lagging(tmp_path, monkeypatch) -> tuple[MeshPaths, dict]:
    """Orders published (30 rows), then a second publish (40 rows) killed after its manifest
    write: retention (one snapshot kept) retired the first, which the catalogs still serve."""
    paths = MeshPaths(tmp_path / "mesh")
    paths.home.mkdir()
    (paths.home / "planning.yaml").write_text("publishing:\n  snapshots_kept: 1\n")
    land(paths, orders_frame(30), "20260101T000000Z")
    publish.publish_landing("sales.orders", paths=paths)
    land(paths, orders_frame(40), "20260102T000000Z")
    with monkeypatch.context() as patched:
        patched.setattr(publish, "rebuild_catalog", _kill_before_the_rebuild)
        with pytest.raises(Killed):
            publish.publish_landing("sales.orders", paths=paths)
    versions = read_manifest(paths)["products"]["sales.orders"]["versions"]
    (retired,) = [snap for entry in versions.values() for snap in entry.get("retired", [])]
    return paths, retired


def test_a_catalog_behind_the_manifest_reads_its_retired_snapshot_without_waiting(
    lagging, monkeypatch
):
    paths, retired = lagging

    def no_wait(seconds):
        raise AssertionError(f"the reader waited {seconds} s for a rebuild")

    monkeypatch.setattr(leases.time, "sleep", no_wait)
    con = connect(paths)  # before the fix: SnapshotGoneError after 4.5 s of retries
    assert run_query(con, COUNT)["n"][0] == 30  # what the catalog served when the run died
    assert retired["snapshot_id"] in leases.leased_ids(paths)


def test_the_next_pruning_rebuilds_the_catalogs_before_it_deletes_the_retired_snapshot(lagging):
    paths, retired = lagging
    lines = prune_product(paths, get_product("sales.orders"), 1)
    assert sum(line.endswith("0 snapshot(s) pruned, 1 deleted") for line in lines) == 1, lines
    assert not Path(retired["path"]).exists()
    served = read_manifest(paths)["products"]["sales.orders"]["versions"]
    con = connect(paths)  # the rebuilt catalog serves what the manifest serves
    for major, entry in served.items():
        view = f"select count(*) n from sales.orders_v{major}"
        assert run_query(con, view)["n"][0] == entry["current"]["rows"]
