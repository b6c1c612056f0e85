"""Issue 10's targets, each next to its measured figure: the one table of a `make bench` run.

One row per target: the target, its limit, the measured figure and how it was made, the ratio
(measured / limit; for "x faster" targets the speed-up; for a quality figure kept near an
earlier one, the difference), met / NOT met / not run, and the 1-minute load average around the
measurements behind it. The figures come from ``benchmarks.figures``; this module only holds
the targets and judges them, so both are tested on a results dict without a benchmark run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from benchmarks.figures import (
    Figure,
    cli_seconds,
    daily_seconds,
    mase_ratio,
    peak_gib,
    per_line_ratio,
    replan_seconds,
    run_seconds,
    training_seconds,
    validation_speedup,
)

# The backtest's quality before issue 10's speed work: the champion's MASE ratio to the seasonal
# naive (seed 7). Sources: small 0.6910, docs/benchmarks.md's "training, small" row (measured
# 2026-12-06 with the old benchmarks/planning.py); medium 0.703, the medium figure recorded for
# issue 10 (not in docs/benchmarks.md's table as of 2026-12-06). The issue keeps each within
# MASE_TOLERANCE; an improvement never fails it.
MASE_BEFORE = {"small": 0.6910, "medium": 0.703}
MASE_TOLERANCE = 0.02


@dataclass(frozen=True)
class Target:
    text: str
    limit: float
    unit: str  # "s", "ms", "GiB", "x" (a speed-up, or a ratio to another scale), "" (a ratio)
    figure: Callable[[dict], Figure | None]  # None: its scale or part was not run
    at_least: bool = False  # "x faster" targets: met when the figure reaches the limit
    before: float | None = None  # a quality figure kept near this one: the ratio is the delta


@dataclass(frozen=True)
class Row:
    target: str
    limit: str
    measured: str
    ratio: str
    verdict: str  # "met", "NOT met", "not run" or "not measured" (the run did not fit it)
    load: str


_LOOKUP = "median of {runs} runs, {orders_rows:,} order rows"
TARGETS = [
    Target(
        "small: `mesh materialize` with no training due", 60, "s", run_seconds("small", "second")
    ),
    Target("small: a `mesh materialize` that trains", 150, "s", run_seconds("small", "first")),
    Target(
        "small: a landed orders batch to its published replan (event-driven, its pairs only)",
        60,
        "s",
        replan_seconds("small"),
    ),
    Target(
        "medium: `mesh generate` + `mesh materialize` with no training due",
        180,
        "s",
        daily_seconds("medium"),
    ),
    Target("medium: peak RSS of the same", 4, "GiB", peak_gib("medium", "second")),
    Target("medium: training (`forecast_model` step)", 180, "s", training_seconds("medium")),
    Target("large: the whole mesh completes within", 24, "GiB", peak_gib("large", "first")),
    Target(
        "large: time per order line, as a multiple of medium's",
        1.5,
        "x",
        per_line_ratio("large", "medium"),
    ),
    Target(
        "validation of medium sales.orders: engine vs pandera on pandas (load included)",
        6,
        "x",
        validation_speedup("medium", "pandas"),
        at_least=True,
    ),
    Target(
        "validation of medium sales.orders: engine vs pandera's polars backend",
        1,
        "x",
        validation_speedup("medium", "polars"),
        at_least=True,
    ),
    Target("`mesh --help`", 1, "s", cli_seconds("help", "median of {runs} runs")),
    Target("`mesh validate` of a 2,000-row file", 2, "s", cli_seconds("validate", _LOOKUP)),
    Target(
        "`mesh query` of a point lookup, whole process", 1.5, "s", cli_seconds("query", _LOOKUP)
    ),
    Target(
        "point lookup through a long-lived DuckDB connection, p50",
        50,
        "ms",
        cli_seconds("lookup_p50", "50 lookups, {orders_rows:,} order rows", per_second=1000),
    ),
    *(
        Target(
            f"{scale}: backtest MASE ratio to the seasonal naive, within "
            f"{MASE_TOLERANCE} of before",
            before + MASE_TOLERANCE,
            "",
            mase_ratio(scale),
            before=before,
        )
        for scale, before in MASE_BEFORE.items()
    ),
]


def format_value(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.1f} s" if value >= 10 else f"{value:.2f} s"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "GiB":
        return f"{value:.2f} GiB"
    if unit == "x":
        return f"{value:.2f}x"
    return f"{value:.4f}"


def format_loads(loads: tuple[float, ...]) -> str:
    """``before -> after`` of one measurement, the range of several."""
    if not loads:
        return ""
    if len(loads) == 2:
        return f"{loads[0]:.2f} -> {loads[1]:.2f}"
    return f"{min(loads):.2f}-{max(loads):.2f}"


def limit_text(target: Target) -> str:
    if target.before is not None:
        return f"<= {target.before:.4f} + {MASE_TOLERANCE}"
    limit = f"{target.limit:g}" + ("x" if target.unit == "x" else f" {target.unit}")
    return f"{'>=' if target.at_least else '<='} {limit}"


def is_met(target: Target, value: float) -> bool:
    return value >= target.limit if target.at_least else value <= target.limit


def row(target: Target, results: dict) -> Row:
    """``target`` judged on ``results``."""
    figure = target.figure(results)
    if figure is None:
        return Row(target.text, limit_text(target), "not run", "", "not run", "")
    load = format_loads(figure.loads)
    if figure.value is None:
        return Row(target.text, limit_text(target), figure.text, "", "NOT met", load)
    value = format_value(figure.value, target.unit)
    if target.at_least:
        measured, ratio = figure.text, f"{figure.value:.2f}x faster"
    elif target.before is not None:
        measured, ratio = f"{value} ({figure.text})", f"{figure.value - target.before:+.4f}"
    else:
        measured, ratio = f"{value} ({figure.text})", f"{figure.value / target.limit:.2f}"
    verdict = "met" if figure.ok and is_met(target, figure.value) else "NOT met"
    if not figure.ok:
        measured += "; the run FAILED"
    elif figure.unfit:
        measured, verdict = f"{measured}; {figure.unfit}", "not measured"
    return Row(target.text, limit_text(target), measured, ratio, verdict, load)


def target_rows(results: dict, targets: list[Target] = TARGETS) -> list[Row]:
    """Every target judged on ``results``, in the issue's order."""
    return [row(t, results) for t in targets]
