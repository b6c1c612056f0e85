"""`make bench-forecast`: the model against its statistical peers on every development dataset.

One backtest per dataset, every method on the same origins and rows (``mesh forecast backtest
--dataset``'s code path): M3 monthly and quarterly, Tourism monthly and quarterly (official
horizons, the official test split as the origin), Complete Journey (daily, 4 rolling origins)
and the generated ``small`` and ``medium`` worlds (seed 7), whose history is their published ``sales.orders``
summed per SKU x DC and day (generated into a temporary runtime folder; only ``sales.orders`` is
published, through its contract: no Dagster run is needed for its history). The plain orders
carry no stock-out flags, so this is not the mart-based training backtest: that one scores
the peers too (``ml.forecast_backtest``'s metadata).

Beside the model and the peers, the forecaster that chooses among them per demand class
(``forecast_choice.backtest_choice``): the earliest origin is its warm-up, and every method is
scored on the other origins (a competition dataset gets its official split and two rolling
origins before it). Its seconds are every candidate's plus its own choosing.

Prints one Markdown table, datasets x methods (MASE, WAPE, bias, P90 coverage, seconds), with
the load average before and after each dataset, and writes it to ``--out`` when given.

Usage: python -m benchmarks.forecast_peers [--datasets m3-monthly,generated-medium:200,...]
[--series N] (``NAME:N``: that dataset's first N series; ``--series N``: every dataset's)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import pandas as pd

from supplymesh.planning.forecast_choice.backtest_choice import choose_on_backtest
from supplymesh.planning.forecasting.datasets import DATASETS, Dataset, load_dataset
from supplymesh.planning.forecasting.history_backtest import backtest_dataset
from supplymesh.planning_inputs import read_product
from supplymesh.publishing.publish import publish_landing
from supplymesh.settings import MeshPaths
from supplymesh.world.completejourney.known_future import known_future_inputs
from supplymesh.world.completejourney.source import daily_demand
from supplymesh.world.generate import generate_world

GENERATED = {"generated-small": "small", "generated-medium": "medium"}  # name -> world scale
ALL = (*DATASETS, *GENERATED)
# every dataset in one run, the medium world on its first 200 series: the local models on all
# its 3,200 daily series would take hours (``NAME:N`` limits one dataset to its first N series)
DEFAULT = (*(d for d in ALL if d != "generated-medium"), "generated-medium:200")
SEED = 7
COLUMNS = ["mase", "wape", "bias", "p90_coverage", "seconds"]


def generated_dataset(name: str, n_series: int | None) -> Dataset:
    """A generated world's published sales.orders as a daily history (28 days, 4 origins)."""
    with tempfile.TemporaryDirectory(prefix="bench-forecast-") as home:
        paths = MeshPaths(Path(home))
        generate_world(paths, scale=GENERATED[name], seed=SEED)
        if not all(r.published for r in publish_landing("sales.orders", paths=paths)):
            raise RuntimeError("the generated sales.orders did not pass its contract")
        orders = read_product(paths, "sales.orders")
    history = (
        orders.assign(date=pd.to_datetime(orders["order_date"]).dt.normalize())
        .groupby(["sku", "location_id", "date"], as_index=False)["quantity"]
        .sum()
        .rename(columns={"sku": "item_id"})
    )
    if n_series is not None:
        keys = history[["item_id", "location_id"]].drop_duplicates().head(n_series)
        history = history.merge(keys, on=["item_id", "location_id"])
    return Dataset(name, history, "D", 28, 4)


def dataset(name: str, n_series: int | None) -> Dataset:
    if name in GENERATED:
        return generated_dataset(name, n_series)
    if name != "completejourney":
        return load_dataset(name, n_series=n_series)
    return load_dataset(
        name,
        n_series=n_series,
        completejourney_demand=daily_demand("small"),
        completejourney_inputs=partial(known_future_inputs, "small"),
    )


