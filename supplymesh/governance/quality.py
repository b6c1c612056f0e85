"""Quality over time: every publish measures its snapshot against the one it replaces.

Contract rules judge each row; these metrics judge the batch as a whole, where a broken extract
usually shows first: the row count jumps, a column fills with nulls, or a distribution shifts
(population stability index, PSI, over deciles of the previous snapshot for numbers and over
categories for low-cardinality text; run and version labels are not distributions and
are skipped, as are columns a product lists in ``quality.psi_exclude``). Each metric is stored with the threshold the product's YAML
sets (its ``quality`` section, read by ``supplymesh.registry``) and whether it was breached; the history is published as the
``governance.quality_metrics`` product.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb

from supplymesh import duckdb_limits
from supplymesh.files import append_durably, atomic_write, exclusive_lock
from supplymesh.governance.layout import governance_dir, quality_log_path
from supplymesh.registry import Column, ProductVersion, QualityThresholds
from supplymesh.settings import MeshPaths
from supplymesh.validation.rules import literal, quote

NUMERIC = {"BIGINT", "INTEGER", "DOUBLE"}
CATEGORICAL = {"VARCHAR", "BOOLEAN"}
MAX_CATEGORIES = 50
EPSILON = 1e-4  # floor for a bucket's share, so an empty bucket does not make PSI infinite
DECILES = [i / 10 for i in range(1, 10)]
# labels, not measurements: a new run id or model version is not a distribution shift
LABEL = re.compile(r"(^|_)(version|run_id|snapshot_id)$")


@dataclass(frozen=True)
class Bucket:
    """SQL giving a value's bucket number (0 to ``n - 1``; NULL for a null) in a column."""

    sql: str
    n: int


@dataclass(frozen=True)
class QualityMetric:
    """One measurement of one published snapshot."""

    measured_at: str
    product: str
    major: int
    snapshot_id: str
    previous_snapshot_id: str | None
    run_id: str
    metric: str  # row_count | row_count_change | null_rate | psi
    column_name: str | None
    value: float
    threshold: float | None
    breached: bool


def psi(expected: list[float], actual: list[float]) -> float:
    """Population stability index between two bucket distributions (shares summing to 1)."""
    total = 0.0
    for e, a in zip(expected, actual, strict=True):
        e, a = max(e, EPSILON), max(a, EPSILON)
        total += (a - e) * math.log(a / e)
    return total


def _buckets(con: duckdb.DuckDBPyConnection, old: str, columns: list[Column]) -> dict[str, Bucket]:
    """Per column, the SQL putting a value into one of the previous snapshot's buckets (its
    deciles for a number, its categories for low-cardinality text) and their number. Columns
    with nothing to compare (no values; an identifier's many categories) are left out. Every
    column's deciles come from one scan."""
    buckets: dict[str, Bucket] = {}
    numeric = [c for c in columns if c.type in NUMERIC]
    deciles = (
        con.execute(
            "SELECT "
            + ", ".join(f"quantile_cont({quote(c.name)}, {DECILES})" for c in numeric)
            + f" FROM {old}"
        ).fetchone()
        if numeric
        else ()
    )
    for column, edges in zip(numeric, deciles, strict=True):
        if edges:
            c, edges = quote(column.name), sorted(set(edges))
            whens = " ".join(
                f"WHEN {c} <= {literal(float(e))} THEN {i}" for i, e in enumerate(edges)
            )
            buckets[column.name] = Bucket(
                f"CASE WHEN {c} IS NULL THEN NULL {whens} ELSE {len(edges)} END", len(edges) + 1
            )
    for column in (c for c in columns if c.type in CATEGORICAL):
        c = quote(column.name)
        categories = [
            r[0]
            for r in con.execute(
                f"SELECT DISTINCT CAST({c} AS VARCHAR) FROM {old} WHERE {c} IS NOT NULL "
                f"LIMIT {MAX_CATEGORIES + 1}"
            ).fetchall()
        ]
        if categories and len(categories) <= MAX_CATEGORIES:  # more: an identifier
            whens = " ".join(f"WHEN {literal(v)} THEN {i}" for i, v in enumerate(categories))
            buckets[column.name] = Bucket(
                f"CASE WHEN {c} IS NULL THEN NULL ELSE CASE CAST({c} AS VARCHAR) {whens} "
                f"ELSE {len(categories)} END END",
                len(categories) + 1,
            )
    return buckets


