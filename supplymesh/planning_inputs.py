"""What the planners read: the dbt marts, published products and the published model registry.

The marts live in dbt's DuckDB file; planners open it read-only after dbt has finished, so a
planning step never holds the writer's lock. The model registry is a product like any other:
read here, through publishing, so the planning package itself never reads the mesh.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from pathlib import Path

import pandas as pd

from supplymesh import duckdb_limits
from supplymesh.consumer import connect
from supplymesh.planning.model_lifecycle import model_registry as reg
from supplymesh.publishing.manifest import (
    current_frame,
    current_snapshot_ids,
    read_manifest,
    snapshot_history,
)
from supplymesh.registry import get_product
from supplymesh.settings import MeshPaths
from supplymesh.validation.rules import literal, quote

MARTS_SCHEMA = "marts"
FEATURES_MART = "fct_demand_features"
# whole series per chunk: enough rows to keep pandas and the model's predict vectorised, few
# enough that a chunk of the large world's features mart stays well under a GiB
SERIES_PER_CHUNK = 2_000


def _select(name: str, columns: Sequence[str] | None, where: str | None) -> str:
    cols = ", ".join(quote(c) for c in columns) if columns else "*"
    return f"SELECT {cols} FROM {MARTS_SCHEMA}.{quote(name)}" + (f" WHERE {where}" if where else "")


def read_mart(
    paths: MeshPaths,
    name: str,
    columns: Sequence[str] | None = None,
    where: str | None = None,
) -> pd.DataFrame:
    """One mart (``marts.<name>`` in dbt's database) as a DataFrame: only ``columns`` (default
    all) of the rows ``where`` holds (a SQL condition), so a planner that needs a few columns of
    the history never holds the whole mart."""
    with duckdb_limits.connect(str(paths.transforms_db), read_only=True) as con:
        return con.execute(_select(name, columns, where)).df()


def series_chunks(
    paths: MeshPaths,
    name: str,
    columns: Sequence[str] | None = None,
    where: str | None = None,
    series_per_chunk: int = SERIES_PER_CHUNK,
) -> Iterator[pd.DataFrame]:
    """A per-series mart (keys ``sku``, ``location_id``) in chunks of whole series, about
    ``series_per_chunk`` series each: a planner that works series by series holds one chunk at
    a time, so its memory follows the chunk size rather than the network's."""
    with duckdb_limits.connect(str(paths.transforms_db), read_only=True) as con:
        source = f"{MARTS_SCHEMA}.{quote(name)}" + (f" WHERE {where}" if where else "")
        n_series = con.execute(
            f"SELECT count(*) FROM (SELECT DISTINCT sku, location_id FROM {source})"
        ).fetchone()[0]
        n_chunks = max(1, math.ceil(n_series / series_per_chunk))
        for chunk in range(n_chunks):
            bucket = f"hash(sku, location_id) % {n_chunks} = {chunk}"
            condition = f"({where}) AND {bucket}" if where else bucket
            yield con.execute(_select(name, columns, condition)).df()


def pairs_condition(series: Sequence[tuple[str, str]]) -> str:
    """The SQL condition selecting the (sku, location_id) ``series`` (none when empty)."""
    if not series:
        return "false"
    keys = ", ".join(f"({literal(sku)}, {literal(loc)})" for sku, loc in series)
    return f"(sku, location_id) IN ({keys})"


def series_history(paths: MeshPaths, series: Sequence[tuple[str, str]]) -> pd.DataFrame:
    """The history of a few (sku, location_id) series from the features mart (for plots)."""
    columns = ["sku", "location_id", "demand_date", "units_sold", "is_history"]
    return read_mart(paths, FEATURES_MART, columns, pairs_condition(series))


