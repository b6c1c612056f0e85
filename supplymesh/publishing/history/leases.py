"""Reader leases: a reader names the snapshots it reads, and retention never deletes them.

A lease is one small JSON file per reader under ``MeshPaths.leases`` (pid, host, what it reads,
the snapshot ids), written before the reader opens any snapshot and removed when it is done.
Readers take no lock, so a query never waits for a publish; pruning, which runs under the
catalog lock, reads the leases and leaves every leased snapshot on disk.

What a lease may name (``leasable_ids``): the snapshots on record (each version's ``history``)
and those retired whose files are still there and not being deleted. The second kind is what a
role catalog one step behind the manifest still lists: a publish takes snapshots off the record,
then rebuilds the catalogs (and a kill between the two leaves them behind until the next run),
so a reader of such a catalog reads at once instead of waiting for the rebuild.

Why no lock is needed (``take_lease``): the reader writes its lease, then reads the manifest
again and goes on only if each leased snapshot is still leasable; pruning first writes the
manifest with the snapshots it will delete marked ``deleting`` (no longer leasable), then reads
the leases and deletes only the unleased files (``retention.remove_dropped``). Either the
reader's second read comes before that manifest write (so its lease was already there when
pruning looked), or it sees the mark and resolves again.

Which leases hold (``holds``): one taken on this host while its reader's pid runs, or one of
another host sharing ``MESH_HOME`` (docs/deploy.md), which this host cannot check; and none
older than ``MAX_LEASE_AGE_S``. That bound keeps a lease left by a reader that died on another
host, or planted by any account of the leases folder's group, from keeping snapshots forever;
a reader must not keep one connection open longer. What holds nothing is removed by the next
run's clean-up (``publishing.leftovers``, through ``is_leftover``), by whoever may.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import socket
import time
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from supplymesh.files import atomic_write, pid_alive, temp_name, temp_writer
from supplymesh.publishing.manifest import Manifest, read_manifest
from supplymesh.settings import MeshPaths

T = TypeVar("T")
LOG = logging.getLogger("supplymesh.leases")
# setgid + sticky, read-write for the owner and its group, nothing for others: the accounts of
# the folder's group (the platform's and every reader's, docs/governance.md) write their own
# leases into it, new ones stay in that group, and each may remove only its own (the folder's
# owner, the platform account, any)
LEASES_FOLDER_MODE = 0o3770
LEASE_FILE_MODE = 0o640  # the group reads every lease: pruning runs as the platform account
LEASE_KIND = "lease"
# the longest a lease holds: a day (a reader keeps no connection open longer); judged by the
# file's change time, which its owner cannot set (a shared file system's server stamps it)
MAX_LEASE_AGE_S = 24 * 3600.0
DELETING = "deleting"  # the mark of a retired snapshot pruning has begun to delete
# how often a reader resolves again when pruning deleted what it had resolved (the first at
# once: pruning rebuilds the catalogs before it deletes, so the next read finds them new)
RESOLVE_ATTEMPTS = 8
RETRY_WAIT_S = (0.0, 0.1, 0.2, 0.4, 0.8, 1.0, 1.0)


class SnapshotGoneError(RuntimeError):
    """What a reader resolved was pruned again and again while it took its lease."""

    def __init__(self, purpose: str, gone: Mapping[str, str]) -> None:
        named = ", ".join(f"{what} snapshot {sid}" for sid, what in sorted(gone.items()))
        super().__init__(
            f"{purpose}: {named} deleted by retention while this reader leased it, "
            f"{RESOLVE_ATTEMPTS} times in a row; `mesh products history PRODUCT` lists the "
            "snapshots on record"
        )
        self.gone = dict(gone)


@dataclass
class Lease:
    """A reader's hold on some snapshots; ``release`` (or leaving the ``with``) lets them go."""

    path: Path | None  # None: the reader could not write its lease (see ``hold``)
    snapshot_ids: frozenset[str]
    purpose: str
    _released: bool = field(default=False, repr=False)

    def release(self) -> None:
        if not self._released and self.path is not None:
            self.path.unlink(missing_ok=True)
            self._released = True

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def bind_to(self, owner: object) -> None:
        """Release this lease when ``owner`` (a connection) is garbage collected, or at exit."""
        weakref.finalize(owner, Lease.release, self)


def _write(path: Path, snapshot_ids: Iterable[str], purpose: str) -> None:
    record = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "purpose": purpose,
        "taken_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "snapshot_ids": sorted(snapshot_ids),
    }
    atomic_write(path, json.dumps(record, indent=1))
    os.chmod(path, LEASE_FILE_MODE)  # before the reader checks the manifest: pruning reads it


