"""What a killed run leaves in ``MESH_HOME``, and the next run's clean-up of it.

A run killed at any moment leaves consumers a consistent mesh (snapshots appear by a rename,
the manifest and catalogs by an atomic replace), but it can leave work in progress behind:

* temporary files and folders named by ``supplymesh.files.temp_name`` (atomic writes of the
  manifest, audit head, ledgers and model pickles; snapshot staging folders; a role catalog
  being built, with DuckDB's ``.wal`` beside it), each carrying its writer's pid;
* a pseudonymised copy being written into a published snapshot (under the catalog lock);
* the owner records of locks the dead process held (``<lock>.owner``);
* dagster-dbt's per-invocation target folder of the dead run (``dbt_target/transforms-<run>-*``);
* role catalogs one publish behind the manifest (killed between the two), rebuilt;
* ``transforms.duckdb.wal``, the journal of dbt's database: committed work, not garbage, so it
  is replayed into the database (a checkpoint), never deleted.

``clean_leftovers`` removes only what belongs to no live process: a temporary file whose pid is
dead on this host, files only ever written under the catalog lock (taken to look), locks nobody
holds. Readers' leases are judged by ``publishing.history.leases.is_leftover``: a lease written
on another host sharing ``MESH_HOME`` carries a pid this host cannot check, so it stays until it
expires. A file another account owns in a sticky folder (the leases) cannot be removed by
this one: it is skipped with one warning, never failing the run. Landing files, published
snapshots and quarantined rows are never touched. It returns one line per thing it removed or
replayed, for the run to print.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb

from supplymesh.files import (
    OWNER_SUFFIX,
    LockBusyError,
    OwnedLock,
    pid_alive,
    temp_writer,
)
from supplymesh.governance.access import catalog_path
from supplymesh.governance.access_requests import roles_with_grants
from supplymesh.governance.pseudonym import PSEUDONYMISED_FILE
from supplymesh.publishing.consumer_catalog import (
    rebuild_catalog,
    served_snapshots,
    serves_other_snapshots,
)
from supplymesh.publishing.history.leases import is_leftover
from supplymesh.publishing.manifest import catalog_lock, read_manifest
from supplymesh.settings import MeshPaths

LOG = logging.getLogger("supplymesh.leftovers")
# folders whose contents other programs own (the producers' landing files, Dagster's instance)
NOT_OURS = ("landing", "dagster_home")
DUCKDB_SIDE_FILES = (".wal", ".tmp")
PSEUDONYM_TEMP = f".{PSEUDONYMISED_FILE}.tmp"  # governance.pseudonym's name for its copy


def _walk(home: Path) -> Iterator[Path]:
    """Every file and folder under ``home`` outside ``NOT_OURS``; a temporary folder is yielded
    but not entered (it goes as a whole)."""
    for root, dirs, files in os.walk(home):
        here = Path(root)
        if here == home:
            dirs[:] = [d for d in dirs if d not in NOT_OURS]
        for name in files:
            yield here / name
        for name in list(dirs):
            if temp_writer(name) is not None:
                dirs.remove(name)
                yield here / name


def _writer_pid(path: Path) -> int | None:
    """The pid in a temporary name, also for DuckDB's side files of a temporary database."""
    name = path.name
    for suffix in DUCKDB_SIDE_FILES:
        if name.endswith(suffix) and temp_writer(name.removesuffix(suffix)) is not None:
            name = name.removesuffix(suffix)
    return temp_writer(name)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _relative(paths: MeshPaths, path: Path) -> str:
    return str(path.relative_to(paths.home))


def _left_behind(paths: MeshPaths, path: Path, now: float | None) -> str | None:
    """Why ``path`` is a leftover to remove; None when it is not one."""
    pid = _writer_pid(path)
    if pid is None:
        return None
    if path.parent == paths.leases:
        return "a lease that holds nothing" if is_leftover(path, now) else None
    return None if pid_alive(pid) else f"left by pid {pid}, gone"


