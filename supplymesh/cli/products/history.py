"""``mesh products history PRODUCT``: the snapshots of a product on record, and its retention.

Each line is one snapshot a role can read back (``mesh query --as-of SNAPSHOT_ID`` or the
catalog's ``history`` views): when it was published, its rows, the landing batch or run that
made it, and whether it is served now. ``--prune`` applies the retention at once, as the next
publish would (a snapshot a reader holds stays until its lease is released).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from supplymesh.governance.access import DEFAULT_ROLE, ROLES
from supplymesh.settings import mesh_paths


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("history", help="list a product's published snapshots on record")
    p.add_argument("product", help="e.g. planning.inventory_plan")
    p.add_argument("--json", action="store_true", help="print the history as JSON")
    p.add_argument(
        "--role",
        choices=sorted(ROLES),
        default=DEFAULT_ROLE,
        help=f"list it as this role may read it (default {DEFAULT_ROLE})",
    )
    p.add_argument(
        "--prune", action="store_true", help="apply the product's retention now, then list"
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from supplymesh.governance.access_requests import role_with_grants
    from supplymesh.planning_settings import load_planning_settings
    from supplymesh.publishing.history.listing import product_history, require_reader
    from supplymesh.publishing.history.retention import describe, prune_product
    from supplymesh.publishing.manifest import read_manifest
    from supplymesh.registry import get_product

    paths = mesh_paths()
    try:
        product = get_product(args.product)
    except KeyError as exc:
        print(f"mesh products history: {exc.args[0]}", file=sys.stderr)
        return 1
    default_kept = load_planning_settings(paths.home).publishing.snapshots_kept
    role = role_with_grants(paths, args.role)
    try:
        if args.prune:
            require_reader(product, role)
            for line in prune_product(paths, product, default_kept):
                print(f"pruned {product.key} {line}", file=sys.stderr)
        retention = describe(product.governance.retention, default_kept)
        history = product_history(read_manifest(paths), product, role, retention)
    except PermissionError as exc:
        print(f"mesh products history: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(history, indent=2) if args.json else render(history))
    return 0


def render(history: dict[str, Any]) -> str:
    """The history as text: a heading per major version, then a line per snapshot."""
    lines = [f"{history['product']}: keeps {history['retention']}"]
    for v in history["versions"]:
        lines.append(
            f"v{v['major']} ({v['version']}, {v['status']}): {len(v['snapshots'])} on record, "
            f"{v['pruned']} pruned; read back from {v['history_view']}"
        )
        if not v["snapshots"]:
            continue
        lines.append(
            f"  {'snapshot':<29} {'version':<8} {'published at':<25} {'rows':>10}  "
            f"{'batch / run':<22} served"
        )
        for s in v["snapshots"]:
            origin = f"batch {s['batch']}" if s["batch"] else f"run {(s['run_id'] or '?')[:8]}"
            lines.append(
                f"  {s['snapshot_id']:<29} {s['version']:<8} {s['published_at']:<25} "
                f"{s['rows']:>10,}  {origin:<22} {'now' if s['served_now'] else ''}".rstrip()
            )
    return "\n".join(lines)
