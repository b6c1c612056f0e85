"""The static plan report: one offline file with the plots and the headline KPIs."""

from __future__ import annotations

import base64
import datetime as dt
import re

import pandas as pd

from supplymesh.reporting.html_report import render_report
from supplymesh.reporting.latest_plan import LatestPlan, daily_actuals, headline_kpis
from tests.reporting.plan_frames import (
    ORIGIN,
    SERIES,
    actuals_frame,
    forecast_frame,
    inventory_frame,
    loads_frame,
    shipments_frame,
)


def latest_plan(**overrides) -> LatestPlan:
    parts = {
        "forecast": forecast_frame(),
        "actuals": actuals_frame(),
        "series": SERIES[:2],
        "inventory": inventory_frame(),
        "shipments": shipments_frame(),
        "loads": loads_frame(),
        "supply_kpis": None,
    }
    return LatestPlan(**{**parts, **overrides})


def test_headline_kpis_read_like_a_planner_would_say_them() -> None:
    kpis = dict(headline_kpis(latest_plan()))
    assert kpis["Forecast origin"] == "2026-11-27"
    assert kpis["Series forecast (SKU x DC)"] == "4"
    assert kpis["Horizon"] == "28 days"
    assert kpis["Orders due now"] == "2 of 4 SKU x DC"
    assert kpis["Order quantity"] == f"{96 + 288:,} units"
    assert kpis["Trucks planned"] == "3"
    assert kpis["Mean fill (fullest dimension)"] == f"{(0.9 + 0.8 + 0.4) / 3:.0%}"
    assert kpis["Orders late / unassigned"] == "1 / 1"


def test_kpis_of_a_plan_without_trucks_say_so() -> None:
    empty = latest_plan(loads=loads_frame().iloc[0:0], shipments=shipments_frame().iloc[0:0])
    kpis = dict(headline_kpis(empty))
    assert kpis["Trucks planned"] == "0"
    assert kpis["Mean fill (fullest dimension)"] == "-"
    assert kpis["Orders late / unassigned"] == "0 / 0"


def test_report_is_one_self_contained_page_with_three_inline_plots() -> None:
    page = render_report(latest_plan(), generated_at=dt.datetime(2026, 11, 28, 6, 0))
    images = re.findall(r'<img src="data:image/png;base64,([^"]+)" alt="([^"]+)">', page)
    assert [alt for _, alt in images] == [
        "forecast vs actuals",
        "projected inventory",
        "truck utilization by lane",
    ]
    assert all(base64.b64decode(data).startswith(b"\x89PNG") for data, _ in images)
    assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing fetched: readable offline
    assert "<h1>Supply plan as of 2026-11-27</h1>" in page
    assert "2 of 4 SKU x DC" in page
    assert "Largest orders due now" in page and "SKU-B" in page
    assert "generated 2026-11-28 06:00 UTC" in page


def test_report_lists_supply_plan_kpis_when_the_coordinator_publishes_them() -> None:
    kpis = pd.DataFrame(
        {"run_date": ["2026-11-20", "2026-11-27"], "projected_fill_rate": [0.91, 0.97]}
    )
    page = render_report(latest_plan(supply_kpis=kpis))
    assert "Supply plan KPIs" in page
    assert "<td>projected_fill_rate</td>" in page and "<td>0.97</td>" in page  # the latest run
    assert "0.91" not in page
    assert "Supply plan KPIs" not in render_report(latest_plan())


def test_daily_actuals_fill_days_without_orders_with_zero() -> None:
    orders = pd.DataFrame(
        {
            "sku": ["SKU-A", "SKU-A"],
            "location_id": ["DC01", "DC01"],
            "demand_date": [ORIGIN - pd.Timedelta(days=2), ORIGIN],
            "units_sold": [4.0, 6.0],
        }
    )
    start = ORIGIN - pd.Timedelta(days=3)
    out = daily_actuals(orders, [("SKU-A", "DC01"), ("SKU-B", "DC01")], start, ORIGIN)
    sku_a = out[out["sku"] == "SKU-A"].sort_values("demand_date")["units_sold"].tolist()
    assert sku_a == [0.0, 4.0, 0.0, 6.0]
    assert out[out["sku"] == "SKU-B"]["units_sold"].tolist() == [0.0] * 4


def test_report_escapes_what_the_data_says() -> None:
    inventory = inventory_frame()
    inventory["sku"] = inventory["sku"].str.replace("SKU-B", "<b>SKU-B</b>")
    page = render_report(latest_plan(inventory=inventory))
    assert "<b>SKU-B</b>" not in page
    assert "Inventory position of &lt;b&gt;SKU-B&lt;/b&gt; at DC01" in page  # the template's
    assert "<td>&lt;b&gt;SKU-B&lt;/b&gt;</td>" in page  # pandas' table
