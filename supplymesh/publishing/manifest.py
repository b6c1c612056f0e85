"""The publication manifest: which immutable snapshot each product version serves.

The manifest is a small JSON file replaced atomically under an exclusive file lock, so concurrent
publishers (several Dagster steps, a sensor run and a CLI run) never lose each other's updates
and a reader always sees a complete document.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from supplymesh.registry import get_product
from supplymesh.settings import MeshPaths
from supplymesh.validation.rules import literal

Manifest = dict[str, Any]


@contextlib.contextmanager
def catalog_lock(paths: MeshPaths) -> Iterator[None]:
    """Hold the catalog's exclusive lock (across processes) for a read-modify-write."""
    paths.catalog_dir.mkdir(parents=True, exist_ok=True)
    with open(paths.catalog_dir / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def read_manifest(paths: MeshPaths) -> Manifest:
    """The current manifest, or an empty one before the first publish."""
    if not paths.manifest.exists():
        return {"products": {}}
    return json.loads(paths.manifest.read_text())


def write_manifest(paths: MeshPaths, manifest: Manifest) -> None:
    """Replace the manifest atomically (call under ``catalog_lock``)."""
    atomic_write_text(paths.manifest, json.dumps(manifest, indent=2, sort_keys=True, default=str))


def atomic_write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def version_entry(manifest: Manifest, product: str, major: int) -> dict[str, Any]:
    """The manifest entry of one product version, created empty when missing."""
    versions = manifest["products"].setdefault(product, {"versions": {}})["versions"]
    return versions.setdefault(
        str(major), {"current": None, "history": [], "last_validation": None}
    )


def current_snapshot(manifest: Manifest, product: str, major: int) -> dict[str, Any] | None:
    entry = manifest["products"].get(product, {}).get("versions", {}).get(str(major))
    return entry["current"] if entry else None


def snapshot_history(manifest: Manifest, product: str, major: int) -> list[dict[str, Any]]:
    """Every snapshot of one product version still on record, oldest first."""
    entry = manifest["products"].get(product, {}).get("versions", {}).get(str(major))
    return list(entry.get("history", [])) if entry else []


def last_validation(manifest: Manifest, product: str, major: int) -> dict[str, Any] | None:
    """The latest validation record of one product version (published or refused), if any."""
    entry = manifest["products"].get(product, {}).get("versions", {}).get(str(major))
    return entry.get("last_validation") if entry else None


def served_tables(paths: MeshPaths) -> Callable[[str], str | None]:
    """Product key -> DuckDB table expression of its newest active major's current snapshot
    (None when unpublished): what cross-product rules compare against."""
    manifest = read_manifest(paths)

    def resolve(product: str) -> str | None:
        snap = current_snapshot(manifest, product, get_product(product).latest.major)
        return f"read_parquet({literal(snap['path'])})" if snap else None

    return resolve
