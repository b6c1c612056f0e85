"""``mesh products`` without a subcommand: the listing of the data products a role may read."""

from __future__ import annotations

import argparse
import json

from supplymesh.governance.access import DEFAULT_ROLE, ROLES
from supplymesh.product_listing import catalog_entries
from supplymesh.settings import mesh_paths


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The listing's options, on ``mesh products`` itself."""
    p.add_argument("--json", action="store_true", help="print a JSON list of products")
    p.add_argument(
        "--role",
        choices=sorted(ROLES),
        default=DEFAULT_ROLE,
        help=f"list what this role may read (default {DEFAULT_ROLE})",
    )


def run(args: argparse.Namespace) -> int:
    # the table shows no columns: without them no contract is imported (pandera, pandas)
    entries = catalog_entries(mesh_paths(), args.role, with_columns=args.json)
    if args.json:
        print(json.dumps(entries, indent=2))
        return 0
    print(
        f"{'product':<32} {'version':<8} {'majors':<7} {'status':<11} {'access':<11} "
        f"{'owner':<22} {'rows':>10}  last published"
    )
    for e in entries:
        latest = next(v for v in e["version_details"] if v["version"] == e["version"])
        rows = f"{latest['rows']:,}" if latest["rows"] is not None else "-"
        majors = ",".join(f"v{m}" for m in e["versions"])
        access = f"{e['access']}*" if e["granted"] else e["access"]
        print(
            f"{e['product']:<32} {e['version']:<8} {majors:<7} {e['status']:<11} "
            f"{access:<11} {e['owner']:<22} {rows:>10}  {e['last_published'] or 'never'}"
        )
        for v in e["version_details"]:
            if v["status"] == "deprecated":
                print(
                    f"{'':<4}v{v['major']} ({v['version']}) deprecated since {v['deprecated_on']}, "
                    f"sunset {v['sunset_on']}: still served as {v['view']}"
                )
    if any(e["granted"] for e in entries):
        print(f"* above {args.role}'s clearance, granted by an access request (mesh access list)")
    return 0
