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
* the policy at each review uses only what was known then (``inventory_sim_inputs``): the
  forecast of the latest origin, forecast errors of earlier windows, lead-time statistics of
  receipts before the first measured origin and classes from history before it. The first
  ``warmup_windows`` windows are warm-up: the policy calibrates on them.

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

from supplymesh.planning.inventory.classification import ServiceTargets
from supplymesh.planning.inventory.lead_times import DEFAULT_LEAD_TIME_DAYS
from supplymesh.planning.inventory.policy import order_quantities
from supplymesh.planning_settings import PlanningSettings

COVER_WEEKS_RANGE = (0.2, 16.0)
MIN_CLASS_CYCLES = 100  # a class with fewer measured cycles has no meaningful service level
BISECTION_STEPS = 14

# a rule sees (review index, position per series) and returns (reorder point, order-up-to)
Rule = Callable[[int, np.ndarray], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class SimulationConfig:
    """How the held-out replay runs (``from_settings``: the plan's planning settings)."""

    review_period_days: int
    seeds: tuple[int, ...]
    targets: ServiceTargets
    trailing_days: int = 28  # window of the weeks-of-cover rule's average sales
    # windows replayed before measuring: the policy calibrates its buffers on earlier windows'
    # errors, and needs two of them to calibrate out of sample (one is left out at a time)
    warmup_windows: int = 2

    @classmethod
    def from_settings(
        cls, settings: PlanningSettings, seeds: int | None = None
    ) -> SimulationConfig:
        """The review period and service targets of ``settings``, replayed over ``seeds``
        lead-time draws (default: ``evaluation.simulation_seeds``)."""
        n_seeds = settings.evaluation.simulation_seeds if seeds is None else seeds
        return cls(
            review_period_days=settings.inventory.review_period_days,
            seeds=tuple(range(n_seeds)),
            targets=ServiceTargets.from_settings(settings),
        )


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
                lead = (
                    int(draws[rng.integers(draws.size)])
                    if draws.size
                    else int(DEFAULT_LEAD_TIME_DAYS)
                )
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
    policy_result: RunResult  # the policy's replay, per series
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
            "classes_too_small": sorted(set(comp.drop(index="all").index) - set(classes.index)),
            "policy_on_hand_value": float(allrow["policy_on_hand_value"]),
            "cover_on_hand_value": float(allrow["cover_on_hand_value"]),
            "inventory_saving": float(allrow["inventory_saving"]),
            "inventory_saving_units": float(
                1.0 - allrow["policy_on_hand_units"] / allrow["cover_on_hand_units"]
            ),
        }


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
        policy_result=policy,
        cover=class_summary(data, cover),
        cover_weeks=cover_weeks,
        measured_days=len(data.days) - data.measure_from,
        n_series=len(data.series),
        seeds=config.seeds,
    )
