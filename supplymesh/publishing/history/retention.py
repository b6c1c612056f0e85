"""Retention: which published snapshots stay on record, and the pruning of the others.

A product version keeps its snapshots per the product's ``retention`` (``registry.Retention``:
the newest N and/or those published within D days; the snapshot being served always stays), or
without one the newest ``publishing.snapshots_kept``. Pruning runs under the catalog lock, at
every publish of the version and by ``prune_product``, in two steps so no reader loses a file
it reads (``leases`` explains the order): ``expire`` takes what retention lets go and no lease
holds out of the history (into ``retired``: off the record, files still on disk, still leasable
by a reader of a catalog not rebuilt yet); once the manifest without them is written and the
catalogs rebuilt, ``remove_dropped`` marks the retired snapshots no reader holds ``deleting`` in
the manifest, reads the leases again and deletes the files of those still unleased. A snapshot
a reader holds stays on record (or retired), and goes in the first pass after its lease ends.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

from supplymesh.publishing.consumer_catalog import rebuild_catalog
from supplymesh.publishing.history.leases import DELETING, leased_ids
from supplymesh.publishing.manifest import Manifest, catalog_lock, read_manifest, write_manifest
from supplymesh.registry import Product, Retention
from supplymesh.settings import MeshPaths


def published_at(snap: dict) -> dt.datetime:
    """When a snapshot started being served (``published_at`` in the manifest, UTC)."""
    at = dt.datetime.fromisoformat(snap["published_at"])
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


def expired(
    history: list[dict],
    current_id: str | None,
    retention: Retention,
    default_kept: int,
    now: dt.datetime,
) -> list[dict]:
    """The snapshots of ``history`` (oldest first) that no retention rule keeps: neither among
    the newest ``snapshots`` nor published within ``days`` (an undeclared retention keeps the
    newest ``default_kept``); never the one being served (``current_id``)."""
    keep_last = (retention.snapshots or 0) if retention.declared else default_kept
    cutoff = now - dt.timedelta(days=retention.days) if retention.days is not None else None
    newest = {s["snapshot_id"] for s in history[max(0, len(history) - keep_last) :]}
    return [
        s
        for s in history
        if s["snapshot_id"] != current_id
        and s["snapshot_id"] not in newest
        and (cutoff is None or published_at(s) < cutoff)
    ]


def describe(retention: Retention, default_kept: int) -> str:
    """The retention in words, for listings."""
    if not retention.declared:
        return f"the newest {default_kept} snapshots (the default, publishing.snapshots_kept)"
    rules = []
    if retention.snapshots is not None:
        rules.append(f"the newest {retention.snapshots} snapshots")
    if retention.days is not None:
        rules.append(f"every snapshot of the last {retention.days:g} days")
    return " and ".join(rules)


@dataclass(frozen=True)
class Expiry:
    """What one pass of ``expire`` did to a version's record."""

    dropped: list[dict]  # off the record now; files deleted by ``remove_dropped``
    held: list[dict]  # expired, but a reader holds them: still on record


def expire(
    paths: MeshPaths,
    entry: dict,
    retention: Retention,
    default_kept: int,
    now: dt.datetime | None = None,
) -> Expiry:
    """Under the catalog lock: move the snapshots retention lets go and no reader holds from the
    version ``entry``'s history to its ``retired`` list (counted in ``pruned``)."""
    current = entry.get("current")
    candidates = expired(
        entry["history"],
        current["snapshot_id"] if current else None,
        retention,
        default_kept,
        now or dt.datetime.now(dt.UTC),
    )
    leased = leased_ids(paths) if candidates else set()
    held = [s for s in candidates if s["snapshot_id"] in leased]
    dropped = [s for s in candidates if s["snapshot_id"] not in leased]
    gone = {s["snapshot_id"] for s in dropped}
    entry["history"] = [s for s in entry["history"] if s["snapshot_id"] not in gone]
    entry["pruned"] = entry.get("pruned", 0) + len(dropped)
    entry["retired"] = entry.get("retired", []) + dropped
    return Expiry(dropped, held)


def remove_dropped(paths: MeshPaths, manifest: Manifest, entry: dict) -> list[str]:
    """Under the catalog lock, after the manifest without them is written and the catalogs
    rebuilt: delete the files of the version ``entry``'s retired snapshots no reader holds (the
    ids removed), writing ``manifest`` as it goes. Marked ``deleting`` first, in a manifest
    written before the leases are read again, so a reader that leases one from here on sees
    the mark and resolves again (``leases.take_lease``); one it holds stays retired."""
    retired = entry.get("retired") or []
    if not retired:
        return []
    leased = leased_ids(paths)
    marked = [{**s, DELETING: True} if s["snapshot_id"] not in leased else s for s in retired]
    if marked != retired:
        entry["retired"] = marked
        write_manifest(paths, manifest)
    leased = leased_ids(paths)  # every lease written before the mark was visible
    removed, kept = [], []
    for snap in entry["retired"]:
        if not snap.get(DELETING) or snap["snapshot_id"] in leased:
            kept.append(snap)
            continue
        shutil.rmtree(Path(snap["path"]).parent, ignore_errors=True)
        removed.append(snap["snapshot_id"])
    if removed:
        entry["retired"] = kept
        write_manifest(paths, manifest)
    return removed


def _outcome(major: int, expiry: Expiry, removed: list[str]) -> str:
    line = f"v{major}: {len(expiry.dropped)} snapshot(s) pruned, {len(removed)} deleted"
    if expiry.held:
        held = ", ".join(s["snapshot_id"] for s in expiry.held)
        line += f"; kept while a reader holds them: {held}"
    return line


def prune_product(paths: MeshPaths, product: Product, default_kept: int) -> list[str]:
    """Apply the product's retention to every published version now, as a publish does (after
    a lease was released, or a retention was shortened); one line per version."""
    lines = []
    with catalog_lock(paths):
        manifest = read_manifest(paths)
        versions = manifest["products"].get(product.key, {}).get("versions", {})
        expiries = {
            int(major): expire(paths, entry, product.governance.retention, default_kept)
            for major, entry in sorted(versions.items())
        }
        write_manifest(paths, manifest)
        # also when only an earlier pass left snapshots retired (a kill before its rebuild): no
        # catalog may still list one when its files go
        if any(entry.get("retired") for entry in versions.values()):
            rebuild_catalog(paths, manifest, product)
        for major, expiry in expiries.items():
            removed = remove_dropped(paths, manifest, versions[str(major)])
            lines.append(_outcome(major, expiry, removed))
    return lines
