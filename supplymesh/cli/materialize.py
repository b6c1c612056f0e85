"""``mesh materialize``: run the mesh (or a selection) headless, recorded in the Dagster instance."""

from __future__ import annotations

import argparse
import os
import sys
import time

from supplymesh.dagster_home import INSTANCE_CONFIGS


def add_instance_option(p: argparse.ArgumentParser) -> None:
    """``--instance sqlite|postgres``: which Dagster instance config to run on (see README)."""
    p.add_argument(
        "--instance",
        choices=sorted(INSTANCE_CONFIGS),
        help="Dagster instance storage (default: $MESH_DAGSTER_CONFIG, else sqlite)",
    )


def apply_instance_option(args: argparse.Namespace) -> None:
    """Make ``--instance`` the choice every later step (and Dagster subprocess) sees."""
    if args.instance:
        os.environ["MESH_DAGSTER_CONFIG"] = args.instance


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
    p.add_argument(
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a planning setting for this run (forecast.horizon_days=42; keys as in "
        "planning.yaml); repeatable",
    )
    p.add_argument(
        "--retrain",
        action="store_true",
        help="train the demand model in this run even when no training is due",
    )
    p.add_argument(
        "--allow-shrink",
        action="append",
        default=[],
        metavar="PRODUCT",
        help="let this source product's publish empty it or shrink it past its volume bound "
        "(a steward's deliberate choice, recorded in the audit log); 'all' for every product "
        "(e.g. after switching to a smaller world); repeatable",
    )
    p.add_argument(
        "--no-wait",
        dest="wait",
        action="store_false",
        help="refuse (exit 3) instead of waiting when another run holds this MESH_HOME",
    )
    add_instance_option(p)
    p.set_defaults(run=run)


def check_allow_shrink(names: list[str]) -> str | None:
    """Why ``--allow-shrink`` names something it cannot let through, or None when all is well:
    it reaches the products published from landing batches (``all`` for every one)."""
    from supplymesh.governance.volume import ALL_PRODUCTS
    from supplymesh.registry import all_products

    landing = {p.key for p in all_products() if p.source_kind == "landing"}
    wrong = [n for n in names if n != ALL_PRODUCTS and n not in landing]
    if not wrong:
        return None
    return (
        f"--allow-shrink {', '.join(wrong)}: not a product published from landing batches; "
        f"choose from {', '.join(sorted(landing))} or {ALL_PRODUCTS}"
    )


def run(args: argparse.Namespace) -> int:
    from orchestration.executors import ExecutorChoiceError
    from supplymesh.dagster_home import InstanceConfigError
    from supplymesh.files import LockBusyError
    from supplymesh.headless import materialize  # Dagster and the mesh's definitions
    from supplymesh.planning_settings import PlanningSettingsError
    from supplymesh.settings import MeshHomeNotSharedError

    apply_instance_option(args)
    if (wrong := check_allow_shrink(args.allow_shrink)) is not None:
        print(f"mesh materialize: {wrong}", file=sys.stderr)
        return 2
    started = time.monotonic()
    try:
        outcome = materialize(
            args.select,
            log_level=args.log_level,
            settings=args.settings,
            retrain="mesh materialize --retrain" if args.retrain else "",
            allow_shrink=args.allow_shrink,
            wait=args.wait,
        )
    except (
        InstanceConfigError,
        PlanningSettingsError,
        ExecutorChoiceError,
        MeshHomeNotSharedError,
    ) as exc:
        print(f"mesh materialize: {exc}", file=sys.stderr)
        return 2
    except LockBusyError as exc:
        print(f"mesh materialize: not started (--no-wait): {exc}", file=sys.stderr)
        return 3
    for line in outcome.lines:
        print(line)
    if outcome.model_line:
        print(outcome.model_line)
    status = "succeeded" if outcome.success else "FAILED"
    print(
        f"run {outcome.run_id} {status} in {time.monotonic() - started:.1f} s "
        f"({outcome.materialized} assets materialized, {outcome.failed_checks} checks failed)"
    )
    if outcome.output_log is not None and outcome.output_log.exists():
        print(f"step output and Dagster's log (dbt's log among it): {outcome.output_log}")
    if not outcome.success:
        for error in outcome.errors:
            print(error, file=sys.stderr)
    return 0 if outcome.success else 1
