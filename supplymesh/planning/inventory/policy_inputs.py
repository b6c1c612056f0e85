"""Assemble the inventory policy's inputs from the mesh's products and the champion's evidence.

The policy (``inventory.plan_inventory``) needs, per SKU x DC: its class and service target
(``classification``), lead-time statistics including DC handling (``inventory_risk``), the
protection-period forecast error of the serving model measured on its own backtest for a fresh
forecast (``demand_risk``), the lead-time quantile of the receipts (``lead_time_z``), and for
intermittent series the empirical protection-period quantile
(``inventory_risk``). This module joins them into the two frames the policy takes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from supplymesh.planning.frames import SERIES_KEYS
from supplymesh.planning.inventory.classification import ServiceTargets, classify_series
from supplymesh.planning.inventory.demand_risk import demand_risk, error_panel
from supplymesh.planning.inventory.lead_times import resolve_lead_times
from supplymesh.planning.inventory.policy import protection_days
from supplymesh.planning.inventory.protection_quantiles import (
    empirical_protection_quantile,
    lead_time_z,
)


@dataclass
class PolicyInputs:
    """``classes`` and ``risk`` for ``plan_inventory``, and the class table for reports."""

    classes: pd.DataFrame  # sku, location_id, service_class, service_level_target, intermittent
    risk: pd.DataFrame  # sku, location_id, sigma_protection, demand_z, lead_z, empirical_quantile


def policy_inputs(
    history: pd.DataFrame,
    positions: pd.DataFrame,
    lead_stats: pd.DataFrame,
    lead_samples: pd.DataFrame,
    backtest: pd.DataFrame,
    targets: ServiceTargets,
    review_period_days: int,
) -> PolicyInputs:
    """Classes, targets and measured risk for every series in ``positions``.

    ``history``: sku, location_id, demand_date, units_sold (history rows of the features mart);
    ``positions``: the ``fct_inventory_position`` mart; ``lead_stats`` / ``lead_samples``: from
    ``inventory_risk``; ``backtest``: the champion's backtest predictions.
    """
    pos = positions.astype({"sku": str, "location_id": str, "supplier_id": str})
    costs = pos[["sku", "unit_cost"]].drop_duplicates("sku")
    classes = classify_series(history, costs)
    series = pos[[*SERIES_KEYS, "supplier_id"]].merge(classes, on=SERIES_KEYS, how="left")
    series["service_class"] = series["service_class"].fillna("CZ")
    series["intermittent"] = series["intermittent"].fillna(False).astype(bool)
    series["service_level_target"] = targets.of(series["service_class"])
    series = resolve_lead_times(series, lead_stats)
    days = protection_days(series["lead_time_mean_days"], review_period_days)
    panel = error_panel(backtest, series[SERIES_KEYS])
    risk = demand_risk(
        panel,
        days,
        series["service_class"].to_numpy(),
        series["service_level_target"].to_numpy(float),
        offset=0,
        starts=review_period_days,
    )
    quantile = np.full(len(series), np.nan)
    intermittent = series["intermittent"].to_numpy(bool)
    if intermittent.any():
        quantile[intermittent] = empirical_protection_quantile(
            history,
            series.loc[intermittent, [*SERIES_KEYS, "supplier_id"]].assign(
                service_level=series.loc[intermittent, "service_level_target"].to_numpy()
            ),
            lead_samples,
            review_period_days,
        ).to_numpy()
    risk_frame = series[SERIES_KEYS].assign(
        sigma_protection=np.where(risk.sigma_protection > 0, risk.sigma_protection, np.nan),
        demand_z=risk.demand_z,
        lead_z=lead_time_z(lead_samples, series["service_level_target"].to_numpy(float)),
        empirical_quantile=quantile,
    )
    cls = series[[*SERIES_KEYS, "service_class", "service_level_target", "intermittent"]]
    return PolicyInputs(cls, risk_frame)
