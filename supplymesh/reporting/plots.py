"""The plan as pictures: pure functions from plan frames to PNG bytes.

A planner judges a forecast by looking at it against what actually sold, an inventory policy by
seeing where stock runs against its reorder point, and a truck plan by how full the trucks are.
These functions draw exactly that from the planning frames (the Dagster assets and ``mesh report``
call the same ones), with matplotlib's object API on the Agg canvas: no display, no pyplot state,
safe in any worker thread.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

SERIES_KEYS = ["sku", "location_id"]
ACTUAL = "#222222"
FORECAST = "#1f6fb4"
HOLDOUT = "#e07b12"
REORDER = "#e07b12"
SAFETY = "#c0392b"
DPI = 100
PALETTE_COLOURS = 128


def to_png(fig: Figure) -> bytes:
    """The figure as a palette PNG (Agg canvas, tight layout).

    The image rides inline in every materialization event, so it is quantized to a 128-colour
    palette: about a third of the RGBA size and indistinguishable for line plots. Pillow is
    matplotlib's own image library, not an extra dependency.
    """
    FigureCanvasAgg(fig)
    rendered = io.BytesIO()
    fig.savefig(rendered, format="png", dpi=DPI, bbox_inches="tight")
    rendered.seek(0)
    palette = (
        Image.open(rendered).convert("RGB").quantize(PALETTE_COLOURS, Image.Quantize.MEDIANCUT)
    )
    out = io.BytesIO()
    palette.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _message(ax: Axes, text: str) -> None:
    """An empty panel that says why it is empty: a blank image reads as a bug."""
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#555555")
    ax.set_xticks([])
    ax.set_yticks([])


def representative_series(forecast: pd.DataFrame, n: int = 4) -> list[tuple[str, str]]:
    """``n`` SKU x location series spread over the demand range, busiest first.

    The busiest, the quietest and evenly spaced ranks between: the top sellers alone would hide
    how the model does on the slow movers that most series are.
    """
    if forecast.empty:
        return []
    volume = forecast.groupby(SERIES_KEYS)["p50"].sum().sort_values(ascending=False, kind="stable")
    picks = np.unique(np.linspace(0, len(volume) - 1, num=min(n, len(volume))).round().astype(int))
    return [(str(s), str(loc)) for s, loc in volume.index[picks]]


def _series(frame: pd.DataFrame, sku: str, location: str) -> pd.DataFrame:
    """The rows of one SKU x location series."""
    mask = (frame["sku"].astype(str) == sku) & (frame["location_id"].astype(str) == location)
    return frame[mask]


def _draw_holdout(ax: Axes, holdout: pd.DataFrame) -> None:
    """The forecast made for days whose actuals are known: the part of the picture that can be
    checked by eye."""
    dates = pd.to_datetime(holdout["demand_date"])
    ax.fill_between(dates, holdout["p50"], holdout["p90"], color=HOLDOUT, alpha=0.2, lw=0)
    ax.plot(dates, holdout["p50"], color=HOLDOUT, lw=1.2, ls="--", label="held-out P50")


def forecast_figure(
    actuals: pd.DataFrame,
    forecast: pd.DataFrame,
    series: list[tuple[str, str]],
    holdout: pd.DataFrame | None = None,
    history_days: int = 56,
) -> Figure:
    """Actual daily units against the P50 forecast and its P50-P90 band, one panel per series.

    ``actuals``: sku, location_id, demand_date, units_sold (history). ``forecast``: sku,
    location_id, forecast_date, p50, p90 (the published horizon). ``holdout`` (optional): sku,
    location_id, demand_date, p50, p90 predicted for days that already have actuals, so the panel
    shows the forecast and the truth on the same days, not only a forecast nobody can check yet.
    """
    cols = 2 if len(series) > 1 else 1
    rows = max(1, int(np.ceil(len(series) / cols)))
    fig = Figure(figsize=(6.0 * cols, 3.0 * rows))
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    if not series:
        _message(axes[0], "no forecast series to show")
    for ax, (sku, location) in zip(axes, series, strict=False):
        fc = _series(forecast, sku, location).sort_values("forecast_date")
        fc_dates = pd.to_datetime(fc["forecast_date"])
        origin = fc_dates.min() - pd.Timedelta(days=1) if len(fc) else None
        act = _series(actuals, sku, location).copy()
        act["demand_date"] = pd.to_datetime(act["demand_date"])
        if origin is not None and len(act):
            act = act[act["demand_date"] > origin - pd.Timedelta(days=history_days)]
        act = act.sort_values("demand_date")
        ax.plot(act["demand_date"], act["units_sold"], color=ACTUAL, lw=1.2, label="actual")
        if holdout is not None:
            _draw_holdout(ax, _series(holdout, sku, location).sort_values("demand_date"))
        if len(fc):
            ax.fill_between(
                fc_dates, fc["p50"], fc["p90"], color=FORECAST, alpha=0.25, lw=0, label="P50-P90"
            )
            ax.plot(fc_dates, fc["p50"], color=FORECAST, lw=1.6, label="forecast P50")
            ax.axvline(origin, color="#888888", lw=0.8, ls=":")
        ax.set_title(f"{sku} @ {location}", fontsize=10)
        ax.set_ylabel("units / day")
        ax.set_ylim(bottom=0)
        ax.tick_params(axis="x", labelsize=8, rotation=30)
        ax.grid(alpha=0.3)
    for ax in axes[len(series) :]:
        ax.set_visible(False)
    fig.suptitle("Forecast vs actuals (P50 with P50-P90 band)", fontsize=12)
    fig.tight_layout()
    if series:
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(
            handles,
            labels,
            loc="upper center",
            bbox_to_anchor=(0.5, 0.0),
            ncol=len(labels),
            frameon=False,
        )
    return fig


def forecast_vs_actuals(
    actuals: pd.DataFrame,
    forecast: pd.DataFrame,
    series: list[tuple[str, str]],
    holdout: pd.DataFrame | None = None,
    history_days: int = 56,
) -> bytes:
    """``forecast_figure`` as PNG bytes."""
    return to_png(forecast_figure(actuals, forecast, series, holdout, history_days))


def featured_plan_row(plan: pd.DataFrame) -> Mapping[str, object] | None:
    """The SKU x DC worth a planner's first look: the most valuable order due now, else the
    fastest mover."""
    if plan.empty:
        return None
    due = plan[plan["order_due"].astype(bool)]
    if len(due):
        return due.sort_values("order_value", ascending=False, kind="stable").iloc[0].to_dict()
    return plan.sort_values("mean_daily_demand", ascending=False, kind="stable").iloc[0].to_dict()


def project_inventory(plan_row: Mapping[str, object], forecast: pd.DataFrame) -> pd.DataFrame:
    """Day-by-day inventory position of one SKU x DC after this plan's order, under P50 and P90
    demand: position at the plan date plus the order placed now, minus cumulative demand.

    The inventory position (on hand + on order) is what the policy compares with its reorder
    point, so the projection needs no guess about when open orders arrive.
    """
    fc = _series(forecast, str(plan_row["sku"]), str(plan_row["location_id"]))
    fc = fc.sort_values("forecast_date")
    start = float(plan_row["inventory_position"]) + float(plan_row.get("order_quantity") or 0)
    plan_date = pd.Timestamp(plan_row["plan_date"])
    return pd.DataFrame(
        {
            "date": [plan_date, *pd.to_datetime(fc["forecast_date"])],
            "position_p50": [start, *(start - fc["p50"].cumsum()).to_numpy()],
            "position_p90": [start, *(start - fc["p90"].cumsum()).to_numpy()],
        }
    )


def projected_inventory_figure(
    plan_row: Mapping[str, object] | None, forecast: pd.DataFrame
) -> Figure:
    """Projected inventory position of one SKU x DC with its reorder point and safety stock."""
    fig = Figure(figsize=(9.0, 4.0))
    ax = fig.subplots()
    if plan_row is None:
        _message(ax, "no inventory plan rows")
        return fig
    path = project_inventory(plan_row, forecast)
    plan_date = pd.Timestamp(plan_row["plan_date"])
    before = float(plan_row["inventory_position"])
    ax.plot(path["date"], path["position_p50"], color=FORECAST, lw=1.8, label="P50 demand")
    ax.plot(path["date"], path["position_p90"], color=FORECAST, lw=1.2, ls="--", label="P90 demand")
    ax.scatter([plan_date], [before], color=ACTUAL, zorder=3, label="position before order")
    levels = [
        ("order-up-to", float(plan_row["order_up_to"]), "#777777", ":"),
        ("reorder point", float(plan_row["reorder_point"]), REORDER, "-"),
        ("safety stock", float(plan_row["safety_stock"]), SAFETY, "-"),
    ]
    for name, value, color, style in levels:
        ax.axhline(value, color=color, lw=1.2, ls=style, label=f"{name} {value:,.0f}")
    need_by = plan_row.get("need_by_date")
    if bool(plan_row.get("order_due")) and need_by is not None:
        ax.axvline(pd.Timestamp(need_by), color="#888888", lw=0.8, ls=":")
        ax.annotate(
            f"order {int(plan_row['order_quantity']):,} units\n"
            f"needed by {pd.Timestamp(need_by).date()}",
            xy=(pd.Timestamp(need_by), ax.get_ylim()[1]),
            xytext=(4, -4),
            textcoords="offset points",
            va="top",
            fontsize=8,
        )
    ax.set_title(
        f"Projected inventory position: {plan_row['sku']} @ {plan_row['location_id']}", fontsize=11
    )
    ax.set_ylabel("units")
    ax.tick_params(axis="x", labelsize=8, rotation=30)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    fig.tight_layout()
    return fig


def projected_inventory(plan_row: Mapping[str, object] | None, forecast: pd.DataFrame) -> bytes:
    """``projected_inventory_figure`` as PNG bytes."""
    return to_png(projected_inventory_figure(plan_row, forecast))


def lane_utilization(loads: pd.DataFrame) -> pd.DataFrame:
    """Trucks and mean weight, volume and pallet utilization per lane, fullest lanes first."""
    if loads.empty:
        return pd.DataFrame(columns=["lane_id", "trucks", "weight", "volume", "pallets", "binding"])
    frame = loads.assign(
        binding=loads[["weight_utilization", "volume_utilization", "pallet_utilization"]].max(
            axis=1
        )
    )
    out = (
        frame.groupby("lane_id")
        .agg(
            trucks=("load_id", "count"),
            weight=("weight_utilization", "mean"),
            volume=("volume_utilization", "mean"),
            pallets=("pallet_utilization", "mean"),
            binding=("binding", "mean"),
        )
        .reset_index()
    )
    return out.sort_values(["binding", "lane_id"], ascending=[False, True], kind="stable")


def truck_utilization_figure(loads: pd.DataFrame) -> Figure:
    """Mean utilization of weight, volume and pallet capacity per lane, with its truck count."""
    by_lane = lane_utilization(loads)
    fig = Figure(figsize=(9.0, max(2.5, 0.45 * len(by_lane) + 1.5)))
    ax = fig.subplots()
    if by_lane.empty:
        _message(ax, "no trucks planned: no purchase order is due on this plan date")
        ax.set_title("Truck utilization by lane", fontsize=11)
        return fig
    y = np.arange(len(by_lane))
    height = 0.26
    for i, (column, color) in enumerate(
        [("weight", "#1f6fb4"), ("volume", "#2ca02c"), ("pallets", "#9467bd")]
    ):
        ax.barh(y + (i - 1) * height, by_lane[column], height, color=color, label=column)
    for yi, (trucks, binding) in enumerate(zip(by_lane["trucks"], by_lane["binding"], strict=True)):
        ax.text(
            1.01,
            yi,
            f"{trucks} truck{'s' if trucks != 1 else ''}, fullest dimension {binding:.0%} on average",
            va="center",
            fontsize=8,
            transform=ax.get_yaxis_transform(),
        )
    ax.set_yticks(y, by_lane["lane_id"])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda v, _pos: f"{v:.0%}")
    ax.set_xlabel("mean utilization of capacity")
    ax.set_title("Truck utilization by lane", fontsize=11)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=3)
    return fig


def truck_utilization(loads: pd.DataFrame) -> bytes:
    """``truck_utilization_figure`` as PNG bytes."""
    return to_png(truck_utilization_figure(loads))
