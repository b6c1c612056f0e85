"""ABC/XYZ classes of SKU x DC series and the service level each class is planned for.

* ABC ranks series by the value they move (units x unit cost over the look-back window): the
  series making up the first 80% of value are A, the next 15% B, the rest C. Value decides how
  much a stock-out costs the business, so A items get the highest targets.
* XYZ grades demand variability by the coefficient of variation of weekly demand: X below 0.5
  (steady), Y below 1.0, Z from 1.0 (erratic). Erratic items are expensive to protect, so their
  targets are a little lower.
* ``intermittent`` marks series with demand on fewer than ``INTERMITTENT_MIN_SHARE`` of days
  (average demand interval above ~1.4 days, Syntetos-Boylan's cut-off of 1.32 rounded): the
  normal approximation of protection-period demand does not hold for them, so the policy uses
  empirical quantiles instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from supplymesh.planning.frames import SERIES_KEYS
from supplymesh.planning_settings import SERVICE_CLASSES, PlanningSettings

ABC_CUTS = (0.80, 0.95)
XYZ_CUTS = (0.5, 1.0)
INTERMITTENT_MIN_SHARE = 0.7  # share of days with demand below which a series is intermittent
CLASS_COLUMNS = [*SERIES_KEYS, "abc", "xyz", "service_class", "intermittent", "value", "weekly_cv"]


@dataclass(frozen=True)
class ServiceTargets:
    """Cycle service-level target per ABC/XYZ class (``inventory.service_targets``)."""

    targets: dict[str, float]

    @classmethod
    def from_settings(cls, settings: PlanningSettings) -> ServiceTargets:
        return cls(settings.service_targets())

    def __post_init__(self) -> None:
        missing = set(SERVICE_CLASSES) - set(self.targets)
        if missing:
            raise ValueError(f"service targets missing classes {sorted(missing)}")
        bad = {k: v for k, v in self.targets.items() if not 0.5 <= v < 1.0}
        if bad:
            raise ValueError(f"service targets must be in [0.5, 1): {bad}")

    def of(self, service_class: pd.Series) -> pd.Series:
        return service_class.map(self.targets).astype(float)


def classify_series(
    history: pd.DataFrame, unit_cost: pd.DataFrame, lookback_days: int = 182
) -> pd.DataFrame:
    """ABC, XYZ and intermittency per series from the last ``lookback_days`` of ``history``.

    ``history``: sku, location_id, demand_date, units_sold (stock-out days count as recorded);
    ``unit_cost``: sku, unit_cost. Returns ``CLASS_COLUMNS``, one row per series.
    """
    dates = pd.to_datetime(history["demand_date"])
    recent = history.loc[dates > dates.max() - pd.Timedelta(days=lookback_days)].copy()
    recent["demand_date"] = pd.to_datetime(recent["demand_date"])
    recent["units_sold"] = recent["units_sold"].fillna(0.0).astype(float)
    per = recent.groupby(SERIES_KEYS).agg(
        units=("units_sold", "sum"),
        days=("units_sold", "size"),
        demand_days=("units_sold", lambda s: float((s > 0).sum())),
    )
    weekly = (
        recent.assign(week=recent["demand_date"].dt.to_period("W"))
        .groupby([*SERIES_KEYS, "week"])["units_sold"]
        .sum()
    )
    stats = weekly.groupby(level=[0, 1]).agg(["mean", "std"])
    per["weekly_cv"] = (stats["std"] / stats["mean"].where(stats["mean"] > 0)).fillna(np.inf)
    per = per.reset_index().merge(
        unit_cost[["sku", "unit_cost"]].drop_duplicates("sku").astype({"sku": str}),
        on="sku",
        how="left",
    )
    per["value"] = per["units"] * per["unit_cost"].fillna(0.0)
    per = per.sort_values(["value", *SERIES_KEYS], ascending=[False, True, True], kind="stable")
    total = per["value"].sum()
    share_before = (per["value"].cumsum() - per["value"]) / total if total > 0 else 0.0
    per["abc"] = np.where(
        share_before < ABC_CUTS[0], "A", np.where(share_before < ABC_CUTS[1], "B", "C")
    )
    per["xyz"] = np.where(
        per["weekly_cv"] < XYZ_CUTS[0], "X", np.where(per["weekly_cv"] < XYZ_CUTS[1], "Y", "Z")
    )
    per["service_class"] = per["abc"] + per["xyz"]
    per["intermittent"] = (per["demand_days"] / per["days"]) < INTERMITTENT_MIN_SHARE
    per["weekly_cv"] = per["weekly_cv"].replace(np.inf, np.nan)
    return per[CLASS_COLUMNS].sort_values(SERIES_KEYS, kind="stable").reset_index(drop=True)
