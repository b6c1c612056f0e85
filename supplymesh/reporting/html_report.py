"""A static, self-contained HTML report of the latest plan.

One file with inline CSS and the plots as inline PNG data URIs: it opens offline, can be mailed
or attached to a ticket, and shows the same pictures the Dagster UI shows for the run.
"""

from __future__ import annotations

import datetime as dt
import html

import pandas as pd

from supplymesh.reporting import plots
from supplymesh.reporting.dagster_metadata import png_data_uri
from supplymesh.reporting.latest_plan import LatestPlan, headline_kpis

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto;
       max-width: 72rem; color: #222; padding: 0 1rem; }
h1 { margin-bottom: 0.2rem; } .sub { color: #666; margin-top: 0; }
.kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(13rem, 1fr)); gap: 0.6rem; }
.kpi { border: 1px solid #ddd; border-radius: 6px; padding: 0.5rem 0.8rem; }
.kpi .label { color: #666; font-size: 0.8rem; } .kpi .value { font-size: 1.2rem; font-weight: 600; }
figure { margin: 1.5rem 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9rem; }
table { border-collapse: collapse; font-size: 0.85rem; }
td, th { border-bottom: 1px solid #eee; padding: 0.25rem 0.6rem; text-align: right; }
th { background: #f6f6f6; } td:first-child, th:first-child { text-align: left; }
"""


def _figure(png: bytes, alt: str, caption: str) -> str:
    return (
        f'<figure><img src="{png_data_uri(png)}" alt="{html.escape(alt)}">'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )


def _table(frame: pd.DataFrame, max_rows: int = 15) -> str:
    shown = frame.head(max_rows)
    return shown.to_html(index=False, border=0, float_format=lambda v: f"{v:,.2f}", escape=True)


def _latest_row_table(frame: pd.DataFrame) -> str:
    """The newest row of a wide KPI table, one figure per line (a wide row would not fit)."""
    latest = frame.iloc[-1]
    values = [f"{v:,.4g}" if isinstance(v, float) else str(v) for v in latest.to_numpy()]
    return _table(pd.DataFrame({"figure": latest.index, "value": values}), max_rows=len(latest))


def render_report(plan: LatestPlan, generated_at: dt.datetime | None = None) -> str:
    """The whole report as one HTML string."""
    generated_at = generated_at or dt.datetime.now(dt.UTC)
    featured = plots.featured_plan_row(plan.inventory)
    kpis = "".join(
        f'<div class="kpi"><div class="label">{html.escape(label)}</div>'
        f'<div class="value">{html.escape(value)}</div></div>'
        for label, value in headline_kpis(plan)
    )
    featured_text = (
        f"{featured['sku']} at {featured['location_id']}" if featured else "no SKU x DC planned"
    )
    due = plan.inventory[plan.inventory["order_due"].astype(bool)] if len(plan.inventory) else None
    sections = [
        "<h2>Forecast vs actuals</h2>",
        _figure(
            plots.forecast_vs_actuals(plan.actuals, plan.forecast, plan.series),
            "forecast vs actuals",
            "Daily units sold over the last weeks and the published P50 forecast with its "
            "P50-P90 band, for series spread over the demand range (busiest first).",
        ),
        "<h2>Projected inventory</h2>",
        _figure(
            plots.projected_inventory(featured, plan.forecast),
            "projected inventory",
            f"Inventory position of {featured_text} after this plan's order, under P50 and "
            "P90 demand, against its reorder point and safety stock.",
        ),
        "<h2>Truck utilization by lane</h2>",
        _figure(
            plots.truck_utilization(plan.loads),
            "truck utilization by lane",
            "Mean share of weight, volume and pallet capacity used by the planned trucks.",
        ),
    ]
    if due is not None and len(due):
        columns = ["sku", "location_id", "order_quantity", "need_by_date", "order_value"]
        sections += [
            "<h2>Largest orders due now</h2>",
            _table(due.sort_values("order_value", ascending=False)[columns]),
        ]
    if plan.supply_kpis is not None and len(plan.supply_kpis):
        sections += ["<h2>Supply plan KPIs</h2>", _latest_row_table(plan.supply_kpis)]
    return (
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>supplymesh plan {plan.origin.date()}</title><style>{STYLE}</style></head><body>"
        f"<h1>Supply plan as of {plan.origin.date()}</h1>"
        f"<p class='sub'>From the published planning products; generated "
        f"{generated_at:%Y-%m-%d %H:%M} UTC.</p>"
        f"<div class='kpis'>{kpis}</div>{''.join(sections)}</body></html>\n"
    )