def remove_dead_writers_files(paths: MeshPaths, now: float | None = None) -> list[str]:
    """Temporary files and folders whose writer's pid no longer runs on this host, and the
    leases that hold nothing (``now``: the time leases are judged at, default now)."""
    removed, not_ours = [], []
    for path in sorted(_walk(paths.home)):
        why = _left_behind(paths, path, now)
        if why is None:
            continue
        try:
            _remove(path)
        except PermissionError:
            not_ours.append(_relative(paths, path))
            continue
        removed.append(f"removed {_relative(paths, path)} ({why})")
    if not_ours:
        LOG.warning(
            "left %d file(s) another account owns (no permission to remove them): %s",
            len(not_ours),
            ", ".join(not_ours),
        )
    return removed


def remove_catalog_lock_leftovers(paths: MeshPaths) -> list[str]:
    """Half-written pseudonymised copies in published snapshots: they are only written under
    the catalog lock, so while this holds it, any such file is a dead writer's."""
    removed = []
    with catalog_lock(paths):
        if paths.warehouse.exists():
            for path in sorted(paths.warehouse.rglob(PSEUDONYM_TEMP)):
                path.unlink(missing_ok=True)
                removed.append(f"removed {_relative(paths, path)} (an unfinished copy)")
    return removed


def resync_catalogs(paths: MeshPaths) -> list[str]:
    """Rebuild the role catalogs when they serve other snapshots than the manifest names: a run
    killed between switching the manifest and rebuilding them left them one publish behind."""
    if not paths.manifest.exists():
        return []
    with catalog_lock(paths):
        manifest = read_manifest(paths)
        behind = []
        for role in roles_with_grants(paths).values():
            served = {}
            if (catalog := catalog_path(paths, role)).exists():
                with duckdb.connect(str(catalog), read_only=True) as con:
                    served = served_snapshots(con)
            if serves_other_snapshots(served, role, manifest):
                behind.append(role.name)
        if not behind:
            return []
        rebuild_catalog(paths, manifest)
    return [
        f"rebuilt the catalogs of {', '.join(behind)}: they served older snapshots than the manifest"
    ]


def release_stale_locks(paths: MeshPaths, report) -> None:
    """Take and let go every lock whose owner record a dead holder left: each says "stale,
    taken over" through ``report`` once. A lock a live process holds is left alone."""
    for record in sorted(paths.home.rglob(f"*{OWNER_SUFFIX}")):
        if any(part in NOT_OURS for part in record.relative_to(paths.home).parts[:1]):
            continue
        lock = OwnedLock(
            record.with_name(record.name.removesuffix(OWNER_SUFFIX)),
            f"lock {_relative(paths, record).removesuffix(OWNER_SUFFIX)}",
            report=report,
        )
        try:
            lock.acquire(wait=False)
        except LockBusyError:
            continue
        lock.release()


def remove_dead_run_dbt_target(paths: MeshPaths, run_id: str) -> list[str]:
    """dagster-dbt's invocation folders of a run that died (``transforms-<run_id[:7]>-*``)."""
    if not paths.dbt_target.exists():
        return []
    removed = []
    for folder in sorted(paths.dbt_target.glob(f"*-{run_id[:7]}-*")):
        if folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(f"removed {_relative(paths, folder)} (dbt files of dead run {run_id})")
    return removed


def replay_transforms_wal(paths: MeshPaths) -> list[str]:
    """Fold a killed dbt's journal into ``transforms.duckdb`` (DuckDB replays it on open; the
    checkpoint makes the file whole again). Skipped while another process has the database."""
    wal = paths.transforms_db.with_name(paths.transforms_db.name + ".wal")
    if not wal.exists():
        return []
    try:
        con = duckdb.connect(str(paths.transforms_db))
    except duckdb.IOException as exc:  # a live writer (a run of the UI) holds it
        return [f"left {_relative(paths, wal)}: transforms.duckdb is in use ({exc})"]
    try:
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return [f"replayed {_relative(paths, wal)} into transforms.duckdb (a killed dbt's journal)"]


def clean_leftovers(paths: MeshPaths, dead_run_id: str | None, report) -> list[str]:
    """Everything above, in order; ``dead_run_id``: the run that died holding the run lock.
    Stale locks are reported through ``report`` as they are taken over; the rest is returned."""
    if not paths.home.exists():
        return []
    release_stale_locks(paths, report)
    done = remove_dead_writers_files(paths) + remove_catalog_lock_leftovers(paths)
    if dead_run_id:
        done += remove_dead_run_dbt_target(paths, dead_run_id) + resync_catalogs(paths)
    return done + replay_transforms_wal(paths)
