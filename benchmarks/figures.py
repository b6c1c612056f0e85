"""The measured figure of each of issue 10's targets, read from a `make bench` run's results.

Each function here makes a reader of one figure out of ``benchmarks.run``'s results dict
(``{"scales": {name: benchmarks.scales.bench_scale's result}, "cli": benchmarks.cli.bench_cli's
result or None}``): pure, so the table (``benchmarks.targets``) is tested without running a
benchmark. A reader returns None when its scale (or part) was not run, and a ``Figure`` that is
not ``ok`` when the run behind it failed, never a figure it does not have.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from benchmarks.steps import TRAINING_STEP

MIB_PER_GIB = 1024


@dataclass(frozen=True)
class Figure:
    """A measured figure: its value in the target's unit, how it was made, the 1-minute load
    averages around the measurements behind it, whether those runs succeeded, and why the
    figure does not measure its target when it does not (``unfit``)."""

    value: float | None
    text: str
    loads: tuple[float, ...] = ()
    ok: bool = True
    unfit: str | None = None


def _run(results: dict, scale: str, run: str) -> dict | None:
    return results.get("scales", {}).get(scale, {}).get("runs", {}).get(run)


def _loads(*measurements: dict) -> tuple[float, ...]:
    return tuple(x for m in measurements for x in (m["load_before"], m["load_after"]))


def trained(m: dict) -> bool:
    """Whether a run trained the demand model, as `mesh materialize` said (``trained (...)``,
    ``training FAILED (...)``; not ``not trained (...)``)."""
    return (m.get("model") or "").startswith(("trained", "training"))


def unfit(run: str, m: dict) -> str | None:
    """Why a run does not measure a target: the first run stands for a run that trains, the
    second for the daily run with no training due; but a reason can still hold after the first
    (a drift check the new champion failed on tiny data): then the second trained too, and its
    time is not the daily run's."""
    if run == "second" and trained(m):
        return f"this run trained ({m['model']}): not a run with no training due"
    if run == "first" and not trained(m):
        return f"this run did not train ({m.get('model')})"
    return None


def run_seconds(scale: str, run: str) -> Callable[[dict], Figure | None]:
    """Wall time of one `mesh materialize` of ``scale`` (``first`` trains, ``second`` not)."""

    def figure(results: dict) -> Figure | None:
        m = _run(results, scale, run)
        if m is None:
            return None
        why_not = unfit(run, m)
        note = f", model {m['model']}" if m.get("model") and why_not is None else ""
        text = f"peak {m['peak_mib'] / MIB_PER_GIB:.2f} GiB{note}"
        return Figure(m["seconds"], text, _loads(m), m["ok"], why_not)

    return figure


def _daily(results: dict, scale: str) -> tuple[dict, dict] | None:
    generate = results.get("scales", {}).get(scale, {}).get("generate")
    second = _run(results, scale, "second")
    return None if generate is None or second is None else (generate, second)


def daily_seconds(scale: str) -> Callable[[dict], Figure | None]:
    """`mesh generate` + the `mesh materialize` with no training due."""

    def figure(results: dict) -> Figure | None:
        runs = _daily(results, scale)
        if runs is None:
            return None
        generate, second = runs
        seconds = generate["seconds"] + second["seconds"]
        text = f"generate {generate['seconds']:.1f} s + materialize {second['seconds']:.1f} s"
        return Figure(
            seconds, text, _loads(generate, second), second["ok"], unfit("second", second)
        )

    return figure


def peak_gib(scale: str, run: str) -> Callable[[dict], Figure | None]:
    """The largest process of `mesh generate` and one `mesh materialize`, in GiB."""

    def figure(results: dict) -> Figure | None:
        generate = results.get("scales", {}).get(scale, {}).get("generate")
        m = _run(results, scale, run)
        if generate is None or m is None:
            return None
        gib = max(generate["peak_mib"], m["peak_mib"]) / MIB_PER_GIB
        text = (
            f"generate {generate['peak_mib'] / MIB_PER_GIB:.2f} GiB, "
            f"materialize {m['peak_mib'] / MIB_PER_GIB:.2f} GiB"
            + ("" if m["ok"] else " (the run FAILED)")
        )
        return Figure(gib, text, _loads(generate, m), m["ok"], unfit(run, m))

    return figure