def changed_pairs(paths: MeshPaths, product_key: str) -> pd.DataFrame | None:
    """The (sku, location_id) pairs whose rows in the current snapshot of ``product_key`` (its
    newest major) differ from the snapshot it replaced, with how many rows (``rows``: new,
    changed or removed, compared whole); None when there is no earlier snapshot to compare or
    its columns differ. Replanning starts here: a landing batch is a full extract."""
    major = get_product(product_key).latest.major
    history = snapshot_history(read_manifest(paths), product_key, major)
    if len(history) < 2 or not all(Path(s["path"]).exists() for s in history[-2:]):
        return None
    new, old = (f"read_parquet({literal(s['path'])})" for s in (history[-1], history[-2]))
    with duckdb_limits.connect() as con:
        columns = [
            con.execute(f"DESCRIBE SELECT * FROM {t}").df()["column_name"] for t in (new, old)
        ]
        if list(columns[0]) != list(columns[1]):
            return None
        return con.execute(
            f"WITH new AS (SELECT * FROM {new}), old AS (SELECT * FROM {old}), "
            "diff AS ((SELECT * FROM new EXCEPT ALL SELECT * FROM old) "
            "UNION ALL (SELECT * FROM old EXCEPT ALL SELECT * FROM new)) "
            "SELECT sku, location_id, count(*) AS rows FROM diff GROUP BY ALL ORDER BY ALL"
        ).df()


def training_series(paths: MeshPaths, max_series: int) -> str | None:
    """The condition selecting the series a model trains on: None (every series) up to
    ``max_series``, else the ``max_series`` series with the lowest hash of their keys (the same
    sample every round while the network stands; a new series joins it by chance)."""
    series = f"SELECT DISTINCT sku, location_id FROM {MARTS_SCHEMA}.{FEATURES_MART}"
    with duckdb_limits.connect(str(paths.transforms_db), read_only=True) as con:
        n_series = con.execute(f"SELECT count(*) FROM ({series})").fetchone()[0]
    if n_series <= max_series:
        return None
    sample = f"SELECT sku, location_id FROM ({series}) ORDER BY hash(sku, location_id)"
    return f"(sku, location_id) IN ({sample} LIMIT {int(max_series)})"


def series_levels(paths: MeshPaths) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every series' mean demand, and its mean per weekday, over its history with stock-out
    days left out: the demand model's level encodings (``model._levels``), measured for the
    series a sampled training did not see."""
    rows = (
        f"FROM {MARTS_SCHEMA}.{FEATURES_MART} WHERE is_history AND demand_date <= as_of_date "
        "AND units_sold IS NOT NULL AND NOT coalesce(is_stockout, false)"
    )
    with duckdb_limits.connect(str(paths.transforms_db), read_only=True) as con:
        levels = con.execute(
            f"SELECT sku, location_id, avg(units_sold) AS series_level {rows} GROUP BY ALL"
        ).df()
        dow = con.execute(
            "SELECT sku, location_id, day_of_week, avg(units_sold) AS series_dow_level "
            f"{rows} GROUP BY ALL"
        ).df()
    return levels, dow


def features_as_of(paths: MeshPaths) -> str:
    """The as-of date of the features mart (the last order day dbt saw), as ``YYYY-MM-DD``."""
    sql = f"SELECT max(as_of_date) FROM {MARTS_SCHEMA}.{FEATURES_MART}"
    with duckdb_limits.connect(str(paths.transforms_db), read_only=True) as con:
        return str(pd.Timestamp(con.execute(sql).fetchone()[0]).date())


def features_read_back(days: int) -> str:
    """The condition selecting the features mart's last ``days`` days up to its as-of date and
    every day after it (the horizon)."""
    as_of = f"(SELECT max(as_of_date) FROM {MARTS_SCHEMA}.{FEATURES_MART})"
    return f"demand_date > {as_of} - INTERVAL {int(days)} DAY"


def read_product(paths: MeshPaths, view: str) -> pd.DataFrame:
    """A published product (``domain.name`` view) from the consumer catalog."""
    con = connect(paths)
    try:
        return con.execute(f"SELECT * FROM {view}").df()
    finally:
        con.close()


def published_model_registry(paths: MeshPaths) -> pd.DataFrame:
    """The demand-model registry as currently published (empty before the first model)."""
    return reg.registry_from(current_frame(paths, reg.PRODUCT, 1))


def training_snapshot_ids(paths: MeshPaths) -> dict[str, str]:
    """The snapshots of the products a model trains on, as currently served."""
    return current_snapshot_ids(paths, reg.FEATURE_SOURCES)
