"""The latest plan as a consumer reads it: published planning products plus recent actuals.

``mesh report`` reads only the consumer catalog (the DuckDB views every consumer sees), never
dbt's working database or the Dagster instance, so the report shows exactly what was published.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from supplymesh.consumer import connect, run_query
from supplymesh.planning_inputs import read_product
from supplymesh.reporting.plots import representative_series
from supplymesh.settings import MeshPaths
from supplymesh.validation.rules import literal

ACTUAL_DAYS = 56  # history shown before the forecast origin
KPIS_VIEW = "planning.supply_plan_kpis"  # published when the plan coordinator runs
SCORECARDS_VIEW = "governance.product_scorecards"  # published last in every run


@dataclass
class LatestPlan:
    """The frames one report is drawn from."""

    forecast: pd.DataFrame
    actuals: pd.DataFrame  # sku, location_id, demand_date, units_sold (zero-filled days)
    series: list[tuple[str, str]]
    inventory: pd.DataFrame
    shipments: pd.DataFrame
    loads: pd.DataFrame
    supply_kpis: pd.DataFrame | None
    scorecards: pd.DataFrame | None = None  # every product version's scorecard, when published

    @property
    def origin(self) -> pd.Timestamp:
        return pd.Timestamp(self.forecast["forecast_origin"].max())


def daily_actuals(
    orders: pd.DataFrame, series: list[tuple[str, str]], start: pd.Timestamp, end: pd.Timestamp
) -> pd.DataFrame:
    """Units sold per day for ``series`` from ``start`` to ``end``, days without orders as 0
    (a missing day is a day nothing sold, and a line plot must not bridge it)."""
    days = pd.date_range(start, end, freq="D")
    spine = pd.DataFrame(
        [(sku, loc, day) for sku, loc in series for day in days],
        columns=["sku", "location_id", "demand_date"],
    )
    sold = orders.assign(demand_date=pd.to_datetime(orders["demand_date"]))
    out = spine.merge(sold, on=["sku", "location_id", "demand_date"], how="left")
    return out.assign(units_sold=out["units_sold"].fillna(0.0).astype(float))


def _orders_by_day(
    paths: MeshPaths, series: list[tuple[str, str]], start: pd.Timestamp
) -> pd.DataFrame:
    """Units sold per series and day since ``start``, summed over order lines in DuckDB."""
    if not series:
        return pd.DataFrame(columns=["sku", "location_id", "demand_date", "units_sold"])
    keys = ", ".join(f"({literal(sku)}, {literal(loc)})" for sku, loc in series)
    con = connect(paths)
    try:
        return run_query(
            con,
            f"""
            select sku, location_id, order_date as demand_date, sum(quantity)::double as units_sold
            from sales.orders
            where (sku, location_id) in ({keys}) and order_date >= {literal(str(start.date()))}
            group by all
            """,
        )
    finally:
        con.close()


def _optional_view(paths: MeshPaths, view: str) -> pd.DataFrame | None:
    schema, name = view.split(".")
    con = connect(paths)
    try:
        found = con.execute(
            "select count(*) from information_schema.tables where table_schema = ? "
            "and table_name = ?",
            [schema, name],
        ).fetchone()[0]
    finally:
        con.close()
    return read_product(paths, view) if found else None


def load_latest_plan(paths: MeshPaths, n_series: int = 4) -> LatestPlan:
    """Read the published plan; fails with the consumer's own message when nothing is published."""
    forecast = read_product(paths, "planning.demand_forecast")
    if forecast.empty:
        raise ValueError("planning.demand_forecast is empty: materialize the planning group first")
    series = representative_series(forecast, n_series)
    origin = pd.Timestamp(forecast["forecast_origin"].max())
    start = origin - pd.Timedelta(days=ACTUAL_DAYS - 1)
    actuals = daily_actuals(_orders_by_day(paths, series, start), series, start, origin)
    return LatestPlan(
        forecast=forecast,
        actuals=actuals,
        series=series,
        inventory=read_product(paths, "planning.inventory_plan"),
        shipments=read_product(paths, "planning.shipment_plan"),
        loads=read_product(paths, "planning.truck_loads"),
        supply_kpis=_optional_view(paths, KPIS_VIEW),
        scorecards=_optional_view(paths, SCORECARDS_VIEW),
    )


def headline_kpis(plan: LatestPlan) -> list[tuple[str, str]]:
    """The figures a planner reads first, formatted for people."""
    fc, inv, ships, loads = plan.forecast, plan.inventory, plan.shipments, plan.loads
    due = inv[inv["order_due"].astype(bool)] if len(inv) else inv
    late = int(ships["is_late"].astype(bool).sum()) if len(ships) else 0
    unassigned = int((ships["status"] == "unassigned").sum()) if len(ships) else 0
    mean_util = (
        loads[["weight_utilization", "volume_utilization", "pallet_utilization"]].max(axis=1).mean()
        if len(loads)
        else None
    )
    n_series = len(fc[["sku", "location_id"]].drop_duplicates())
    return [
        ("Forecast origin", str(plan.origin.date())),
        ("Series forecast (SKU x DC)", f"{n_series:,}"),
        ("Horizon", f"{int(fc['horizon_day'].max())} days"),
        ("Demand over horizon (P50)", f"{fc['p50'].sum():,.0f} units"),
        ("Demand over horizon (P90)", f"{fc['p90'].sum():,.0f} units"),
        ("Model version", str(fc["model_version"].iloc[0])),
        ("Orders due now", f"{len(due):,} of {len(inv):,} SKU x DC"),
        ("Order quantity", f"{int(due['order_quantity'].sum()) if len(due) else 0:,} units"),
        ("Order value", f"{due['order_value'].sum() if len(due) else 0.0:,.2f}"),
        (
            "Safety stock value",
            f"{(inv['safety_stock'] * inv['unit_cost']).sum() if len(inv) else 0.0:,.2f}",
        ),
        ("Trucks planned", f"{len(loads):,}"),
        ("Mean fill (fullest dimension)", "-" if mean_util is None else f"{mean_util:.0%}"),
        ("Transport cost", f"{loads['cost'].sum() if len(loads) else 0.0:,.2f}"),
        ("Orders late / unassigned", f"{late:,} / {unassigned:,}"),
    ]
