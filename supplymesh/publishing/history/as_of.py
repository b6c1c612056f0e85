"""A moment in the past, resolved to the snapshot each product version served then.

A moment is a timestamp (ISO 8601; without a zone it is UTC) or a snapshot id: the moment that
snapshot started being served, with its own version pinned to it (two publishes in one second
share a ``published_at``). A version served at ``t`` the newest snapshot on record published at
or before ``t``; a version whose record was pruned past ``t`` cannot say what it served and is
left out by name (``missing``), never shown with the wrong data.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from supplymesh.publishing.history.retention import published_at
from supplymesh.publishing.manifest import Manifest

# publish._new_snapshot_id: microsecond UTC timestamp and six hex digits
SNAPSHOT_ID = re.compile(r"\d{8}T\d{12}Z-[0-9a-f]{6}")


class AsOfError(ValueError):
    """A moment that cannot be read: malformed, or a snapshot id not on record."""


def parse_moment(text: str) -> dt.datetime | str:
    """A snapshot id as it is, or a timestamp in UTC."""
    text = text.strip()
    if SNAPSHOT_ID.fullmatch(text):
        return text
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise AsOfError(
            f"--as-of takes a timestamp (e.g. 2026-12-06T23:10:00Z, 2026-12-06 23:10) or a "
            f"snapshot id (e.g. 20261206T231000123456Z-3d5894; `mesh products history PRODUCT` "
            f"lists them); got {text!r}"
        ) from None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


@dataclass(frozen=True)
class AsOf:
    """The mesh as served at ``at``: a manifest whose every version's current snapshot (and
    only snapshot on record) is the one served then."""

    asked: str
    at: dt.datetime
    manifest: Manifest
    missing: tuple[str, ...]  # versions whose record does not reach back to ``at``

    @property
    def snapshot_ids(self) -> dict[str, str]:
        """The snapshot id each version served then -> ``<product> v<major>``."""
        return {
            v["current"]["snapshot_id"]: f"{key} v{major}"
            for key, entry in self.manifest["products"].items()
            for major, v in entry["versions"].items()
            if v["current"]
        }


def _find(manifest: Manifest, snapshot_id: str) -> dict:
    for entry in manifest.get("products", {}).values():
        for version in entry.get("versions", {}).values():
            for snap in version.get("history", []):
                if snap["snapshot_id"] == snapshot_id:
                    return snap
    raise AsOfError(
        f"snapshot {snapshot_id} is not on record (pruned by retention, or never published); "
        "`mesh products history PRODUCT` lists the snapshots on record"
    )


def served_then(history: list[dict], at: dt.datetime, pinned: str | None) -> dict | None:
    """The snapshot of ``history`` (oldest first) served at ``at``; ``pinned`` wins in its own
    version."""
    chosen = None
    for snap in history:
        if snap["snapshot_id"] == pinned:
            return snap
        if published_at(snap) <= at:
            chosen = snap
    return chosen


def as_of(manifest: Manifest, asked: str) -> AsOf:
    """The mesh of ``manifest`` as it was served at the moment ``asked`` names."""
    moment = parse_moment(asked)
    pinned = moment if isinstance(moment, str) else None
    at = published_at(_find(manifest, pinned)) if pinned else moment
    products, missing = {}, []
    for key, entry in sorted(manifest.get("products", {}).items()):
        versions = {}
        for major, version in sorted(entry.get("versions", {}).items()):
            history = version.get("history", [])
            snap = served_then(history, at, pinned)
            if snap is None and history and version.get("pruned", 0):
                missing.append(f"{key} v{major} (on record since {history[0]['published_at']})")
            versions[major] = {"current": snap, "history": [snap] if snap else []}
        products[key] = {"versions": versions}
    return AsOf(asked, at, {"products": products}, tuple(missing))
