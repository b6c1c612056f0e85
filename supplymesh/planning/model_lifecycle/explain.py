"""Which inputs the demand model leans on: permutation importance, grouped.

Permuting one lag column alone says little: the other lags and rolling means carry nearly the
same information, so the model barely notices and every lag looks unimportant. Correlated inputs
are therefore permuted *together* (one row shuffle applied to every column of a group), and the
importance of a group is how much the held-out mean absolute error grows when the group is
scrambled, averaged over ``n_repeats`` shuffles. Groups: the demand history (lags, rolling
statistics, recent levels and the per-series levels), calendar, holidays, promotion and price,
and the identity columns; any other input stands alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from supplymesh.planning.forecasting.model import LEVEL_FEATURES, DemandModel

GROUPS: dict[str, tuple[str, ...]] = {
    "demand history (lags, rolling, recent, levels)": (
        "lag_",
        "rolling_",
        "recent_mean_",
        "last_season_ratio",
        *LEVEL_FEATURES,
    ),
    "forecast step": ("step",),
    "calendar": ("day_of_week", "day_of_month", "day_of_year", "week_of_year", "month"),
    "holidays": ("is_holiday", "days_to_holiday", "days_after_holiday"),
    "promotion and price": ("is_promo", "discount_pct", "list_price", "unit_price", "price_ratio"),
    "identity (sku, location, category, region)": ("sku", "location_id", "category", "region"),
}


def feature_groups(feature_names: list[str]) -> dict[str, list[str]]:
    """Each model input in its group (prefix match); ungrouped inputs form their own group."""
    out: dict[str, list[str]] = {}
    for name in feature_names:
        group = next(
            (g for g, members in GROUPS.items() if any(name.startswith(m) for m in members)),
            name,
        )
        out.setdefault(group, []).append(name)
    return out


def grouped_permutation_importance(
    model: DemandModel,
    rows: pd.DataFrame,
    n_repeats: int = 3,
    max_rows: int = 20_000,
    seed: int = 0,
) -> pd.DataFrame:
    """Increase in mean absolute error of P50 when each feature group is shuffled.

    ``rows``: held-out rows with origin features and ``units_sold`` (stock-out rows should be
    left out by the caller). Returns group, features, mae_increase, mae_increase_std and
    relative (share of the baseline MAE), largest first.
    """
    rng = np.random.default_rng(seed)
    data = rows.dropna(subset=["units_sold"])
    if len(data) > max_rows:
        data = data.iloc[np.sort(rng.choice(len(data), max_rows, replace=False))]
    x = model.design_matrix(data)
    base = model.base(data)
    y = data["units_sold"].to_numpy(dtype=float)
    baseline = float(np.mean(np.abs(model.predict_p50(x, base) - y)))
    records = []
    for group, columns in feature_groups(list(x.columns)).items():
        increases = []
        for _ in range(n_repeats):
            shuffled = x.copy()
            order = rng.permutation(len(x))
            for col in columns:
                shuffled[col] = x[col].to_numpy()[order]
            # the level offset is part of the demand history: scramble it with its group
            scrambled_base = base[order] if group.startswith("demand history") else base
            pred = model.predict_p50(shuffled, scrambled_base)
            increases.append(float(np.mean(np.abs(pred - y))) - baseline)
        records.append(
            {
                "group": group,
                "features": ", ".join(columns),
                "mae_increase": float(np.mean(increases)),
                "mae_increase_std": float(np.std(increases)),
                "relative": float(np.mean(increases)) / baseline if baseline > 0 else np.nan,
            }
        )
    out = pd.DataFrame(records).sort_values("mae_increase", ascending=False)
    return out.reset_index(drop=True)
