"""``mesh forecast``: backtest any demand history, and run the model registry's human steps.

* ``mesh forecast backtest --input FILE --freq D|W|M|Q --horizon H [--json]``: the model beside
  seasonal naive, a moving average and the statistical peers (AutoETS, AutoTheta, CrostonSBA,
  TSB, ADIDA; ``--peers`` chooses) on a user's history (``item_id, location_id, date,
  quantity``, and ``--inputs FILE``: its known-future inputs, read by the feature models);
  ``--dataset NAME`` instead of ``--input`` runs the same comparison on a real
  dataset shipped in a package (M3 and Tourism monthly and quarterly, with their official
  horizons and test split, or Complete Journey). The forecaster that chooses per demand class
  among them (``planning.forecast_choice``) is scored beside them; the earliest origin is its
  warm-up, and every method is scored on the other origins. On a terminal a progress line on stderr counts
  the origins as they are fitted, with the elapsed time; in a log or a pipe nothing but the
  result is printed.
* ``mesh forecast train [--set KEY=VALUE]``: a training round now (the ``model_lifecycle``
  assets, headless): a challenger trained, gated and published as a candidate in the registry.
* ``mesh forecast models [--json]``: the registry (``ml.forecast_models``).
* ``mesh forecast approve VERSION --by NAME``: approve a candidate the gate passed; it becomes
  the champion (recorded with approver and time, in the registry and the audit log).
* ``mesh forecast reject VERSION --by NAME --reason TEXT``: turn a waiting candidate down.
"""

from __future__ import annotations

import argparse
import json
import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from supplymesh.settings import mesh_paths

if TYPE_CHECKING:
    import pandas as pd

    from supplymesh.planning.forecasting.backtest import OriginProgress

# Each verb imports the planning stack it runs on (pandas, scikit-learn, the model registry)
# inside its function: declaring the verbs, and `mesh --help`, import none of it.

LIST_COLUMNS = [
    "model_version",
    "status",
    "decision",
    "backtest_mase",
    "seasonal_naive_mase",
    "canary_mase",
    "champion_canary_mase",
    "promoted_by",
    "approved_by",
]


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("forecast", help="backtest a demand history; list, approve or reject models")
    verbs = p.add_subparsers(dest="verb", required=True)

    b = verbs.add_parser(
        "backtest", help="backtest the model and its statistical peers on a demand history"
    )
    source = b.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--input", type=Path, help="CSV/Parquet: item_id, location_id, date, quantity"
    )
    source.add_argument(
        "--dataset",
        metavar="NAME",
        help="a real dataset instead of a file: m3-monthly, m3-quarterly, tourism-monthly, "
        "tourism-quarterly, m1-monthly, m1-quarterly (held out) or completejourney (grain, "
        "horizon and split are the dataset's)",
    )
    b.add_argument(
        "--inputs",
        type=Path,
        help="CSV/Parquet of known-future inputs of --input (planned promotions, holidays): "
        "date, optionally item_id and location_id, and one numeric column per input",
    )
    b.add_argument("--freq", choices=["D", "W", "M", "Q"], default="D", help="grain of --input")
    b.add_argument("--horizon", type=int, help="periods ahead (default 28 D, 4 W, 3 M, 4 Q)")
    b.add_argument(
        "--origins",
        type=int,
        help="rolling origins (default 4 D/W, 3 M/Q; a competition dataset: 3, its test split "
        "the last; the earliest is the forecaster's warm-up)",
    )
    b.add_argument(
        "--peers",
        default="all",
        help="comma-separated peers to score (auto_ets, auto_theta, croston_sba, tsb, adida), "
        "'all' (default) or 'none'",
    )
    b.add_argument("--series", type=int, help="a dataset's first N series only (a quick look)")
    b.add_argument("--json", action="store_true", help="print one JSON object")
    b.set_defaults(run=run_backtest)

    t = verbs.add_parser("train", help="train a challenger now, gate it, publish the registry")
    t.add_argument(
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a planning setting for this round (keys as in planning.yaml)",
    )
    t.set_defaults(run=run_train)

    m = verbs.add_parser("models", help="list the model registry")
    m.add_argument("--json", action="store_true")
    m.set_defaults(run=run_models)

    a = verbs.add_parser("approve", help="approve a candidate awaiting approval")
    a.add_argument("version")
    a.add_argument("--by", required=True, help="name of the approver")
    a.set_defaults(run=run_approve)

    r = verbs.add_parser("reject", help="reject a candidate awaiting approval")
    r.add_argument("version")
    r.add_argument("--by", required=True, help="name of the person rejecting it")
    r.add_argument("--reason", required=True)
    r.set_defaults(run=run_reject)


