"""What a `make bench` run prints and leaves: each scale's figures as it finishes, and at the
end one Markdown document (``$MESH_HOME/bench/targets.md``, ready to paste into
docs/benchmarks.md): the machine, the targets table (``benchmarks.targets``), each scale's
figures and where its runs spent their time.
"""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from benchmarks.figures import MIB_PER_GIB, seconds_per_line
from benchmarks.steps import slowest
from benchmarks.targets import MASE_BEFORE, Row, target_rows


def _first_line_with(path: Path, prefix: str) -> str | None:
    try:
        for line in path.read_text().splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def machine() -> dict:
    """The machine a run measured: cores this process may use (``nproc``), RAM, CPU model and
    the versions that decide the speed."""

    def _version(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    mem_kib = _first_line_with(Path("/proc/meminfo"), "MemTotal")
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "ram_gib": round(int(mem_kib.split()[0]) / 1024**2, 1) if mem_kib else None,
        "cpu": _first_line_with(Path("/proc/cpuinfo"), "model name") or platform.processor(),
        "python": platform.python_version(),
        "duckdb": _version("duckdb"),
        "dagster": _version("dagster"),
    }


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    return "\n".join([line(header), line(["---"] * len(header)), *map(line, rows)])


def targets_table(rows: list[Row]) -> str:
    header = ["target", "limit", "measured", "ratio", "verdict", "load (1 min)"]
    return markdown_table(
        header, [[r.target, r.limit, r.measured, r.ratio, r.verdict, r.load] for r in rows]
    )


def _seconds(m: dict | None) -> str:
    if m is None:
        return "not run"
    return f"{m['seconds']:.1f}" + ("" if m.get("ok", m["returncode"] == 0) else " FAILED")


def scale_row(r: dict) -> list[str]:
    """One scale's figures as the per-scale table shows them."""
    runs = r.get("runs", {})
    first, second = runs.get("first"), runs.get("second")
    peaks = [m["peak_mib"] for m in (r.get("generate"), first, second) if m]
    per_line = seconds_per_line(r)
    q = r.get("model")
    mase = "" if q is None else f"{q['mase_ratio']:.4f}"
    if q is not None and r["scale"] in MASE_BEFORE:
        mase += f" ({q['mase_ratio'] - MASE_BEFORE[r['scale']]:+.4f})"
    training = r.get("training_seconds")
    return [
        r["scale"],
        f"{r['order_lines']:,}" if r.get("order_lines") else "",
        _seconds(r.get("generate")),
        _seconds(first),
        "" if training is None else f"{training:.1f}",
        _seconds(second),
        f"{max(peaks) / MIB_PER_GIB:.2f}" if peaks else "",
        "" if per_line is None else f"{per_line * 1e6:.2f}",
        mase,
        "" if q is None else f"{q['p90_coverage']:.3f}",
    ]


def scales_table(scales: dict) -> str:
    header = [
        "scale",
        "order lines",
        "generate s",
        "1st materialize s (trains)",
        "training s",
        "2nd materialize s",
        "peak GiB",
        "µs per line (gen + 1st)",
        "MASE ratio (vs before)",
        "P90 coverage",
    ]
    return markdown_table(header, [scale_row(r) for r in scales.values()])


def slowest_steps(r: dict, n: int = 5) -> list[str]:
    """``n`` longest Dagster steps of each materialize of one scale."""
    lines = []
    for label, m in r.get("runs", {}).items():
        steps = ", ".join(f"{key} {s:.1f} s" for key, s in slowest(m["steps"], n))
        lines.append(f"- {r['scale']}, {label} run ({m.get('model') or 'model ?'}): {steps}")
    return lines


def document(results: dict) -> str:
    """The whole Markdown of a run."""
    m = results["machine"]
    load = results["load_average"]
    parts = [
        f"`make bench` of {results['finished']:%Y-%m-%d %H:%M} UTC, scales "
        f"{', '.join(results['scales']) or 'none'}, seed {results['seed']}.",
        f"Machine: {m['nproc']} cores ({m['cpu']}), {m['ram_gib']} GiB RAM; Python "
        f"{m['python']}, DuckDB {m['duckdb']}, Dagster {m['dagster']}. Load average (1 min) "
        f"{load[0]:.2f} at the start, {load[1]:.2f} at the end.",
        targets_table(target_rows(results)),
    ]
    steps = [line for r in results["scales"].values() for line in slowest_steps(r)]
    if results["scales"]:
        parts.append(scales_table(results["scales"]))
    if steps:
        parts.append("Slowest steps of each run (the Dagster event log):\n\n" + "\n".join(steps))
    return "\n\n".join(parts) + "\n"


def print_scale(r: dict) -> None:
    """One scale's figures, as soon as it finishes."""
    print(f"\n== {r['scale']} ==")
    print(scales_table({r["scale"]: r}))
    for line in slowest_steps(r):
        print(line)


def now() -> datetime:
    return datetime.now(UTC)
