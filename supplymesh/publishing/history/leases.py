"""Reader leases: a reader names the snapshots it reads, and retention never deletes them.

A lease is one small JSON file per reader under ``catalog/leases/`` (pid, host, what it reads,
the snapshot ids), written before the reader opens any snapshot and removed when it is done.
Readers take no lock, so a query never waits for a publish; pruning, which runs under the
catalog lock, reads the leases and leaves every leased snapshot on disk.

Why no lock is needed (``take_lease``): the reader writes its lease, then reads the manifest
again and goes on only if each leased snapshot is still on record; pruning first writes the
manifest without the snapshots it drops, then reads the leases and deletes only the unleased
files (``retention.remove_dropped``). Either the reader's second read comes before that manifest
write (so its lease was already there when pruning looked), or it sees the drop and resolves
again. A lease's file name carries its reader's pid (``files.temp_name``), so a reader that died
holding one neither blocks pruning (``live_leases`` skips it) nor leaves the file for long
(``publishing.leftovers`` removes it with the other leftovers of dead processes).
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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from supplymesh.files import atomic_write, pid_alive, temp_name, temp_writer
from supplymesh.publishing.manifest import Manifest, read_manifest
from supplymesh.settings import MeshPaths

T = TypeVar("T")
LOG = logging.getLogger("supplymesh.leases")
SHARED_FOLDER_MODE = 0o1777  # every account writes its own leases; only the owner removes one
LEASE_KIND = "lease"
# how often a reader resolves again when pruning dropped what it had resolved, waiting a little
# longer each time (a publish drops snapshots from the manifest, then rebuilds the catalogs a
# reader resolves from: a few seconds at most); more means something is wrong
RESOLVE_ATTEMPTS = 8
RETRY_WAIT_S = (0.1, 0.2, 0.4, 0.8, 1.0, 1.0, 1.0)


class SnapshotGoneError(RuntimeError):
    """What a reader resolved was pruned again and again while it took its lease."""


def leases_dir(paths: MeshPaths) -> Path:
    return paths.catalog_dir / "leases"


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


def _leases_folder(paths: MeshPaths) -> Path:
    """The leases folder, created writable by every account and sticky (as ``/tmp``): analysts
    read the mesh under their own accounts (docs/governance.md), and each may remove only its
    own leases."""
    folder = leases_dir(paths)
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):  # another account made it first: theirs stands
            os.chmod(folder, SHARED_FOLDER_MODE)
    return folder


def hold(paths: MeshPaths, snapshot_ids: Iterable[str], purpose: str) -> Lease:
    """Lease ``snapshot_ids`` as they are (callers that resolved them from the manifest use
    ``take_lease``, which also makes sure pruning has not dropped them meanwhile).

    A reader that may not write the leases folder (a read-only mount, say) still reads, unleased
    like a DuckDB client of one's own, and says so once in the log."""
    ids = frozenset(snapshot_ids)
    try:
        path = _leases_folder(paths) / temp_name("reader", LEASE_KIND)
        _write(path, ids, purpose)
    except OSError as exc:
        LOG.warning("%s: reading without a lease (%s); retention may prune under it", purpose, exc)
        return Lease(None, ids, purpose)
    return Lease(path, ids, purpose)


def retained_ids(manifest: Manifest) -> set[str]:
    """Every snapshot id on record in the manifest (the histories, the current ones among them)."""
    return {
        snap["snapshot_id"]
        for entry in manifest.get("products", {}).values()
        for version in entry.get("versions", {}).values()
        for snap in version.get("history", [])
    }


def take_lease(
    paths: MeshPaths,
    resolve: Callable[[Manifest], tuple[T, set[str]]],
    purpose: str,
) -> tuple[T, Lease]:
    """Resolve what to read from the manifest (``resolve`` returns it and the snapshot ids it
    reads), lease those ids, and confirm from a second read of the manifest that none was
    pruned in between (see the module docstring); resolves again if one was."""
    for attempt in range(RESOLVE_ATTEMPTS):
        resolved, ids = resolve(read_manifest(paths))
        lease = hold(paths, ids, purpose)
        if ids <= retained_ids(read_manifest(paths)):
            return resolved, lease
        lease.release()
        if attempt < len(RETRY_WAIT_S):
            time.sleep(RETRY_WAIT_S[attempt])
    raise SnapshotGoneError(
        f"{purpose}: the snapshots to read were pruned {RESOLVE_ATTEMPTS} times while leasing them"
    )


def _holder_alive(path: Path, record: dict) -> bool:
    """A lease of a live reader: its pid runs on this host, or it was taken on another host
    (sharing ``MESH_HOME``), where this host cannot tell."""
    pid = temp_writer(path.name)
    if record.get("host") != socket.gethostname():
        return True
    return pid is not None and pid_alive(pid)


def live_leases(paths: MeshPaths) -> list[dict]:
    """The lease records of readers still running, each with its ``path``."""
    folder = leases_dir(paths)
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.iterdir()):
        if temp_writer(path.name) is None or not path.name.endswith(f".{LEASE_KIND}"):
            continue  # an atomic write in progress, or not a lease
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError):
            continue  # released between listing and reading
        if _holder_alive(path, record):
            out.append({**record, "path": str(path)})
    return out


def leased_ids(paths: MeshPaths) -> set[str]:
    """Every snapshot id a live reader holds."""
    return {sid for record in live_leases(paths) for sid in record.get("snapshot_ids", [])}