def bench_dataset(name: str, n_series: int | None) -> dict[str, object]:
    """One dataset's backtest report, with the load average around it and its wall time."""
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    data = dataset(name, n_series)
    report, backtest = backtest_dataset(data)
    report.update(choose_on_backtest(backtest).sections())
    report["wall_seconds"] = round(time.perf_counter() - started, 1)
    report["load"] = (round(load_before, 2), round(os.getloadavg()[0], 2))
    return report


def _cell(value: object) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def markdown(reports: list[dict[str, object]]) -> str:
    """Datasets x methods (on the scored origins), then one line per dataset: the best peer and
    the model's and the forecaster's ratios."""
    head = "| dataset | method | MASE | WAPE | bias | P90 coverage | seconds |"
    lines = [head, "|---|---|---:|---:|---:|---:|---:|"]
    for r in reports:
        methods = {"model": r["model"], **r["baselines"], **r["peers"], **r["candidates"]}
        if r.get("forecaster"):
            methods["forecaster"] = r["forecaster"]
        for method, m in methods.items():
            name = f"**{method}**" if method == r["best_peer"] else method
            cells = " | ".join(_cell(m.get(c)) for c in COLUMNS)
            lines.append(f"| {r['dataset']} | {name} | {cells} |")
    lines.append("")
    lines.append(
        "| dataset | series | scored origins (warm-up) | best peer | model / best peer "
        "| model / seasonal naive | forecaster / best peer | forecaster / seasonal naive "
        "| forecaster / best single method (which) | wall s | load before, after |"
    )
    lines.append("|---|---:|---|---|---:|---:|---:|---:|---|---:|---|")
    for r in reports:
        lines.append(
            f"| {r['dataset']} | {r['n_series']} | {', '.join(r['scored_origins'])} "
            f"({', '.join(r['warm_up_origins'])}) | {r['best_peer']} "
            f"| {_cell(r.get('mase_vs_best_peer'))} | {_cell(r.get('mase_vs_seasonal_naive'))} "
            f"| {_cell(r.get('forecaster_vs_best_peer'))} "
            f"| {_cell(r.get('forecaster_vs_seasonal_naive'))} "
            f"| {_cell(r.get('forecaster_vs_best_method'))} ({r.get('best_method')}) "
            f"| {r['wall_seconds']} | {r['load'][0]}, {r['load'][1]} |"
        )
    return "\n".join(lines) + "\n"


def parse_datasets(text: str, n_series: int | None) -> list[tuple[str, int | None]]:
    """``name`` or ``name:N`` per comma-separated item, with its series limit (``N``, else
    ``n_series``); ValueError naming an unknown dataset or a bad limit."""
    wanted = []
    for item in (i.strip() for i in text.split(",") if i.strip()):
        name, _, limit = item.partition(":")
        if name not in ALL:
            raise ValueError(f"unknown dataset {name!r}; choose among {list(ALL)}")
        if limit and not (limit.isdigit() and int(limit) > 0):
            raise ValueError(f"{item!r}: the series limit after ':' must be a positive integer")
        wanted.append((name, int(limit) if limit else n_series))
    return wanted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.forecast_peers")
    parser.add_argument("--datasets", default=",".join(DEFAULT), help="comma-separated names")
    parser.add_argument("--series", type=int, help="each dataset's first N series only")
    parser.add_argument("--out", type=Path, help="also write the Markdown table here")
    args = parser.parse_args(argv)
    try:
        wanted = parse_datasets(args.datasets, args.series)
    except ValueError as error:
        parser.error(str(error))
    reports = []
    for name, n_series in wanted:
        print(f"{name}: backtest (load {os.getloadavg()[0]:.2f})", file=sys.stderr, flush=True)
        reports.append(bench_dataset(name, n_series))
        print(f"{name}: {reports[-1]['wall_seconds']} s", file=sys.stderr, flush=True)
    table = markdown(reports)
    print(table)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
