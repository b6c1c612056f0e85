"""`mesh` start-up: what a producer's CI and a reader pay per call, against issue 10's targets.

On a runtime folder whose ``sales.orders`` is published (the small world of ``make bench``, or one
made here: ``mesh generate --scale small`` and that one product published):

* ``mesh --help`` as a whole process (target <= 1 s), beside its baselines measured in the same
  run: a bare interpreter, and ``import sklearn, matplotlib, dagster``, which every verb paid
  before the verbs imported their implementation lazily (the old eager path no longer exists);
* ``mesh validate`` of a 2,000-row orders file (<= 2 s), beside ``import pandera.pandas``, the
  floor any verb reading a contract pays;
* ``mesh query`` of a point lookup by order id as a whole process (<= 1.5 s);
* the same lookup through one long-lived connection (``supplymesh.consumer.connect``): p50 of 50
  lookups of different order ids (<= 50 ms).

Whole-process figures are the median of ``--runs`` runs (wall time, ``benchmarks.measure``).
The load average is recorded before and after: on shared cores it explains most of the spread.

Usage on its own: ``python -m benchmarks.cli [--home DIR] [--runs 5]``
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

from benchmarks.measure import measure

TARGETS = {  # issue 10, "Targets": seconds
    "help": 1.0,
    "validate": 2.0,
    "query": 1.5,
    "lookup_p50": 0.050,
}
LOOKUPS = 50
VALIDATE_ROWS = 2_000
ORDERS = "sales.orders"


def _mesh(*args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("mesh")), *args]


def _median_seconds(command: list[str], env: dict[str, str], runs: int, ok: int = 0) -> float:
    """Median wall time of ``runs`` runs of ``command``; each must exit with ``ok``."""
    seconds = []
    for _ in range(runs):
        m = measure(command, env)
        if m.returncode != ok:
            raise RuntimeError(f"{' '.join(command)} exited {m.returncode}, expected {ok}")
        seconds.append(m.seconds)
    return statistics.median(seconds)


def orders_snapshot(home: Path) -> Path | None:
    """The raw Parquet snapshot ``sales.orders`` serves in ``home`` (its latest major)."""
    from supplymesh.publishing.manifest import current_snapshot, read_manifest
    from supplymesh.registry import get_product
    from supplymesh.settings import MeshPaths

    major = get_product(ORDERS).latest.major
    snap = current_snapshot(read_manifest(MeshPaths(home)), ORDERS, major)
    return Path(snap["path"]) if snap else None


def publish_orders(home: Path, seed: int) -> Path:
    """A small world in ``home`` with ``sales.orders`` published (no Dagster), unless there is."""
    snapshot = orders_snapshot(home)
    if snapshot is not None and snapshot.exists():
        return snapshot
    env = {"MESH_HOME": str(home)}
    generate = measure(_mesh("generate", "--scale", "small", "--seed", str(seed)), env)
    if generate.returncode != 0:
        raise RuntimeError(f"mesh generate exited {generate.returncode}")
    from supplymesh.publishing.publish import publish_landing
    from supplymesh.settings import MeshPaths

    results = publish_landing(ORDERS, paths=MeshPaths(home), run_id="bench-cli")
    assert all(r.published for r in results), [r.report.summary() for r in results]
    return orders_snapshot(home)


def sample_orders(snapshot: Path, out: Path, seed: int) -> tuple[Path, list[str], int]:
    """A ``VALIDATE_ROWS``-row orders file, ``LOOKUPS`` order ids to look up, and the rows of
    the snapshot."""
    import duckdb

    from supplymesh.validation.rules import literal

    con = duckdb.connect()
    source = f"read_parquet({literal(str(snapshot))})"
    rows = con.execute(f"SELECT count(*) FROM {source}").fetchone()[0]
    con.execute(
        f"COPY (SELECT * FROM {source} USING SAMPLE {VALIDATE_ROWS} ROWS (reservoir, {seed})) "
        f"TO {literal(str(out))} (FORMAT parquet)"
    )
    ids = [r[0] for r in con.execute(f"SELECT DISTINCT order_id FROM {source}").fetchall()]
    con.close()
    return out, sorted(random.Random(seed).sample(sorted(ids), LOOKUPS)), rows


def lookup_seconds(home: Path, order_ids: list[str]) -> list[float]:
    """Each lookup by order id through one read-only connection to the analyst's catalog."""
    from supplymesh.consumer import connect
    from supplymesh.settings import MeshPaths

    con = connect(MeshPaths(home))
    sql = f"SELECT * FROM {ORDERS} WHERE order_id = ?"
    con.execute(sql, [order_ids[0]]).fetchall()  # the first read opens the catalog's views
    seconds = []
    for order_id in order_ids:
        start = time.perf_counter()
        found = con.execute(sql, [order_id]).fetchall()
        seconds.append(time.perf_counter() - start)
        assert found, order_id
    con.close()
    return seconds


