"""The plan's plots: what they choose to show and that they draw it.

Figures are checked through matplotlib's own objects (lines, bands, bars, labels), not pixels:
anti-aliasing and the palette blend every colour, but a line's data is exact.
"""

from __future__ import annotations

import base64
import io

import numpy as np
import pandas as pd
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from PIL import Image

from supplymesh.reporting import plots
from supplymesh.reporting.dagster_metadata import png_metadata
from tests.reporting.plan_frames import (
    ORIGIN,
    actuals_frame,
    forecast_frame,
    inventory_frame,
    loads_frame,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def visible_axes(fig: Figure):
    return [ax for ax in fig.axes if ax.get_visible()]


def line(ax, label: str):
    return next(line for line in ax.get_lines() if line.get_label() == label)


def legend_texts(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_representative_series_span_busiest_to_quietest() -> None:
    picked = plots.representative_series(forecast_frame(), n=3)
    assert picked[0] == ("SKU-A", "DC02")  # 30 units a day, the busiest
    assert picked[-1] == ("SKU-C", "DC02")  # 1.5 units a day, the quietest
    assert len(picked) == 3 and len(set(picked)) == 3
    assert len(plots.representative_series(forecast_frame(), n=10)) == 4
    assert plots.representative_series(forecast_frame().iloc[0:0]) == []


def test_forecast_figure_draws_actuals_p50_and_band_one_panel_per_series() -> None:
    forecast, actuals = forecast_frame(), actuals_frame()
    series = plots.representative_series(forecast, 4)
    fig = plots.forecast_figure(actuals, forecast, series)
    axes = visible_axes(fig)
    assert [ax.get_title() for ax in axes] == [f"{s} @ {loc}" for s, loc in series]
    busiest = axes[0]
    np.testing.assert_allclose(line(busiest, "forecast P50").get_ydata(), 30.0)
    assert len(line(busiest, "actual").get_ydata()) == 56  # history_days of actuals
    assert any(isinstance(c, PolyCollection) for c in busiest.collections)  # the P50-P90 band
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["actual", "P50-P90", "forecast P50"]


def test_forecast_figure_shows_held_out_predictions_when_given() -> None:
    forecast, actuals = forecast_frame(), actuals_frame()
    holdout = actuals[actuals["demand_date"] > ORIGIN - pd.Timedelta(days=28)].assign(
        p50=10.0, p90=14.0
    )
    series = plots.representative_series(forecast, 2)
    ax = visible_axes(plots.forecast_figure(actuals, forecast, series, holdout=holdout))[0]
    held_out = line(ax, "held-out P50")
    assert len(held_out.get_ydata()) == 28
    plain = visible_axes(plots.forecast_figure(actuals, forecast, series))[0]
    assert "held-out P50" not in [ln.get_label() for ln in plain.get_lines()]


def test_project_inventory_adds_the_order_then_draws_down_by_demand() -> None:
    row = plots.featured_plan_row(inventory_frame())
    assert row["sku"] == "SKU-B"  # the most valuable order due
    path = plots.project_inventory(row, forecast_frame())
    start = row["inventory_position"] + row["order_quantity"]
    assert path["position_p50"].iloc[0] == start
    assert path["position_p50"].iloc[-1] == start - 28 * 5.0
    assert path["position_p90"].iloc[-1] == start - 28 * 5.0 * 1.4
    assert len(path) == 29 and path["date"].iloc[0] == ORIGIN


def test_featured_row_without_due_orders_is_the_fastest_mover() -> None:
    plan = inventory_frame().assign(order_due=False, order_quantity=0, order_value=0.0)
    assert plots.featured_plan_row(plan)["sku"] == "SKU-A"
    assert plots.featured_plan_row(plan.iloc[0:0]) is None


def test_projected_inventory_figure_marks_reorder_point_and_safety_stock() -> None:
    row = plots.featured_plan_row(inventory_frame())
    ax = plots.projected_inventory_figure(row, forecast_frame()).axes[0]
    labels = legend_texts(ax)
    assert "reorder point 150" in labels and "safety stock 30" in labels
    assert "order-up-to 360" in labels
    assert line(ax, "P50 demand").get_ydata()[0] == 120.0 + 288
    assert "SKU-B @ DC01" in ax.get_title()
    empty = plots.projected_inventory_figure(None, forecast_frame()).axes[0]
    assert empty.get_legend() is None and "no inventory plan rows" in empty.texts[0].get_text()


def test_lane_utilization_ranks_lanes_by_their_binding_capacity() -> None:
    by_lane = plots.lane_utilization(loads_frame())
    assert list(by_lane["lane_id"]) == ["LANE-1", "LANE-2"]
    lane1 = by_lane.iloc[0]
    assert lane1["trucks"] == 2
    assert lane1["binding"] == (0.9 + 0.8) / 2  # each truck's fullest dimension, averaged
    assert plots.lane_utilization(loads_frame().iloc[0:0]).empty


def test_truck_figure_has_three_bars_per_lane_and_explains_an_empty_plan() -> None:
    ax = plots.truck_utilization_figure(loads_frame()).axes[0]
    assert len(ax.patches) == 2 * 3  # weight, volume, pallets for each lane
    assert [t.get_text() for t in ax.get_yticklabels()] == ["LANE-1", "LANE-2"]
    assert any("2 trucks" in t.get_text() for t in ax.texts)
    empty = plots.truck_utilization_figure(loads_frame().iloc[0:0]).axes[0]
    assert not empty.patches and "no trucks planned" in empty.texts[0].get_text()


def test_plots_are_small_palette_pngs() -> None:
    png = plots.forecast_vs_actuals(
        actuals_frame(), forecast_frame(), plots.representative_series(forecast_frame())
    )
    assert png.startswith(PNG_MAGIC)
    image = Image.open(io.BytesIO(png))
    assert image.mode == "P" and image.width > 800  # two panels side by side
    assert len(png) < 200_000  # it rides inline in every materialization event


def test_png_metadata_is_markdown_with_the_image_inline() -> None:
    png = plots.truck_utilization(loads_frame())
    text = png_metadata(png, "truck utilization by lane").value
    prefix = "![truck utilization by lane](data:image/png;base64,"
    assert text.startswith(prefix) and text.endswith(")")
    assert base64.b64decode(text[len(prefix) : -1]) == png