def _row(name: str, m: dict) -> str:
    def f(key: str, width: int = 6, digits: int = 3) -> str:
        v = m.get(key)
        return f"{'n/a':>{width}}" if v is None else f"{v:{width}.{digits}f}"

    cells = [f("mase"), f("wape"), f("bias"), f("p90_coverage", 9), f("seconds", 8, 2)]
    return f"  {name:<16} {' '.join(cells)}"


def _backtest_report(args: argparse.Namespace, progress: OriginProgress) -> dict[str, object]:
    """The backtest report of ``--input`` or ``--dataset``, its methods and the forecaster on
    the origins past the warm-up (ValueError on a bad argument)."""
    from supplymesh.planning.forecast_choice.backtest_choice import choose_on_backtest
    from supplymesh.planning.forecasting import datasets
    from supplymesh.planning.forecasting.history_backtest import (
        backtest_dataset,
        backtest_history,
        read_history,
        read_inputs,
    )
    from supplymesh.planning.forecasting.peers import peers_from_text

    peers = peers_from_text(args.peers)
    if args.inputs is not None and args.input is None:
        raise ValueError("--inputs goes with --input (a dataset brings its own inputs)")
    if args.input is not None:
        history = read_history(args.input)
        inputs = read_inputs(args.inputs) if args.inputs is not None else None
        report, backtest = backtest_history(
            history,
            args.freq,
            args.horizon,
            args.origins,
            progress=progress,
            peers=peers,
            inputs=inputs,
        )
        return {"input": str(args.input), **report, **choose_on_backtest(backtest).sections()}
    demand, inputs = None, None
    if args.dataset == datasets.COMPLETEJOURNEY:
        from supplymesh.world.completejourney.known_future import known_future_inputs
        from supplymesh.world.completejourney.source import daily_demand

        demand, inputs = daily_demand("small"), partial(known_future_inputs, "small")
    dataset = datasets.load_dataset(
        args.dataset,
        n_series=args.series,
        n_origins=args.origins,
        completejourney_demand=demand,
        completejourney_inputs=inputs,
    )
    report, backtest = backtest_dataset(dataset, progress=progress, peers=peers)
    return {**report, **choose_on_backtest(backtest).sections()}


