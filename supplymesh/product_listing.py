"""The product catalog as consumers see it: metadata joined with what is published.

A role lists only the products it may read (its clearance, plus what stewards granted it) and
the columns it may see, each with how it sees
it (raw or pseudonymised); no value of any product appears here.
"""

from __future__ import annotations

from typing import Any

from supplymesh.governance.access import DEFAULT_ROLE
from supplymesh.governance.access_requests import role_with_grants
from supplymesh.publishing.consumer_catalog import served_file
from supplymesh.publishing.manifest import read_manifest
from supplymesh.registry import all_products
from supplymesh.settings import MeshPaths


def catalog_entries(
    paths: MeshPaths, role: str = DEFAULT_ROLE, *, with_columns: bool = True
) -> list[dict[str, Any]]:
    """One entry per product the role may read: its latest version, every major available,
    columns, publishing. The columns come from the contracts (pandera models, imported on first
    use), and so does which file of a snapshot the role reads (its PII masked or not):
    ``with_columns=False`` leaves both out (``snapshot_path`` None), and the contracts unread."""
    spec = role_with_grants(paths, role)
    manifest = read_manifest(paths)
    entries = []
    for product in all_products():
        if not spec.may_read(product):
            continue
        published = manifest["products"].get(product.key, {}).get("versions", {})
        latest = product.latest
        versions = []
        for v in sorted(product.versions, key=lambda v: v.major):
            entry = published.get(str(v.major)) or {}
            current = entry.get("current")
            versions.append(
                {
                    "major": v.major,
                    "version": v.version,
                    "status": v.status,
                    "deprecated_on": str(v.deprecated_on) if v.deprecated_on else None,
                    "sunset_on": str(v.sunset_on) if v.sunset_on else None,
                    "view": f"{product.domain}.{v.table}",
                    "contract": v.contract_ref,
                    "published": current is not None,
                    "snapshot_id": current["snapshot_id"] if current else None,
                    # the Parquet file the role's view reads, for any engine (Spark, pandas,
                    # ...): the snapshot itself, or its pseudonymised copy where PII is masked
                    "snapshot_path": (
                        str(served_file(current, v, spec)) if current and with_columns else None
                    ),
                    "rows": current["rows"] if current else None,
                    "last_published": current["published_at"] if current else None,
                    "last_validation": entry.get("last_validation"),
                }
            )
        latest_entry = next(v for v in versions if v["major"] == latest.major)
        entries.append(
            {
                "domain": product.domain,
                "name": product.name,
                "product": product.key,
                "description": product.description,
                "version": latest.version,
                "versions": [v["major"] for v in versions],
                "owner": product.owner_team,
                "owner_email": product.owner_email,
                "status": latest.status,
                "access": product.access,
                # readable by a steward's grant, above the role's clearance
                "granted": product.key in spec.granted,
                "freshness_sla": f"{product.freshness_sla_hours:g}h",
                **({"columns": spec.visible_columns(latest.columns)} if with_columns else {}),
                "last_published": latest_entry["last_published"],
                "version_details": versions,
            }
        )
    return entries
