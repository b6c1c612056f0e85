"""The publication manifest: which immutable snapshot each product version serves.

The manifest is a small JSON file replaced atomically under an exclusive file lock, so concurrent
publishers (several Dagster steps, a sensor run and a CLI run) never lose each other's updates
and a reader always sees a complete document.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from supplymesh.files import OwnedLock, atomic_write, exclusive_lock
from supplymesh.registry import get_product
from supplymesh.settings import MeshPaths
from supplymesh.validation.rules import literal

if TYPE_CHECKING:
    import pandas as pd

Manifest = dict[str, Any]


def catalog_lock(paths: MeshPaths) -> OwnedLock:
    """The catalog's exclusive lock (across processes), held for a read-modify-write."""
    return exclusive_lock(paths.catalog_dir / ".lock", "the catalog lock")


def read_manifest(paths: MeshPaths) -> Manifest:
    """The current manifest, or an empty one before the first publish."""
    if not paths.manifest.exists():
        return {"products": {}}
    return json.loads(paths.manifest.read_text())


def write_manifest(paths: MeshPaths, manifest: Manifest) -> None:
    """Replace the manifest atomically (call under ``catalog_lock``)."""
    atomic_write(paths.manifest, json.dumps(manifest, indent=2, sort_keys=True, default=str))


def version_entry(manifest: Manifest, product: str, major: int) -> dict[str, Any]:
    """The manifest entry of one product version, created empty when missing."""
    versions = manifest["products"].setdefault(product, {"versions": {}})["versions"]
    return versions.setdefault(
        str(major), {"current": None, "history": [], "last_validation": None}
    )


def _version_entry(manifest: Manifest, product: str, major: int) -> dict[str, Any] | None:
    return manifest["products"].get(product, {}).get("versions", {}).get(str(major))


def current_snapshot(manifest: Manifest, product: str, major: int) -> dict[str, Any] | None:
    entry = _version_entry(manifest, product, major)
    return entry["current"] if entry else None


def current_frame(paths: MeshPaths, product: str, major: int) -> pd.DataFrame | None:
    """The rows of a product version's current snapshot; None before its first publish."""
    snap = current_snapshot(read_manifest(paths), product, major)
    if snap is None or not Path(snap["path"]).exists():
        return None
    import pandas as pd  # the manifest's readers that only look up snapshots never load it

    return pd.read_parquet(snap["path"])


def current_snapshot_ids(paths: MeshPaths, products: Iterable[str]) -> dict[str, str]:
    """``<product> v<major>`` -> current snapshot id, for the newest published major of each
    of ``products`` (what identifies the data a model was trained on)."""
    manifest = read_manifest(paths)
    wanted = set(products)
    out = {}
    for product, entry in sorted(manifest.get("products", {}).items()):
        if product not in wanted:
            continue
        for major in sorted(entry.get("versions", {}), key=int, reverse=True):
            snap = current_snapshot(manifest, product, int(major))
            if snap:
                out[f"{product} v{major}"] = snap["snapshot_id"]
                break
    return out


def snapshot_history(manifest: Manifest, product: str, major: int) -> list[dict[str, Any]]:
    """Every snapshot of one product version still on record, oldest first."""
    entry = _version_entry(manifest, product, major)
    return list(entry.get("history", [])) if entry else []


def last_validation(manifest: Manifest, product: str, major: int) -> dict[str, Any] | None:
    """The latest validation record of one product version (published or refused), if any."""
    entry = _version_entry(manifest, product, major)
    return entry.get("last_validation") if entry else None


def served_tables(paths: MeshPaths) -> Callable[[str], str | None]:
    """Product key -> DuckDB table expression of its newest active major's current snapshot
    (None when unpublished): what cross-product rules compare against."""
    manifest = read_manifest(paths)

    def resolve(product: str) -> str | None:
        snap = current_snapshot(manifest, product, get_product(product).latest.major)
        return f"read_parquet({literal(snap['path'])})" if snap else None

    return resolve
