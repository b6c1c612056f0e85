"""``mesh query``: read-only SQL over the published products, as a role sees them.

The rows are printed from DuckDB's result by the standard library (no pandas, so a query starts
in well under a second): a table, CSV or JSON.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import decimal
import json
import math
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from supplymesh.governance.access import DEFAULT_ROLE, ROLES
from supplymesh.settings import mesh_paths

if TYPE_CHECKING:
    import duckdb


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
    p.add_argument(
        "--as-of",
        metavar="TIMESTAMP|SNAPSHOT_ID",
        help="read every product as it was served then (UTC unless the timestamp has a zone; "
        "a snapshot id: when it was published); `mesh products history PRODUCT` lists them",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import duckdb

    from supplymesh.consumer import connect, execute
    from supplymesh.publishing.history.as_of import AsOfError
    from supplymesh.publishing.history.leases import SnapshotGoneError

    try:
        con = connect(mesh_paths(), args.role, as_of=args.as_of)
        if args.as_of is not None:
            print(as_of_note(con), file=sys.stderr)
        result = execute(con, args.sql)
        columns = [d[0] for d in result.description or []]
        rows = result.fetchall()
    except (
        duckdb.Error,
        FileNotFoundError,
        PermissionError,
        AsOfError,
        SnapshotGoneError,
    ) as exc:
        print(f"mesh query: {exc}", file=sys.stderr)
        return 1
    if args.format == "csv":
        write_csv(columns, rows)
    elif args.format == "json":
        records = [dict(zip(columns, map(json_value, row), strict=True)) for row in rows]
        print(json.dumps(records, indent=2, default=str))  # intervals, UUIDs: as text
    else:
        print(render_table(columns, rows[: args.max_rows]))
        if len(rows) > args.max_rows:
            print(f"... {len(rows) - args.max_rows:,} more rows ({len(rows):,} in all)")
    return 0


def as_of_note(con: duckdb.DuckDBPyConnection) -> str:
    """What an as-of connection serves (on stderr, so the rows stay machine-readable)."""
    asked, served_at, missing = con.execute(
        "SELECT asked, strftime(served_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ'), "
        "not_retained FROM mesh_meta.as_of"
    ).fetchone()
    note = f"as of {asked}: the products as served at {served_at}"
    if missing:
        note += f"; not retained that far back, left out: {', '.join(missing)}"
    return note


def write_csv(columns: list[str], rows: Sequence[tuple]) -> None:
    """A header line, then one line per row; NULL as an empty field."""
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(["" if v is None else v for v in row] for row in rows)


def json_value(value: Any) -> Any:
    """A value JSON can hold: dates and times in ISO 8601, decimals as numbers, NaN as null
    (other types DuckDB returns, e.g. intervals or UUIDs, print as text)."""
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    return value


def _float_cells(values: list[float | None]) -> list[str]:
    """A float column at six decimals less the trailing zeros all its values share (one kept)."""
    cells = [None if v is None else f"{v:.6f}" if math.isfinite(v) else repr(v) for v in values]
    fixed = [c for c in cells if c is not None and "." in c]
    strip = min([len(c) - len(c.rstrip("0")) for c in fixed] + [5])
    return ["NULL" if c is None else c[: len(c) - strip] if "." in c else c for c in cells]


def render_table(columns: list[str], rows: Sequence[tuple]) -> str:
    """The rows as a plain text table: a header line, each column right-aligned."""
    table = [list(columns)]
    cells_by_column = []
    for i in range(len(columns)):
        values = [row[i] for row in rows]
        if any(isinstance(v, float) for v in values) and all(
            v is None or isinstance(v, float) for v in values
        ):
            cells_by_column.append(_float_cells(values))
        else:
            cells_by_column.append(["NULL" if v is None else str(v) for v in values])
    table += [list(cells) for cells in zip(*cells_by_column, strict=True)] if rows else []
    widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
    return "\n".join(
        " ".join(cell.rjust(width) for cell, width in zip(line, widths, strict=True))
        for line in table
    )
