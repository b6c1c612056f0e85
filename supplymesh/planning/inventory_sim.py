"""Day-by-day simulation of a replenishment rule on held-out demand, to prove the policy.

The backtest leaves a run of consecutive held-out windows, each forecast from its own origin by a
model fitted only on data before it. The simulation replays those days for every series:

* demand is the recorded demand of each held-out day; unmet demand is backordered (served at the
  next receipt), so a stock-out shows as negative net inventory;
* every ``R`` days (at each origin and every review period after it) the rule sees the inventory
  position (net inventory plus open orders) and orders whole cases, at least the MOQ;
* each order becomes sellable after a lead time drawn at random from the purchase orders actually
  received in the held-out period for that supplier and DC (handling days included); each seed
  draws a different sequence;
* the policy at each review uses only what was known then: the forecast of the latest origin,
  forecast errors of earlier windows, lead-time statistics of receipts before the first
  measured origin and classes from history before it. The first window is warm-up.

Measured after warm-up, per service class and pooled over seeds:

* cycle service level: share of replenishment cycles without a stock-out, a cycle ending at a
  receipt; it had a stock-out when net inventory at the end of the day before that receipt was
  negative (with backorders, net inventory is lowest just before a receipt);
* fill rate: share of demanded units served from stock on the day;
* average on-hand: mean over days of the units (and their value) on the shelf.

A naive "k weeks of cover" rule (order up to k weeks of the trailing four weeks' average sales,
same review, cases and MOQ) is tuned per class by bisection on ``k`` to reach the same cycle
service level the policy achieved, and the average inventory of both is compared.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from supplymesh.planning._frames import SERIES_KEYS
from supplymesh.planning.classification import ServiceTargets, classify_series
from supplymesh.planning.demand_risk import demand_risk, error_panel
from supplymesh.planning.inventory import (
    order_quantities,
    protection_days,
    replenishment_levels,
)
from supplymesh.planning.inventory_risk import (
    PAIR_KEYS,
    empirical_protection_quantile,
    lead_time_stats,
)

COVER_WEEKS_RANGE = (0.2, 16.0)
MIN_CLASS_CYCLES = 100  # a class with fewer measured cycles has no meaningful service level
BISECTION_STEPS = 14
MIN_HELD_OUT_LEADS = 5  # fewer held-out receipts on a pair than this and all of them are used

# a rule sees (review index, position per series) and returns (reorder point, order-up-to)
Rule = Callable[[int, np.ndarray], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class SimulationConfig:
    """How the held-out replay runs."""

    review_period_days: int = 7
    seeds: tuple[int, ...] = (0, 1, 2, 3, 4)
    targets: ServiceTargets = field(default_factory=ServiceTargets)
    trailing_days: int = 28  # window of the weeks-of-cover rule's average sales
    # windows replayed before measuring: the policy calibrates its buffers on earlier windows'
    # errors, and needs two of them to calibrate out of sample (one is left out at a time)
    warmup_windows: int = 2


@dataclass
class SimulationData:
    """Everything the replay needs, aligned on one series order and one day axis."""

    series: pd.DataFrame  # sku, location_id, supplier_id, unit_cost, case_pack, min_order_qty,
    # service_class, service_level_target, intermittent
    days: pd.DatetimeIndex  # simulated days (all held-out windows)
    demand: np.ndarray  # (n_series, n_days) recorded demand
    review_days: np.ndarray  # day index at whose end each review happens (-1: the start)
    measure_from: int  # first day index whose receipts are measured
    lead_draws: list[np.ndarray]  # per series: held-out lead times to draw from
    trailing_sales: np.ndarray  # (n_series, n_reviews) mean daily sales over the trailing window
    policy_levels: tuple[np.ndarray, np.ndarray]  # (n_series, n_reviews) reorder pt, order-up-to
    policy_inputs: dict[str, np.ndarray] = field(default_factory=dict)  # rate, sigma per review


@dataclass
class RunResult:
    """Outcome of one rule over all seeds, per series (pooled over seeds)."""

    cycles: np.ndarray
    stockout_cycles: np.ndarray
    demand: np.ndarray
    served: np.ndarray
    on_hand_units: np.ndarray  # mean over measured days and seeds
    on_hand_value: np.ndarray


def simulate(data: SimulationData, rule: Rule, seeds: tuple[int, ...]) -> RunResult:
    """Replay the held-out days under ``rule`` once per seed."""
    s = data.series
    n, n_days = data.demand.shape
    case = s["case_pack"].to_numpy(float)
    moq = s["min_order_qty"].to_numpy(float)
    cost = s["unit_cost"].to_numpy(float)
    max_lead = max((int(x.max()) for x in data.lead_draws if x.size), default=30)
    reviews = {int(d): j for j, d in enumerate(data.review_days) if d >= 0}
    totals = {k: np.zeros(n) for k in ("cycles", "stockouts", "demand", "served", "units")}
    measured_days = max(n_days - data.measure_from, 1)
    for seed in seeds:
        rng = np.random.default_rng(seed)
        _, first_target = rule(0, np.zeros(n))
        net = np.ceil(first_target)  # start each series at its first order-up-to level
        on_order = np.zeros(n)
        arrivals = np.zeros((n, n_days + max_lead + 2))
        for t in range(n_days):
            receiving = arrivals[:, t] > 0
            if t >= data.measure_from:
                totals["cycles"] += receiving
                totals["stockouts"] += receiving & (net < 0)
            net = net + arrivals[:, t]
            on_order -= arrivals[:, t]
            want = data.demand[:, t]
            served = np.minimum(want, np.maximum(net, 0.0))
            net = net - want
            if t >= data.measure_from:
                totals["demand"] += want
                totals["served"] += served
                totals["units"] += np.maximum(net, 0.0)
            j = reviews.get(t)
            if j is None:
                continue
            position = net + on_order
            reorder_point, order_up_to = rule(j, position)
            qty = order_quantities(position, reorder_point, order_up_to, case, moq)
            ordering = np.flatnonzero(qty > 0)
            for i in ordering:
                draws = data.lead_draws[i]
                lead = int(draws[rng.integers(draws.size)]) if draws.size else 14
                arrivals[i, min(t + max(lead, 1), arrivals.shape[1] - 1)] += qty[i]
            on_order += qty
    k = len(seeds)
    return RunResult(
        cycles=totals["cycles"],
        stockout_cycles=totals["stockouts"],
        demand=totals["demand"],
        served=totals["served"],
        on_hand_units=totals["units"] / (measured_days * k),
        on_hand_value=totals["units"] * cost / (measured_days * k),
    )


def policy_rule(data: SimulationData) -> Rule:
    """The planned policy: levels precomputed per review from what was known at the time."""
    reorder_point, order_up_to = data.policy_levels

    def rule(j: int, _position: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return reorder_point[:, j], order_up_to[:, j]

    return rule


def cover_rule(data: SimulationData, weeks: np.ndarray) -> Rule:
    """Order up to ``weeks`` x 7 days of the trailing average sales, every review."""

    def rule(j: int, _position: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        level = weeks * 7.0 * data.trailing_sales[:, j]
        return level, level

    return rule


def class_summary(data: SimulationData, result: RunResult) -> pd.DataFrame:
    """Cycle service level, fill rate and average on-hand per service class (and overall)."""
    frame = data.series[["service_class", "service_level_target"]].assign(
        cycles=result.cycles,
        stockouts=result.stockout_cycles,
        demand=result.demand,
        served=result.served,
        on_hand_units=result.on_hand_units,
        on_hand_value=result.on_hand_value,
        n_series=1,
    )
    agg = frame.groupby("service_class").agg(
        target=("service_level_target", "first"),
        n_series=("n_series", "sum"),
        cycles=("cycles", "sum"),
        stockouts=("stockouts", "sum"),
        demand=("demand", "sum"),
        served=("served", "sum"),
        on_hand_units=("on_hand_units", "sum"),
        on_hand_value=("on_hand_value", "sum"),
    )
    total = agg.sum(numeric_only=True)
    total["target"] = float(np.average(agg["target"], weights=agg["cycles"].clip(lower=1)))
    agg.loc["all"] = total
    agg["cycle_service_level"] = 1.0 - agg["stockouts"] / agg["cycles"].where(agg["cycles"] > 0)
    agg["fill_rate"] = agg["served"] / agg["demand"].where(agg["demand"] > 0)
    return agg.reset_index()


def tune_cover_weeks(
    data: SimulationData, wanted: pd.Series, seeds: tuple[int, ...]
) -> tuple[np.ndarray, RunResult]:
    """Weeks of cover per class whose simulated cycle service level reaches ``wanted``
    (service_class -> level), by bisection on all classes at once."""
    classes = data.series["service_class"].to_numpy()
    names = sorted(set(classes))
    lo = dict.fromkeys(names, COVER_WEEKS_RANGE[0])
    hi = dict.fromkeys(names, COVER_WEEKS_RANGE[1])
    overall = float(np.nanmean(list(wanted.values))) if len(wanted) else 0.95
    wanted = {c: (v if np.isfinite(v) else overall) for c, v in wanted.items()}
    for _ in range(BISECTION_STEPS):
        mid = {c: (lo[c] + hi[c]) / 2 for c in names}
        result = simulate(data, cover_rule(data, np.array([mid[c] for c in classes])), seeds)
        summary = class_summary(data, result).set_index("service_class")
        for c in names:
            achieved = summary.at[c, "cycle_service_level"]
            if not np.isfinite(achieved) or achieved >= wanted.get(c, 0.0):
                hi[c] = mid[c]
            else:
                lo[c] = mid[c]
    weeks = np.array([hi[c] for c in classes])
    return weeks, simulate(data, cover_rule(data, weeks), seeds)


@dataclass
class InventoryEvaluation:
    """The policy and the tuned weeks-of-cover rule on the same held-out days."""

    policy: pd.DataFrame  # class_summary of the policy
    cover: pd.DataFrame  # class_summary of the weeks-of-cover rule
    cover_weeks: dict[str, float]
    measured_days: int
    n_series: int
    seeds: tuple[int, ...]

    def comparison(self) -> pd.DataFrame:
        """One row per class: target, achieved CSL and fill rate of both, inventory saving."""
        p = self.policy.set_index("service_class")
        c = self.cover.set_index("service_class")
        out = pd.DataFrame(
            {
                "target": p["target"],
                "n_series": p["n_series"].astype(int),
                "cycles": p["cycles"].astype(int),
                "policy_csl": p["cycle_service_level"],
                "policy_fill_rate": p["fill_rate"],
                "policy_on_hand_value": p["on_hand_value"],
                "policy_on_hand_units": p["on_hand_units"],
                "cover_weeks": pd.Series(self.cover_weeks),
                "cover_csl": c["cycle_service_level"],
                "cover_fill_rate": c["fill_rate"],
                "cover_on_hand_value": c["on_hand_value"],
                "cover_on_hand_units": c["on_hand_units"],
            }
        )
        out["csl_gap_points"] = 100.0 * (out["policy_csl"] - out["target"])
        out["inventory_saving"] = 1.0 - out["policy_on_hand_value"] / out["cover_on_hand_value"]
        out.index.name = "service_class"
        return out.reset_index()

    def headline(self) -> dict[str, float | int | bool]:
        comp = self.comparison().set_index("service_class")
        classes = comp.drop(index="all")
        classes = classes[classes["cycles"] >= MIN_CLASS_CYCLES]
        allrow = comp.loc["all"]
        worst = classes["csl_gap_points"].abs()
        return {
            "measured_days": self.measured_days,
            "n_series": self.n_series,
            "seeds": len(self.seeds),
            "policy_csl": float(allrow["policy_csl"]),
            "policy_fill_rate": float(allrow["policy_fill_rate"]),
            "cover_csl": float(allrow["cover_csl"]),
            "max_abs_csl_gap_points": float(worst.max()),
            "classes_within_1_5_points": int((worst <= 1.5).sum()),
            "n_classes": len(classes),
            "classes_too_small": sorted(
                set(comp.drop(index="all").index) - set(classes.index)
            ),
            "policy_on_hand_value": float(allrow["policy_on_hand_value"]),
            "cover_on_hand_value": float(allrow["cover_on_hand_value"]),
            "inventory_saving": float(allrow["inventory_saving"]),
            "inventory_saving_units": float(
                1.0 - allrow["policy_on_hand_units"] / allrow["cover_on_hand_units"]
            ),
        }


def _series_table(
    predictions: pd.DataFrame, items: pd.DataFrame, classes: pd.DataFrame, targets: ServiceTargets
) -> pd.DataFrame:
    keys = predictions[SERIES_KEYS].drop_duplicates()
    cols = [*SERIES_KEYS, "supplier_id", "unit_cost", "case_pack", "min_order_qty"]
    series = keys.merge(items[cols].astype({"sku": str, "location_id": str}), on=SERIES_KEYS)
    series = series.merge(classes, on=SERIES_KEYS, how="left")
    series["service_class"] = series["service_class"].fillna("CZ")
    series["service_level_target"] = targets.of(series["service_class"])
    series["intermittent"] = series["intermittent"].fillna(False).astype(bool)
    series["unit_cost"] = series["unit_cost"].fillna(0.0)
    series["case_pack"] = series["case_pack"].fillna(1).clip(lower=1)
    series["min_order_qty"] = series["min_order_qty"].fillna(0)
    return series.sort_values(SERIES_KEYS, kind="stable").reset_index(drop=True)


def _lead_draws(
    series: pd.DataFrame, samples: pd.DataFrame, held_out_from: pd.Timestamp
) -> list[np.ndarray]:
    held = samples[pd.to_datetime(samples["order_date"]) > held_out_from]
    by_pair_held = {k: g["lead_days"].to_numpy(float) for k, g in held.groupby(PAIR_KEYS)}
    by_pair_all = {k: g["lead_days"].to_numpy(float) for k, g in samples.groupby(PAIR_KEYS)}
    out = []
    for row in series.itertuples(index=False):
        key = (row.supplier_id, row.location_id)
        draws = by_pair_held.get(key, np.array([]))
        if draws.size < MIN_HELD_OUT_LEADS:
            draws = by_pair_all.get(key, np.array([14.0]))
        out.append(np.rint(draws).astype(int))
    return out


def prepare_simulation(
    predictions: pd.DataFrame,
    history: pd.DataFrame,
    items: pd.DataFrame,
    lead_samples: pd.DataFrame,
    config: SimulationConfig,
) -> SimulationData:
    """Align the backtest windows, history, items and lead times, and precompute the policy's
    levels at every review from the information available at that review.

    ``predictions``: the backtest's origin, sku, location_id, demand_date, step, actual, p50;
    ``history``: sku, location_id, demand_date, units_sold (all history); ``items``: sku,
    location_id, supplier_id, unit_cost, case_pack, min_order_qty; ``lead_samples``:
    supplier_id, location_id, order_date, receipt_date, lead_days (handling included).
    """
    pred = predictions.copy()
    pred["demand_date"] = pd.to_datetime(pred["demand_date"])
    pred["origin"] = pd.to_datetime(pred["origin"])
    origins = sorted(pred["origin"].unique())
    if len(origins) <= config.warmup_windows:
        raise ValueError(
            f"the simulation needs more than {config.warmup_windows} backtest origins "
            f"(warm-up windows), got {len(origins)}"
        )
    hist = history[[*SERIES_KEYS, "demand_date", "units_sold"]].copy()
    hist["demand_date"] = pd.to_datetime(hist["demand_date"])
    measured_origin = pd.Timestamp(origins[config.warmup_windows])
    before = hist[hist["demand_date"] <= measured_origin]
    costs = items[["sku", "unit_cost"]].drop_duplicates("sku").astype({"sku": str})
    classes = classify_series(before, costs)
    series = _series_table(pred, items, classes, config.targets)
    keys = pd.MultiIndex.from_frame(series[SERIES_KEYS])
    days = pd.date_range(pd.Timestamp(origins[0]) + pd.Timedelta(days=1), pred["demand_date"].max())
    actual = pred.pivot_table(index=SERIES_KEYS, columns="demand_date", values="actual")
    demand = actual.reindex(index=keys, columns=days).fillna(0.0).to_numpy(float)
    r = config.review_period_days
    n_reviews = (len(days) - 1) // r + 1
    # review j happens at the end of day index j * R - 1; review 0 (index -1) is the first
    # origin itself, which sets the starting stock
    review_days = np.arange(n_reviews) * r - 1
    review_dates = [
        pd.Timestamp(origins[0]) + pd.Timedelta(days=int(j * r)) for j in range(n_reviews)
    ]
    stats_samples = lead_samples[pd.to_datetime(lead_samples["receipt_date"]) <= measured_origin]
    stats = lead_time_stats(stats_samples if len(stats_samples) else lead_samples)
    levels, inputs = _policy_levels_per_review(
        pred, hist, series, stats, lead_samples, review_dates, config, keys
    )
    trailing = _trailing_sales(hist, keys, review_dates, config.trailing_days)
    return SimulationData(
        series=series,
        days=days,
        demand=demand,
        review_days=review_days,
        measure_from=int((measured_origin - days[0]).days) + 1 + r,
        lead_draws=_lead_draws(series, lead_samples, pd.Timestamp(origins[0])),
        trailing_sales=trailing,
        policy_levels=levels,
        policy_inputs=inputs,
    )


def _trailing_sales(
    hist: pd.DataFrame, keys: pd.MultiIndex, review_dates: list[pd.Timestamp], window: int
) -> np.ndarray:
    wide = hist.pivot_table(index=SERIES_KEYS, columns="demand_date", values="units_sold")
    wide = wide.reindex(index=keys).fillna(0.0)
    cols = wide.columns
    out = np.zeros((len(keys), len(review_dates)))
    for j, date in enumerate(review_dates):
        sel = (cols <= date) & (cols > date - pd.Timedelta(days=window))
        out[:, j] = wide.loc[:, sel].to_numpy(float).mean(axis=1) if sel.any() else 0.0
    return out


def _policy_levels_per_review(
    pred: pd.DataFrame,
    hist: pd.DataFrame,
    series: pd.DataFrame,
    stats: pd.DataFrame,
    lead_samples: pd.DataFrame,
    review_dates: list[pd.Timestamp],
    config: SimulationConfig,
    keys: pd.MultiIndex,
) -> tuple[tuple[np.ndarray, np.ndarray], dict[str, np.ndarray]]:
    """Reorder point and order-up-to per series and review, from data known at each review:
    the latest origin's forecast, its errors measured for a forecast of the same age on the
    windows (and days) before the review, empirical quantiles of history up to the origin."""
    r = float(config.review_period_days)
    frame = series.merge(stats, on=PAIR_KEYS, how="left")
    frame["lead_time_mean_days"] = frame["lead_time_mean_days"].fillna(14.0)
    frame["lead_time_std_days"] = frame["lead_time_std_days"].fillna(0.25 * 14.0)
    days = protection_days(frame["lead_time_mean_days"], r)
    panel = error_panel(pred, series[SERIES_KEYS])
    origins = panel.origins
    p50 = pred.pivot_table(index=SERIES_KEYS, columns="demand_date", values="p50")
    p50 = p50.reindex(index=keys).fillna(0.0)
    reorder = np.zeros((len(series), len(review_dates)))
    up_to = np.zeros_like(reorder)
    inputs = {k: np.zeros_like(reorder) for k in ("rate", "sigma", "protection_days", "z")}
    quantiles: dict[pd.Timestamp, np.ndarray] = {}
    classes = series["service_class"].to_numpy()
    targets = series["service_level_target"].to_numpy(float)
    for j, date in enumerate(review_dates):
        origin = max(o for o in origins if o <= date)
        window_end = origin + pd.Timedelta(days=panel.horizon)
        frame["mean_daily_demand"] = _forecast_rate(p50, date, window_end, pd.Series(days))
        offset = int((date - origin).days)
        risk = demand_risk(panel, days, classes, targets, offset=offset, starts=int(r), cutoff=date)
        if not np.any(risk.sigma_protection > 0):  # nothing measured yet: Poisson, normal z
            risk.sigma_protection = np.sqrt(frame["mean_daily_demand"].clip(lower=0.0) * days)
        if origin not in quantiles:
            quantiles[origin] = _empirical_at(hist, series, lead_samples, origin, config)
        frame["sigma_protection"] = risk.sigma_protection
        frame["demand_z"] = risk.demand_z
        frame["empirical_quantile"] = quantiles[origin]
        levels = replenishment_levels(frame, r)
        reorder[:, j] = levels["reorder_point"].to_numpy()
        up_to[:, j] = levels["order_up_to"].to_numpy()
        inputs["rate"][:, j] = frame["mean_daily_demand"].to_numpy()
        inputs["sigma"][:, j] = risk.sigma_protection
        inputs["z"][:, j] = risk.demand_z
        inputs["protection_days"][:, j] = levels["protection_days"].to_numpy()
    return (reorder, up_to), inputs


def _forecast_rate(
    p50: pd.DataFrame, date: pd.Timestamp, window_end: pd.Timestamp, days: pd.Series
) -> np.ndarray:
    """Mean P50 per series over (date, date + days], within the latest origin's window."""
    cols = p50.columns
    values = p50.to_numpy(float)
    after = (cols > date) & (cols <= window_end)
    if not after.any():
        return values[:, cols <= window_end][:, -7:].mean(axis=1)
    idx = np.flatnonzero(after)
    csum = np.concatenate([np.zeros((len(values), 1)), np.cumsum(values[:, idx], axis=1)], axis=1)
    n = np.clip(np.ceil(days.to_numpy(float)).astype(int), 1, idx.size)
    return csum[np.arange(len(values)), n] / n


