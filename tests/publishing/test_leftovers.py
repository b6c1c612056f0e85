"""After a killed run, the next one removes exactly what dead processes left: temporary files
of dead writers, unfinished copies, stale lock records, the dead run's dbt folder; it replays
dbt's journal instead of deleting it, and leaves live writers' work and published data alone."""

from __future__ import annotations

import errno
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import duckdb

from supplymesh import files
from supplymesh.publishing.leftovers import clean_leftovers
from supplymesh.settings import MeshPaths

KILLED_DBT = """
import os, sys, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("create table marts_demo as select range as n from range(100)")
os._exit(9)  # killed before any checkpoint: the table is only in the .wal
"""

DIES_HOLDING = """
import os, sys
from pathlib import Path
from supplymesh.files import exclusive_lock
exclusive_lock(Path(sys.argv[1])).acquire()
os._exit(9)
"""


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def named_by(pid: int, final_name: str, kind: str = "tmp") -> str:
    return f".{final_name}.{pid}.0badc0de.{kind}"


def test_the_next_run_removes_only_what_dead_processes_left(tmp_path: Path) -> None:
    paths = MeshPaths(tmp_path / "mesh")
    dead = dead_pid()
    version_dir = paths.warehouse / "sales" / "orders" / "v2"
    snapshot = version_dir / "20261127T000000000000Z-abc123"
    snapshot.mkdir(parents=True)
    (snapshot / "data.parquet").write_bytes(b"published")
    staging = version_dir / named_by(dead, "20261128T000000000000Z-def456", "staging")
    staging.mkdir()
    (staging / "data.parquet").write_bytes(b"half")
    unfinished_copy = snapshot / ".data.pseudonymised.parquet.tmp"
    unfinished_copy.write_bytes(b"half")
    dead_manifest_tmp = paths.catalog_dir / named_by(dead, "manifest.json")
    dead_catalog = paths.home / named_by(dead, "mesh.duckdb")
    live_tmp = paths.catalog_dir / files.temp_name("manifest.json")  # this process: alive
    for path in (dead_manifest_tmp, dead_catalog, Path(f"{dead_catalog}.wal"), live_tmp):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    landing_tmp = paths.landing / "sales" / named_by(dead, "orders")
    landing_tmp.parent.mkdir(parents=True)
    landing_tmp.write_bytes(b"a producer's")
    dead_run_dbt = paths.dbt_target / "transforms-0f0f0f0-1234abc"
    other_run_dbt = paths.dbt_target / "transforms-1a1a1a1-5678def"
    for folder in (dead_run_dbt, other_run_dbt):
        (folder / "compiled").mkdir(parents=True)
    subprocess.run([sys.executable, "-c", DIES_HOLDING, str(paths.catalog_dir / ".lock")])
    subprocess.run([sys.executable, "-c", KILLED_DBT, str(paths.transforms_db)])
    assert Path(f"{paths.transforms_db}.wal").exists()

    said: list[str] = []
    done = clean_leftovers(paths, "0f0f0f0f-dead-run", said.append)

    assert not staging.exists() and not unfinished_copy.exists()
    assert not dead_manifest_tmp.exists() and not dead_catalog.exists()
    assert not Path(f"{dead_catalog}.wal").exists()
    assert live_tmp.exists() and landing_tmp.exists()  # a live writer's; a producer's
    assert (snapshot / "data.parquet").read_bytes() == b"published"
    assert not dead_run_dbt.exists() and other_run_dbt.exists()
    assert not Path(f"{paths.transforms_db}.wal").exists()
    with duckdb.connect(str(paths.transforms_db), read_only=True) as con:
        assert con.execute("select count(*) from marts_demo").fetchone()[0] == 100
    assert files.read_owner(paths.catalog_dir / ".lock") is None
    assert len(said) == 1 and said[0].startswith("lock catalog/.lock: stale, taken over from pid")
    assert f"removed warehouse/sales/orders/v2/{staging.name} (left by pid {dead}, gone)" in done
    assert any(line.startswith("replayed transforms.duckdb.wal") for line in done)
    assert len(done) == 7, done  # 5 files, a dbt folder, a replay


def test_a_home_without_leftovers_reports_nothing(tmp_path: Path) -> None:
    paths = MeshPaths(tmp_path / "mesh")
    (paths.catalog_dir).mkdir(parents=True)
    with files.exclusive_lock(paths.catalog_dir / ".lock"):
        pass
    assert clean_leftovers(paths, None, lambda line: None) == []
    assert os.listdir(paths.catalog_dir) == [".lock"]


def test_catalogs_a_kill_left_behind_the_manifest_are_rebuilt(tmp_path: Path) -> None:
    from supplymesh.consumer import connect, run_query
    from supplymesh.publishing.publish import publish_landing
    from tests.publishing.test_publish import land
    from tests.validation.test_engine import orders_frame

    paths = MeshPaths(tmp_path / "mesh")
    land(paths, orders_frame(30), "20260101T000000Z")
    publish_landing("sales.orders", paths=paths)
    behind = paths.catalog_db.read_bytes()  # the analyst catalog before the second publish
    land(paths, orders_frame(40), "20260102T000000Z")
    publish_landing("sales.orders", paths=paths)
    paths.catalog_db.write_bytes(behind)  # as if killed after the manifest, before this file
    assert run_query(connect(paths), "select count(*) n from sales.orders")["n"][0] == 30

    done = clean_leftovers(paths, "0f0f0f0f-dead-run", lambda line: None)

    assert done == [
        "rebuilt the catalogs of analyst: they served older snapshots than the manifest"
    ]
    assert run_query(connect(paths), "select count(*) n from sales.orders")["n"][0] == 40
    assert clean_leftovers(paths, "0f0f0f0f-dead-run", lambda line: None) == []


def test_a_lease_another_account_owns_is_skipped_with_one_warning(tmp_path, monkeypatch, caplog):
    """In the sticky leases folder only a lease's owner (or the folder's) may remove it: the
    kernel says EPERM to anyone else, which must not fail the run's start-up."""
    paths = MeshPaths(tmp_path / "mesh")
    paths.leases.mkdir(parents=True)
    dead = dead_pid()
    theirs = paths.leases / named_by(dead, "reader", "lease")
    mine = paths.leases / named_by(dead, "reader2", "lease")
    for lease in (theirs, mine):
        lease.write_text(json.dumps({"host": socket.gethostname(), "snapshot_ids": ["s1"]}))
    unlink = Path.unlink

    def as_the_kernel_would(self, missing_ok=False):
        if self == theirs:
            raise PermissionError(errno.EPERM, os.strerror(errno.EPERM), str(self))
        unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", as_the_kernel_would)
    done = clean_leftovers(paths, None, lambda line: None)
    assert done == [f"removed catalog/leases/{mine.name} (a lease that holds nothing)"]
    assert theirs.exists() and not mine.exists()
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == [
        f"left 1 file(s) another account owns (no permission to remove them): "
        f"catalog/leases/{theirs.name}"
    ]
