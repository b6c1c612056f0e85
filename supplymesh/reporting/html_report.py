"""A static, self-contained HTML report of the latest plan.

One file with inline CSS and the plots as inline PNG data URIs: it opens offline, can be mailed
or attached to a ticket, and shows the same pictures the Dagster UI shows for the run. The page
is the Jinja2 template ``templates/plan_report.html`` (autoescaped); this module gathers what it
shows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import jinja2
import pandas as pd

from supplymesh.governance.scorecards.table import HEADINGS, scorecard_rows
from supplymesh.reporting import plots
from supplymesh.reporting.dagster_metadata import png_data_uri
from supplymesh.reporting.latest_plan import LatestPlan, headline_kpis

TEMPLATE = "plan_report.html"


@dataclass(frozen=True)
class Figure:
    heading: str
    src: str  # a PNG data URI
    alt: str
    caption: str


@dataclass(frozen=True)
class Table:
    heading: str
    html: str  # pandas' own HTML, every cell escaped (the template marks it safe)


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("supplymesh.reporting", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a misspelt name fails the report, not blanks it
        keep_trailing_newline=True,
    )


def _table(frame: pd.DataFrame, max_rows: int = 15) -> str:
    shown = frame.head(max_rows)
    return shown.to_html(index=False, border=0, float_format=lambda v: f"{v:,.2f}", escape=True)


def _latest_row_table(frame: pd.DataFrame) -> str:
    """The newest row of a wide KPI table, one figure per line (a wide row would not fit)."""
    latest = frame.iloc[-1]
    values = [f"{v:,.4g}" if isinstance(v, float) else str(v) for v in latest.to_numpy()]
    return _table(pd.DataFrame({"figure": latest.index, "value": values}), max_rows=len(latest))


def scorecards_table(scorecards: pd.DataFrame) -> str:
    """Every product version's scorecard, in the cells every scorecard table shows
    (``governance.scorecards.table``: lowest score first, components as percentages)."""
    rows = scorecard_rows(scorecards.to_dict("records"))
    return _table(pd.DataFrame(rows, columns=list(HEADINGS)), max_rows=len(rows))


def _figures(plan: LatestPlan) -> list[Figure]:
    featured = plots.featured_plan_row(plan.inventory)
    featured_text = (
        f"{featured['sku']} at {featured['location_id']}" if featured else "no SKU x DC planned"
    )
    return [
        Figure(
            "Forecast vs actuals",
            png_data_uri(plots.forecast_vs_actuals(plan.actuals, plan.forecast, plan.series)),
            "forecast vs actuals",
            "Daily units sold over the last weeks and the published P50 forecast with its "
            "P50-P90 band, for series spread over the demand range (busiest first).",
        ),
        Figure(
            "Projected inventory",
            png_data_uri(plots.projected_inventory(featured, plan.forecast)),
            "projected inventory",
            f"Inventory position of {featured_text} after this plan's order, under P50 and "
            "P90 demand, against its reorder point and safety stock.",
        ),
        Figure(
            "Truck utilization by lane",
            png_data_uri(plots.truck_utilization(plan.loads)),
            "truck utilization by lane",
            "Mean share of weight, volume and pallet capacity used by the planned trucks.",
        ),
    ]


def _tables(plan: LatestPlan) -> list[Table]:
    tables = []
    due = plan.inventory[plan.inventory["order_due"].astype(bool)] if len(plan.inventory) else None
    if due is not None and len(due):
        columns = ["sku", "location_id", "order_quantity", "need_by_date", "order_value"]
        largest = due.sort_values("order_value", ascending=False)[columns]
        tables.append(Table("Largest orders due now", _table(largest)))
    if plan.supply_kpis is not None and len(plan.supply_kpis):
        tables.append(Table("Supply plan KPIs", _latest_row_table(plan.supply_kpis)))
    if plan.scorecards is not None and len(plan.scorecards):
        tables.append(Table("Product scorecards", scorecards_table(plan.scorecards)))
    return tables


def render_report(plan: LatestPlan, generated_at: dt.datetime | None = None) -> str:
    """The whole report as one HTML string."""
    return (
        _environment()
        .get_template(TEMPLATE)
        .render(
            origin=plan.origin.date(),
            generated_at=generated_at or dt.datetime.now(dt.UTC),
            kpis=headline_kpis(plan),
            figures=_figures(plan),
            tables=_tables(plan),
        )
    )