def _empirical_at(
    hist: pd.DataFrame,
    series: pd.DataFrame,
    lead_samples: pd.DataFrame,
    origin: pd.Timestamp,
    config: SimulationConfig,
) -> np.ndarray:
    """Empirical protection-period quantiles of the intermittent series, from history and
    receipts up to ``origin`` (NaN for the other series)."""
    intermittent = series["intermittent"].to_numpy(bool)
    quantile = np.full(len(series), np.nan)
    if intermittent.any():
        known = lead_samples[pd.to_datetime(lead_samples["receipt_date"]) <= origin]
        quantile[intermittent] = empirical_protection_quantile(
            hist[hist["demand_date"] <= origin],
            series.loc[intermittent, [*SERIES_KEYS, "supplier_id"]].assign(
                service_level=series.loc[intermittent, "service_level_target"].to_numpy()
            ),
            known if len(known) else lead_samples,
            config.review_period_days,
        ).to_numpy()
    return quantile


def evaluate_policy(data: SimulationData, config: SimulationConfig) -> InventoryEvaluation:
    """Simulate the policy, tune weeks of cover to its achieved service per class, compare."""
    policy = simulate(data, policy_rule(data), config.seeds)
    policy_summary = class_summary(data, policy)
    wanted = policy_summary.set_index("service_class")["cycle_service_level"].drop("all")
    weeks, cover = tune_cover_weeks(data, wanted, config.seeds)
    classes = data.series["service_class"].to_numpy()
    cover_weeks = {c: float(weeks[classes == c][0]) for c in sorted(set(classes))}
    return InventoryEvaluation(
        policy=policy_summary,
        cover=class_summary(data, cover),
        cover_weeks=cover_weeks,
        measured_days=len(data.days) - data.measure_from,
        n_series=len(data.series),
        seeds=config.seeds,
    )