def run_backtest(args: argparse.Namespace) -> int:
    from supplymesh.progress import Progress

    try:
        with Progress("backtest") as progress:
            report = _backtest_report(args, progress.update)
    except ValueError as exc:
        print(f"mesh forecast backtest: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    _print_report(report)
    return 0


def _print_report(report: dict) -> None:
    """The backtest as a table of methods, the forecaster last, and its ratios."""
    print(
        f"{report.get('input') or report.get('dataset')}: {report['n_series']} series, freq "
        f"{report['freq']}, horizon {report['horizon']}, origins {', '.join(report['origins'])} "
        f"({report['seconds']} s)"
    )
    warm_up = ", ".join(report["warm_up_origins"]) or "none"
    print(
        f"  scored on origins {', '.join(report['scored_origins']) or 'none'} (warm-up {warm_up})"
    )
    print(f"  {'method':<16} {'MASE':>6} {'WAPE':>6} {'bias':>6} {'P90 cover':>9} {'seconds':>8}")
    print(_row("model", report["model"]))
    for section in ("baselines", "peers", "candidates"):
        for name, m in report[section].items():
            print(_row(name, m))
    if report.get("forecaster"):
        print(_row("forecaster", report["forecaster"]))
    for who, prefix in (("model", "mase"), ("forecaster", "forecaster")):
        naive, best = (
            report.get(f"{prefix}_vs_seasonal_naive"),
            report.get(f"{prefix}_vs_best_peer"),
        )
        if naive is not None:
            print(f"  {who} MASE = {naive:.3f} x seasonal naive")
        if best is not None:
            print(f"  {who} MASE = {best:.3f} x the best peer ({report['best_peer']})")
    if report.get("forecaster_vs_best_method") is not None:
        print(
            f"  forecaster MASE = {report['forecaster_vs_best_method']:.3f} x the best single "
            f"method of all ({report['best_method']})"
        )


def run_train(args: argparse.Namespace) -> int:
    """The training assets alone, through the mesh job (recorded in the Dagster instance)."""
    from orchestration.jobs import TRAINING_GROUP
    from supplymesh.headless import materialize
    from supplymesh.planning.model_lifecycle.cadence import latest_round
    from supplymesh.planning_inputs import published_model_registry
    from supplymesh.planning_settings import PlanningSettingsError

    try:
        outcome = materialize(
            [f"group:{TRAINING_GROUP}"], settings=args.settings, retrain="mesh forecast train"
        )
    except PlanningSettingsError as exc:
        print(f"mesh forecast train: {exc}", file=sys.stderr)
        return 2
    if not outcome.success:
        for error in outcome.errors:
            print(error, file=sys.stderr)
        return 1
    latest = latest_round(published_model_registry(mesh_paths()))
    print(outcome.model_line)
    print(
        f"candidate {latest['model_version']}: {latest['status']}, {latest['decision']} "
        f"({latest['decision_reason']}); run {outcome.run_id}"
    )
    return 0


def run_models(args: argparse.Namespace) -> int:
    import pandas as pd

    from supplymesh.planning_inputs import published_model_registry

    registry = published_model_registry(mesh_paths())
    if args.json:
        print(registry.to_json(orient="records", date_format="iso", indent=2))
        return 0
    if registry.empty:
        print("no model registered yet: run `mesh materialize`")
        return 0
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(registry[LIST_COLUMNS].round(4).to_string(index=False))
    return 0


def _publish(registry: pd.DataFrame, action: str, version: str, actor: str, reason: str) -> int:
    from supplymesh.governance.audit import record
    from supplymesh.planning.model_lifecycle import model_registry as reg
    from supplymesh.publishing.publish import publish_frame

    paths = mesh_paths()
    result = publish_frame(reg.PRODUCT, registry, paths=paths, run_id=f"cli-{action}")
    if not result.published:
        print(result.report.summary(), file=sys.stderr)
        return 1
    record(
        paths, action, f"{reg.PRODUCT} {version}", actor, reason, {"snapshot": result.snapshot_id}
    )
    return 0


def run_approve(args: argparse.Namespace) -> int:
    from supplymesh.planning.model_lifecycle import model_registry as reg
    from supplymesh.planning_inputs import published_model_registry

    paths = mesh_paths()
    with reg.registry_lock(paths):
        try:
            registry = reg.approve(
                published_model_registry(paths),
                args.version,
                args.by,
                reg.utc_now(),
            )
        except reg.RegistryError as exc:
            print(f"cannot approve: {exc}", file=sys.stderr)
            return 1
        code = _publish(
            registry, "model_approval", args.version, f"human:{args.by}", "approved for promotion"
        )
    if code == 0:
        print(
            f"{args.version} approved by {args.by}: it is the champion now "
            "(`mesh materialize --select group:planning` forecasts with it)"
        )
    return code


def run_reject(args: argparse.Namespace) -> int:
    from supplymesh.planning.model_lifecycle import model_registry as reg
    from supplymesh.planning_inputs import published_model_registry

    paths = mesh_paths()
    with reg.registry_lock(paths):
        try:
            registry = reg.reject_pending(
                published_model_registry(paths),
                args.version,
                args.by,
                args.reason,
                reg.utc_now(),
            )
        except reg.RegistryError as exc:
            print(f"cannot reject: {exc}", file=sys.stderr)
            return 1
        code = _publish(registry, "model_rejection", args.version, f"human:{args.by}", args.reason)
    if code == 0:
        print(f"{args.version} rejected by {args.by}: {args.reason}")
    return code