def bench_cli(home: Path, seed: int = 7, runs: int = 5) -> dict:
    """Every start-up figure on ``home`` (its orders published first when they are not)."""
    load_before = os.getloadavg()
    snapshot = publish_orders(home, seed)
    env = {"MESH_HOME": str(home)}
    orders_file, order_ids, rows = sample_orders(snapshot, home / "bench_orders_2000.parquet", seed)
    python = sys.executable
    lookup = f"SELECT * FROM {ORDERS} WHERE order_id = '{order_ids[0]}'"
    result = {
        "home": str(home),
        "orders_rows": rows,
        "runs": runs,
        "help_seconds": _median_seconds(_mesh("--help"), env, runs),
        "python_seconds": _median_seconds([python, "-c", "pass"], env, runs),
        "planning_stack_import_seconds": _median_seconds(
            [python, "-c", "import sklearn, matplotlib, dagster"], env, runs
        ),
        "validate_seconds": _median_seconds(_mesh("validate", ORDERS, str(orders_file)), env, runs),
        "pandera_import_seconds": _median_seconds(
            [python, "-c", "import pandera.pandas"], env, runs
        ),
        "query_seconds": _median_seconds(_mesh("query", lookup), env, runs),
    }
    seconds = lookup_seconds(home, order_ids)
    result["lookup_p50_seconds"] = statistics.median(seconds)
    result["lookup_p90_seconds"] = statistics.quantiles(seconds, n=10)[-1]
    result["load_average_before"] = load_before
    result["load_average_after"] = os.getloadavg()
    result["cpus"] = os.cpu_count()
    return result


def _line(label: str, seconds: float, target: float, note: str = "") -> str:
    unit, scale = ("ms", 1000) if target < 0.5 else ("s", 1)
    return (
        f"{label:<34} {seconds * scale:8.2f} {unit:<2}  target <= {target * scale:g} {unit:<2}"
        f"  {seconds / target:5.2f}x of target{note}"
    )


def print_cli(r: dict) -> None:
    """The start-up figures with their targets, ratios and baselines, as the closing note needs."""
    before = " / ".join(f"{x:.2f}" for x in r["load_average_before"])
    after = " / ".join(f"{x:.2f}" for x in r["load_average_after"])
    print(
        f"\n== mesh start-up (median of {r['runs']} runs; load average 1/5/15 min "
        f"{before} before, {after} after; {r['cpus']} CPUs) =="
    )
    print(_line("mesh --help", r["help_seconds"], TARGETS["help"]))
    print(
        f"  baselines: bare python {r['python_seconds']:.2f} s; import sklearn, matplotlib, "
        f"dagster {r['planning_stack_import_seconds']:.2f} s (paid by every verb before lazy "
        "imports, no longer)"
    )
    print(
        _line(f"mesh validate ({VALIDATE_ROWS:,} rows)", r["validate_seconds"], TARGETS["validate"])
    )
    print(
        f"  baseline: import pandera.pandas {r['pandera_import_seconds']:.2f} s "
        "(the contracts are pandera models: any verb reading one pays it)"
    )
    print(_line("mesh query (point lookup)", r["query_seconds"], TARGETS["query"]))
    print(
        _line(
            "lookup p50, long-lived connection",
            r["lookup_p50_seconds"],
            TARGETS["lookup_p50"],
            f"  (p90 {r['lookup_p90_seconds'] * 1000:.1f} ms; {LOOKUPS} order ids, "
            f"{r['orders_rows']:,} rows)",
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", type=Path, help="runtime folder (default $MESH_HOME/bench/cli)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from supplymesh.settings import mesh_home

    home = args.home or mesh_home() / "bench" / "cli"
    home.mkdir(parents=True, exist_ok=True)
    print_cli(bench_cli(home.resolve(), args.seed, args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
