"""``mesh materialize``: run the mesh (or a selection) headless, recorded in the Dagster instance."""

from __future__ import annotations

import argparse
import sys
import time

from supplymesh.headless import materialize


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("materialize", help="materialize assets headless (default: the whole mesh)")
    p.add_argument(
        "--select",
        action="append",
        default=[],
        help="a product (sales.orders), an asset key (planning/inventory_plan_v1) or a Dagster "
        'selection string (group:sales, key:"transforms/*"+); repeatable',
    )
    p.add_argument(
        "--log-level",
        default="WARNING",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="console log level",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    outcome = materialize(args.select, log_level=args.log_level)
    for line in outcome.lines:
        print(line)
    status = "succeeded" if outcome.success else "FAILED"
    print(
        f"run {outcome.run_id} {status} in {time.monotonic() - started:.1f} s "
        f"({outcome.materialized} assets materialized, {outcome.failed_checks} checks failed)"
    )
    if not outcome.success:
        for error in outcome.errors:
            print(error, file=sys.stderr)
    return 0 if outcome.success else 1
