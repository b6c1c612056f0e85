"""``mesh report``: a static HTML report of the latest plan, readable offline."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from supplymesh.settings import mesh_paths

REPORT_FILE = "plan_report.html"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report", help="write a self-contained HTML report of the latest plan (plots and KPIs)"
    )
    # --out is the user's own choice of folder, like a shell redirection: it may lie outside
    # MESH_HOME (README, "What the roles protect, and what they do not")
    p.add_argument(
        "--out",
        type=Path,
        help=f"output folder, anywhere you may write (default $MESH_HOME/reports); "
        f"writes {REPORT_FILE}",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import duckdb

    from supplymesh.reporting.html_report import render_report  # matplotlib, Jinja2
    from supplymesh.reporting.latest_plan import load_latest_plan

    paths = mesh_paths()
    out_dir = (args.out or paths.reports).resolve()
    try:
        plan = load_latest_plan(paths)
    except (FileNotFoundError, ValueError, duckdb.Error) as exc:
        print(f"mesh report: {exc}", file=sys.stderr)
        return 1
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / REPORT_FILE
    target.write_text(render_report(plan), encoding="utf-8")
    print(
        f"plan of {plan.origin.date()}: {len(plan.forecast):,} forecast rows, "
        f"{len(plan.inventory):,} SKU x DC, {len(plan.loads):,} trucks"
    )
    print(f"report written to {target} ({target.stat().st_size / 1024:,.0f} KiB)")
    return 0
