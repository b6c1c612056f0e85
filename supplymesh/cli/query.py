"""``mesh query``: read-only SQL over the published products, as a role sees them."""

from __future__ import annotations

import argparse
import sys

import duckdb

from supplymesh.consumer import connect, run_query
from supplymesh.governance.access import DEFAULT_ROLE, ROLES
from supplymesh.settings import mesh_paths


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("query", help="run read-only SQL over the published products (DuckDB)")
    p.add_argument("sql", help='e.g. "select * from planning.inventory_plan limit 5"')
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.add_argument("--max-rows", type=int, default=40, help="rows shown in table format")
    p.add_argument(
        "--role",
        choices=sorted(ROLES),
        default=DEFAULT_ROLE,
        help=f"whose view of the mesh (default {DEFAULT_ROLE}: PII as pseudonyms)",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        con = connect(mesh_paths(), args.role)
        frame = run_query(con, args.sql)
    except (duckdb.Error, FileNotFoundError, PermissionError) as exc:
        print(f"mesh query: {exc}", file=sys.stderr)
        return 1
    if args.format == "csv":
        frame.to_csv(sys.stdout, index=False)
    elif args.format == "json":
        print(frame.to_json(orient="records", date_format="iso", indent=2))
    else:
        with_limit = frame.head(args.max_rows)
        print(with_limit.to_string(index=False))
        if len(frame) > args.max_rows:
            print(f"... {len(frame) - args.max_rows:,} more rows ({len(frame):,} in all)")
    return 0
