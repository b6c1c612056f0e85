"""When a landed orders or stock batch gets the full mesh run instead of an event replan.

An event replan rebuilds only the dbt models downstream of the batch's product and keeps the
served plan of every pair the batch did not touch. That is right for one batch landing on a
settled world, and wrong in two cases, where the sensor asks for the full mesh run (the daily
path: every product, every model, every plan), as it did before event replans existed:

- other source products have batches no run has judged yet (a ``mesh generate`` lands every
  product at once): their publish-only runs would republish calendar, lanes or products without
  rebuilding the marts, and the replan would splice plans from mixed inputs;
- the scope would be the whole network anyway (``whole_network_reason``: no earlier snapshot to
  compare with, or the as-of date moves): a replan of every pair from half-rebuilt marts is a
  full run that skipped models.

The as-of date is the last order day of ``sales.orders`` (``int_demand__date_spine``), so the
sensor reads it from the batch when the batch is orders, else from the orders served now, and
compares it with the served forecast's origin, as the planning steps will.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg
import pandas as pd

from orchestration.jobs import DAILY_SELECTION
from orchestration.planning.assets import FORECAST
from supplymesh import duckdb_limits
from supplymesh.planning.replanning.scope import whole_network_reason
from supplymesh.publishing.manifest import Manifest, current_snapshot
from supplymesh.registry import Product, get_product
from supplymesh.validation.landing_file import UnreadableInputError, source_sql
from supplymesh.validation.rules import literal

if TYPE_CHECKING:  # Dagster does not export the graph's class
    from dagster._core.definitions.assets.graph.asset_graph import AssetGraph

AS_OF_PRODUCT, AS_OF_COLUMN = "sales.orders", "order_date"
FULL_RUN_TAG = "supplymesh/full_run"


def _max_date(table: str, column: str) -> str | None:
    """The greatest ``column`` of a DuckDB table expression as ``YYYY-MM-DD`` (None if none)."""
    sql = f"SELECT max(try_cast({column} AS DATE)) FROM {table}"
    with duckdb_limits.connect() as con:
        value = con.execute(sql).fetchone()[0]
    return None if value is None else str(pd.Timestamp(value).date())


def _served_snapshot(manifest: Manifest, product: Product) -> str | None:
    """The table expression of ``product``'s current snapshot (None before its first)."""
    snap = current_snapshot(manifest, product.key, product.latest.major)
    if snap is None or not Path(snap["path"]).exists():
        return None
    return f"read_parquet({literal(snap['path'])})"


def as_of_after(manifest: Manifest, product: Product, batch: Path) -> str | None:
    """The as-of date the marts will have once ``batch`` of ``product`` is published (None
    when it cannot be read: the batch or the orders served now are unreadable or missing)."""
    try:
        table = (
            source_sql(batch)
            if product.key == AS_OF_PRODUCT
            else _served_snapshot(manifest, get_product(AS_OF_PRODUCT))
        )
    except UnreadableInputError:
        return None
    return None if table is None else _max_date(table, AS_OF_COLUMN)


def full_run_reason(
    manifest: Manifest, product: Product, batch: Path, unjudged_others: list[str]
) -> str | None:
    """Why a new ``batch`` of ``product`` (a replan trigger) gets the full mesh run, or None when
    an event replan is right; ``unjudged_others``: the other source products with batches no run
    has judged yet."""
    if unjudged_others:
        return (
            f"{', '.join(unjudged_others)} landed batches too: the marts are rebuilt from every "
            "new batch in one run, not replanned from inputs half of which are rebuilt"
        )
    forecast = _served_snapshot(manifest, FORECAST)
    served = None if forecast is None else _max_date(forecast, "forecast_origin")
    if served is None:
        return "no forecast is served to splice the replanned series into"
    comparable = current_snapshot(manifest, product.key, product.latest.major) is not None
    return whole_network_reason(
        product.key, comparable, served, as_of_after(manifest, product, batch)
    )


def full_run_request(batches: list[tuple[Product, Path]], graph: AssetGraph) -> dg.RunRequest:
    """One run of the mesh's daily path (every asset but the training group) for new batches."""
    names = ",".join(f"{p.key}:{b.name}" for p, b in batches)
    return dg.RunRequest(
        run_key=f"mesh:{names}",
        asset_selection=sorted(DAILY_SELECTION.resolve(graph), key=lambda k: k.path),
        tags={
            "supplymesh/product": ",".join(p.key for p, _ in batches),
            "supplymesh/batch": ",".join(b.name for _, b in batches),
            FULL_RUN_TAG: "true",
        },
    )