def _shares(
    con: duckdb.DuckDBPyConnection, source: str, buckets: dict[str, Bucket]
) -> dict[str, list[float]]:
    """Each column's share of non-null values per bucket in ``source``, all from one scan."""
    histograms = con.execute(
        "SELECT " + ", ".join(f"histogram({b.sql})" for b in buckets.values()) + f" FROM {source}"
    ).fetchone()
    shares = {}
    for (name, bucket), histogram in zip(buckets.items(), histograms, strict=True):
        total = sum((histogram or {}).values())
        shares[name] = [histogram.get(i, 0) / total for i in range(bucket.n)] if total else []
    return shares


def measure_snapshot(
    version: ProductVersion,
    snapshot: dict[str, Any],
    previous: dict[str, Any] | None,
    thresholds: QualityThresholds,
    run_id: str,
) -> list[QualityMetric]:
    """Row count (and its change), null rate per column and PSI per column vs ``previous``."""
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    new = f"read_parquet({literal(snapshot['path'])})"
    old = f"read_parquet({literal(previous['path'])})" if previous else None

    def metric(
        name: str, column: str | None, value: float, threshold: float | None
    ) -> QualityMetric:
        breached = threshold is not None and abs(value) > threshold
        return QualityMetric(
            now,
            version.product,
            version.major,
            snapshot["snapshot_id"],
            previous["snapshot_id"] if previous else None,
            run_id,
            name,
            column,
            float(value),
            threshold,
            breached,
        )

    con = duckdb_limits.connect()
    try:
        columns = version.columns
        counts = con.execute(
            "SELECT count(*), "
            + ", ".join(f"count({quote(c.name)})" for c in columns)
            + f" FROM {new}"
        ).fetchone()
        rows = int(counts[0])
        out = [metric("row_count", None, rows, None)]
        if previous and previous.get("rows"):
            change = (rows - previous["rows"]) / previous["rows"]
            out.append(metric("row_count_change", None, change, thresholds.max_row_count_change))
        for c, non_null in zip(columns, counts[1:], strict=True):
            rate = 1 - non_null / rows if rows else 0.0
            out.append(metric("null_rate", c.name, rate, thresholds.max_null_rate.get(c.name)))
        compared = [  # dates move forward by design: their shift is not drift
            c
            for c in columns
            if c.type in NUMERIC | CATEGORICAL
            and not (LABEL.search(c.name) or c.name in thresholds.psi_exclude)
        ]
        buckets = _buckets(con, old, compared) if old is not None and rows else {}
        if buckets:
            expected, actual = _shares(con, old, buckets), _shares(con, new, buckets)
            for c in compared:
                if expected.get(c.name) and actual.get(c.name):
                    value = psi(expected[c.name], actual[c.name])
                    out.append(metric("psi", c.name, value, thresholds.max_psi))
        return out
    finally:
        con.close()


def append_metrics(paths: MeshPaths, metrics: list[QualityMetric]) -> None:
    """Append to the quality history (an exclusive lock keeps concurrent publishers' lines
    whole and in the order of their newest-metrics files) and keep the version's newest metrics
    apart, for checks that read only those."""
    if not metrics:
        return
    rows = [asdict(m) for m in metrics]
    with exclusive_lock(governance_dir(paths) / ".quality.lock"):
        append_durably(quality_log_path(paths), "".join(json.dumps(r) + "\n" for r in rows))
        atomic_write(_latest_path(paths, metrics[0].product, metrics[0].major), json.dumps(rows))


def _latest_path(paths: MeshPaths, product: str, major: int) -> Path:
    return governance_dir(paths) / "quality_latest" / f"{product}.v{major}.json"


def read_metrics(paths: MeshPaths) -> list[dict[str, Any]]:
    log = quality_log_path(paths)
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line]


def latest_metrics(paths: MeshPaths, product: str, major: int) -> list[dict[str, Any]]:
    """The metrics of the newest measured snapshot of one product version."""
    latest = _latest_path(paths, product, major)
    return json.loads(latest.read_text()) if latest.exists() else []
