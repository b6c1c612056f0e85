"""The snapshots of a product on record, as ``mesh products history`` shows them.

Only the metadata the manifest keeps (no value of the product), and only for a role that may
read the product (its clearance, or a steward's grant: callers pass the role as
``access_requests.role_with_grants`` serves it): the listing says what the role could read back
with ``mesh query --as-of``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from supplymesh.governance.access import Role
from supplymesh.publishing.landing import BATCH_ID_RE
from supplymesh.publishing.manifest import Manifest, snapshot_history
from supplymesh.registry import Product


def batch_of_source(source: str | None) -> str | None:
    """The landing batch a snapshot was published from (None for a frame a run computed)."""
    if not source or source.startswith("run "):
        return None
    match = BATCH_ID_RE.search(Path(source).name)
    return match.group(0) if match else None


def _snapshots(manifest: Manifest, product: Product, major: int) -> list[dict[str, Any]]:
    history = snapshot_history(manifest, product.key, major)
    entry = manifest["products"].get(product.key, {}).get("versions", {}).get(str(major)) or {}
    current = (entry.get("current") or {}).get("snapshot_id")
    return [
        {
            "snapshot_id": snap["snapshot_id"],
            "version": snap["version"],
            "published_at": snap["published_at"],
            "valid_to": history[i + 1]["published_at"] if i + 1 < len(history) else None,
            "rows": snap["rows"],
            "batch": batch_of_source(snap.get("source")),
            "run_id": snap.get("run_id"),
            "served_now": snap["snapshot_id"] == current,
        }
        for i, snap in enumerate(history)
    ]


def require_reader(product: Product, role: Role) -> None:
    """PermissionError unless ``role`` (with its grants) may read ``product``."""
    if not role.may_read(product):
        raise PermissionError(
            f"role {role.name} cannot see {product.key} (access {product.access}); its "
            f"clearance is {role.clearance}"
        )


def product_history(
    manifest: Manifest, product: Product, role: Role, retention: str
) -> dict[str, Any]:
    """Every major version of ``product`` with its snapshots on record (oldest first) and how
    many retention pruned; ``retention`` is the rule in words. PermissionError when ``role``
    may not read the product."""
    require_reader(product, role)
    versions = []
    for v in sorted(product.versions, key=lambda v: v.major):
        entry = manifest["products"].get(product.key, {}).get("versions", {}).get(str(v.major))
        versions.append(
            {
                "major": v.major,
                "version": v.version,
                "status": v.status,
                "view": f"{product.domain}.{v.table}",
                "history_view": f"history.{v.table}",
                "pruned": (entry or {}).get("pruned", 0),
                "snapshots": _snapshots(manifest, product, v.major),
            }
        )
    return {"product": product.key, "retention": retention, "versions": versions}