def training_seconds(scale: str) -> Callable[[dict], Figure | None]:
    """The ``forecast_model`` step of the first run (from its Dagster event log)."""

    def figure(results: dict) -> Figure | None:
        m = _run(results, scale, "first")
        if m is None:
            return None
        seconds = m["steps"].get(TRAINING_STEP)
        if seconds is None:
            return Figure(
                None, f"no {TRAINING_STEP} step in run {m.get('run_id')}", _loads(m), False
            )
        return Figure(seconds, f"{TRAINING_STEP} step {seconds:.1f} s", _loads(m), m["ok"])

    return figure


def seconds_per_line(scale_result: dict) -> float | None:
    """(generate + first materialize) / order lines: what one order line costs end to end."""
    first = scale_result.get("runs", {}).get("first")
    lines = scale_result.get("order_lines")
    if first is None or not lines or "generate" not in scale_result:
        return None
    return (scale_result["generate"]["seconds"] + first["seconds"]) / lines


def per_line_ratio(scale: str, base: str) -> Callable[[dict], Figure | None]:
    """``scale``'s time per order line over ``base``'s."""

    def figure(results: dict) -> Figure | None:
        scales = results.get("scales", {})
        if scale not in scales or base not in scales:
            return None
        ours, theirs = seconds_per_line(scales[scale]), seconds_per_line(scales[base])
        runs = [scales[s]["runs"]["first"] for s in (scale, base) if "first" in scales[s]["runs"]]
        ok = len(runs) == 2 and all(r["ok"] for r in runs)
        if ours is None or theirs is None:
            return Figure(None, "no order lines or no first run", _loads(*runs), False)
        text = f"{scale} {ours * 1e6:.2f} µs/line vs {base} {theirs * 1e6:.2f} µs/line"
        return Figure(ours / theirs, text, _loads(*runs), ok)

    return figure


def validation_speedup(scale: str, method: str) -> Callable[[dict], Figure | None]:
    """How many times faster the engine validated ``scale``'s sales.orders than ``method``."""

    def figure(results: dict) -> Figure | None:
        v = results.get("scales", {}).get(scale, {}).get("validation")
        if v is None:
            return None
        engine, other = v["methods"]["engine"], v["methods"][method]
        text = f"engine {engine['seconds']:.2f} s vs {other['seconds']:.2f} s ({v['rows']:,} rows)"
        loads = (v["load_average_before"][0], v["load_average_after"][0])
        return Figure(other["seconds"] / engine["seconds"], text, loads, other["agreed"])

    return figure


def cli_seconds(key: str, what: str, per_second: float = 1.0) -> Callable[[dict], Figure | None]:
    """A figure of ``benchmarks.cli`` (``<key>_seconds``, times ``per_second`` for another unit);
    ``what`` is formatted with that result's fields."""

    def figure(results: dict) -> Figure | None:
        cli = results.get("cli")
        if cli is None:
            return None
        loads = (cli["load_average_before"][0], cli["load_average_after"][0])
        return Figure(cli[f"{key}_seconds"] * per_second, what.format(**cli), loads)

    return figure


def mase_ratio(scale: str) -> Callable[[dict], Figure | None]:
    """The published champion's backtest MASE over the seasonal naive's."""

    def figure(results: dict) -> Figure | None:
        r = results.get("scales", {}).get(scale)
        if r is None or "first" not in r.get("runs", {}):
            return None
        q = r.get("model")
        if q is None:
            return Figure(None, "no champion published", ok=False)
        return Figure(q["mase_ratio"], f"P90 coverage {q['p90_coverage']:.3f}")

    return figure


def replan_seconds(scale: str) -> Callable[[dict], Figure | None]:
    """A landed orders batch to its published replan (``benchmarks.replanning.event``): from
    the batch's rename into the landing folder to the last plan product's publish."""

    def figure(results: dict) -> Figure | None:
        r = results.get("scales", {}).get(scale, {}).get("replan")
        if r is None:
            return None
        if not r.get("ok"):
            return Figure(None, f"the replan FAILED: {r.get('error')}", ok=False)
        steps = r.get("steps", {})
        slow = ", ".join(f"{k} {v:.1f} s" for k, v in sorted(steps.items(), key=lambda kv: -kv[1]))
        text = f"{r['assets']} assets, in process (a sensor tick adds up to 30 s); steps: {slow}"
        return Figure(r["event_to_decision_s"], text, (r["load_before"], r["load_after"]))

    return figure
