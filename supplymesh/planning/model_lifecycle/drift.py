"""Drift monitoring: are today's inputs and demand still like what the model was trained on?

Two standard measures, each against the champion's *training reference* (a sample of its
training rows stored with the model):

* Population Stability Index over ten quantile bins of the reference:
  ``sum (cur% - ref%) * ln(cur% / ref%)``; below 0.1 stable, 0.1-0.25 moderate, above 0.25 a
  major shift (the industry's rule of thumb, used as the default bound).
* Kolmogorov-Smirnov statistic (largest gap between the two distributions), with its p-value for
  reference; on thousands of rows any gap is "significant", so the bound is on the statistic.

A feature drifts when its PSI and its KS statistic both exceed their bounds and the KS test is
significant (p below ``max_pvalue``): one measure alone is often a binning artefact or a shift
too small to matter, and a few dozen distinct values (a small network's horizon) can show large
statistics by chance. Feature drift compares the rows being forecast
now with the reference; target drift compares the latest actuals with the reference demand.
Calendar columns are left out: the next four weeks never look like a whole year's calendar.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import ks_2samp

from supplymesh.planning_settings import PlanningSettings

EPS = 1e-4
MONITORED_PREFIXES = (
    "lag_",
    "rolling_",
    "recent_mean_",
    "discount_pct",
    "price_ratio",
    "unit_price",
    "list_price",
)


@dataclass(frozen=True)
class DriftConfig:
    """Bounds of the drift checks (``from_settings``: the run's planning settings)."""

    max_psi: float
    max_ks: float
    max_pvalue: float = 0.01
    bins: int = 10
    reference_rows: int = 20_000

    @classmethod
    def from_settings(cls, settings: PlanningSettings) -> DriftConfig:
        return cls(max_psi=settings.forecast.drift_max_psi, max_ks=settings.forecast.drift_max_ks)


@dataclass
class DriftReport:
    """PSI and KS per column and the verdict."""

    table: pd.DataFrame  # column, psi, ks, ks_pvalue, drifted
    config: DriftConfig
    drifted: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.drifted

    @property
    def bounds(self) -> str:
        """The drift rule in one line, for a reader of the check."""
        c = self.config
        return f"drift = PSI > {c.max_psi:g}, KS > {c.max_ks:g}, p < {c.max_pvalue:g}"

    def describe(self) -> str:
        """Which columns drifted and by how much, against which bounds."""
        table = self.table
        if not len(table):
            return "no monitored column to compare"
        if self.passed:
            return f"none of {len(table)} monitored columns drifted ({self.bounds})"
        rows = table.set_index("column").loc[self.drifted]
        drifted = ", ".join(
            f"{column} (PSI {row.psi:.3f}, KS {row.ks:.3f})" for column, row in rows.iterrows()
        )
        return f"{len(rows)} of {len(table)} monitored columns drifted: {drifted} ({self.bounds})"


def psi(reference: np.ndarray, current: np.ndarray, bins: int = 10) -> float:
    """Population Stability Index of ``current`` against ``reference`` (quantile bins)."""
    ref = np.asarray(reference, dtype=float)
    cur = np.asarray(current, dtype=float)
    ref, cur = ref[np.isfinite(ref)], cur[np.isfinite(cur)]
    if ref.size == 0 or cur.size == 0:
        return float("nan")
    edges = np.unique(np.quantile(ref, np.linspace(0, 1, bins + 1)))
    if edges.size < 2:  # a constant reference: all mass in one bin
        return 0.0 if np.allclose(cur, ref[0]) else float("inf")
    edges[0], edges[-1] = -np.inf, np.inf
    ref_share = np.histogram(ref, edges)[0] / ref.size
    cur_share = np.histogram(cur, edges)[0] / cur.size
    ref_share, cur_share = np.clip(ref_share, EPS, None), np.clip(cur_share, EPS, None)
    return float(np.sum((cur_share - ref_share) * np.log(cur_share / ref_share)))


def monitored_columns(columns: list[str]) -> list[str]:
    return [c for c in columns if c.startswith(MONITORED_PREFIXES)]


def reference_sample(rows: pd.DataFrame, columns: list[str], n: int, seed: int = 0) -> pd.DataFrame:
    """A fixed-seed sample of training rows (the monitored columns and units_sold)."""
    keep = [c for c in [*columns, "units_sold"] if c in rows.columns]
    sample = rows[keep]
    if len(sample) > n:
        sample = sample.sample(n=n, random_state=seed)
    return sample.reset_index(drop=True)


PER_SERIES_PREFIXES = ("recent_mean_",)  # one value per series over a whole horizon


def compare(
    reference: pd.DataFrame, current: pd.DataFrame, columns: list[str], config: DriftConfig
) -> DriftReport:
    """PSI and KS of each column present in both frames. A column measured from the forecast
    origin holds one value per series across the horizon, so it is compared once per series
    (28 copies of a value are not 28 observations, and would make any gap "significant")."""
    records = []
    keys = [c for c in ("sku", "location_id") if c in current.columns]
    for col in columns:
        if col not in reference.columns or col not in current.columns:
            continue
        rows = current
        if keys and col.startswith(PER_SERIES_PREFIXES):
            rows = current.drop_duplicates(keys)
        ref = pd.to_numeric(reference[col], errors="coerce").dropna().to_numpy(float)
        cur = pd.to_numeric(rows[col], errors="coerce").dropna().to_numpy(float)
        if ref.size == 0 or cur.size == 0:
            continue
        ks = ks_2samp(ref, cur)
        value = psi(ref, cur, config.bins)
        records.append(
            {
                "column": col,
                "psi": value,
                "ks": float(ks.statistic),
                "ks_pvalue": float(ks.pvalue),
                "drifted": bool(
                    value > config.max_psi
                    and ks.statistic > config.max_ks
                    and ks.pvalue < config.max_pvalue
                ),
            }
        )
    table = pd.DataFrame(records, columns=["column", "psi", "ks", "ks_pvalue", "drifted"])
    return DriftReport(table, config, table.loc[table["drifted"], "column"].tolist())


def feature_drift(
    reference: pd.DataFrame, scoring_rows: pd.DataFrame, config: DriftConfig
) -> DriftReport:
    """Monitored inputs of the rows being forecast against the training reference."""
    return compare(reference, scoring_rows, monitored_columns(list(reference.columns)), config)


def target_drift(
    reference: pd.DataFrame, recent_actuals: pd.DataFrame, config: DriftConfig
) -> DriftReport:
    """Recent units sold against the reference's units sold."""
    return compare(reference, recent_actuals, ["units_sold"], config)