def _leases_folder(paths: MeshPaths) -> Path:
    """The leases folder, created group-writable, setgid and sticky (``LEASES_FOLDER_MODE``):
    analysts read the mesh under their own accounts (docs/governance.md)."""
    folder = paths.leases
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):  # another account made it first: theirs stands
            os.chmod(folder, LEASES_FOLDER_MODE)
    return folder


def hold(paths: MeshPaths, snapshot_ids: Iterable[str], purpose: str) -> Lease:
    """Lease ``snapshot_ids`` as they are (callers that resolved them from the manifest use
    ``take_lease``, which also makes sure pruning has not deleted them meanwhile).

    A reader that may not write the leases folder (a read-only mount, an account outside its
    group) still reads, unleased like a DuckDB client of one's own, and says so in the log."""
    ids = frozenset(snapshot_ids)
    try:
        path = _leases_folder(paths) / temp_name("reader", LEASE_KIND)
        _write(path, ids, purpose)
    except OSError as exc:
        LOG.warning("%s: reading without a lease (%s); retention may prune under it", purpose, exc)
        return Lease(None, ids, purpose)
    return Lease(path, ids, purpose)


def leasable_ids(manifest: Manifest) -> set[str]:
    """Every snapshot id a lease may name: on record in the manifest (the histories, the current
    ones among them), or retired with its file still there and not being deleted."""
    out = set()
    for entry in manifest.get("products", {}).values():
        for version in entry.get("versions", {}).values():
            out |= {snap["snapshot_id"] for snap in version.get("history", [])}
            out |= {
                snap["snapshot_id"]
                for snap in version.get("retired", [])
                if not snap.get(DELETING) and Path(snap["path"]).exists()
            }
    return out


def take_lease(
    paths: MeshPaths,
    resolve: Callable[[Manifest], tuple[T, Mapping[str, str]]],
    purpose: str,
) -> tuple[T, Lease]:
    """Resolve what to read from the manifest (``resolve`` returns it and the snapshot ids it
    reads, each with the product version it is of), lease those ids, and confirm from a second
    read of the manifest that none is being deleted (see the module docstring); resolves again
    if one is, and names what was deleted if that keeps happening."""
    gone: dict[str, str] = {}
    for attempt in range(RESOLVE_ATTEMPTS):
        resolved, ids = resolve(read_manifest(paths))
        lease = hold(paths, ids, purpose)
        leasable = leasable_ids(read_manifest(paths))
        gone = {sid: what for sid, what in ids.items() if sid not in leasable}
        if not gone:
            return resolved, lease
        lease.release()
        if attempt < len(RETRY_WAIT_S):
            time.sleep(RETRY_WAIT_S[attempt])
    raise SnapshotGoneError(purpose, gone)


def _age_s(path: Path, now: float) -> float | None:
    """How long ago ``path`` was written (its change time); None once it is gone."""
    try:
        return now - path.stat().st_ctime
    except FileNotFoundError:
        return None


def _record(path: Path) -> dict | None:
    """A lease's record; None when it is gone or this account may not read it."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def holds(path: Path, record: dict, now: float) -> bool:
    """Whether the lease at ``path`` holds its snapshots (see the module docstring)."""
    age = _age_s(path, now)
    if age is None or age > MAX_LEASE_AGE_S:
        return False
    if record.get("host") != socket.gethostname():
        return True
    pid = temp_writer(path.name)
    return pid is not None and pid_alive(pid)


def is_leftover(path: Path, now: float | None = None) -> bool:
    """Whether the clean-up may remove ``path``, a file of the leases folder: anything older
    than ``MAX_LEASE_AGE_S``, or a lease this host's reader left when it died. Another host's
    lease, an unreadable one and an atomic write's temporary file stay until they expire."""
    now = time.time() if now is None else now
    age = _age_s(path, now)
    if age is None:
        return False
    if age > MAX_LEASE_AGE_S:
        return True
    record = _record(path) if path.name.endswith(f".{LEASE_KIND}") else None
    pid = temp_writer(path.name)
    if record is None or pid is None or record.get("host") != socket.gethostname():
        return False
    return not pid_alive(pid)


def live_leases(paths: MeshPaths, now: float | None = None) -> list[dict]:
    """The records of the leases that hold (``holds``), each with its ``path``."""
    folder = paths.leases
    if not folder.is_dir():
        return []
    now = time.time() if now is None else now
    out = []
    for path in sorted(folder.iterdir()):
        if temp_writer(path.name) is None or not path.name.endswith(f".{LEASE_KIND}"):
            continue  # an atomic write in progress, or not a lease
        record = _record(path)
        if record is None:
            continue  # released between listing and reading, or unreadable: it holds nothing
        if holds(path, record, now):
            out.append({**record, "path": str(path)})
    return out


def leased_ids(paths: MeshPaths, now: float | None = None) -> set[str]:
    """Every snapshot id a lease that holds names."""
    return {sid for record in live_leases(paths, now) for sid in record.get("snapshot_ids", [])}
