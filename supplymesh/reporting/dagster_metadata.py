"""PNG plots as Dagster metadata: the UI renders a markdown image with an inline data URI.

An inline image travels with the materialization event itself, so the picture of a plan is the
picture of that run, in the instance's event log, with no file server or artifact store to keep.
"""

from __future__ import annotations

import base64

import dagster as dg
import pandas as pd

from supplymesh.reporting import plots


def png_data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def png_metadata(png: bytes, alt: str) -> dg.MetadataValue:
    """A markdown metadata value showing ``png`` (``alt`` names it for readers and tests)."""
    return dg.MetadataValue.md(f"![{alt}]({png_data_uri(png)})")


def forecast_plot_metadata(
    features: pd.DataFrame, forecast: pd.DataFrame, holdout: pd.DataFrame | None = None
) -> dict[str, dg.MetadataValue]:
    """``forecast_vs_actuals`` for the demand forecast asset: representative series, their recent
    actuals from the features mart, the held-out predictions and the published horizon."""
    history = features[features["is_history"].fillna(False).astype(bool)]
    png = plots.forecast_vs_actuals(
        history[["sku", "location_id", "demand_date", "units_sold"]],
        forecast,
        plots.representative_series(forecast),
        holdout=holdout,
    )
    return {"forecast_vs_actuals": png_metadata(png, "forecast vs actuals")}


def inventory_plot_metadata(
    plan: pd.DataFrame, forecast: pd.DataFrame
) -> dict[str, dg.MetadataValue]:
    """``projected_inventory`` for the inventory plan asset (its featured SKU x DC)."""
    png = plots.projected_inventory(plots.featured_plan_row(plan), forecast)
    return {"projected_inventory": png_metadata(png, "projected inventory")}


def truck_plot_metadata(loads: pd.DataFrame) -> dict[str, dg.MetadataValue]:
    """``truck_utilization`` for the shipment plan assets."""
    png = plots.truck_utilization(loads)
    return {"truck_utilization": png_metadata(png, "truck utilization by lane")}
