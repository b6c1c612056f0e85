"""What the demand model reads: the feature set of a demand frame, and how to build one.

Two sources feed the same model and the same backtest:

* the dbt mart ``fct_demand_features`` (daily, lags of 28 days and more, calendar, holidays,
  promotions and price), described by ``DAILY_MART``;
* any demand history a user brings (``item_id, location_id, date, quantity`` at a daily, weekly,
  monthly or quarterly grain), turned into the same kind of frame by ``history_features``: lags that look
  back at least the forecast horizon (so every feature is known over the whole horizon), rolling
  means ending at that lag, and the calendar of the grain.

A ``FeatureSpec`` names the columns and the seasonality (periods per season) the baselines and
MASE use. Periods are whole days, weeks, months or quarters; ``period_index`` numbers them so lags, seasonal
naive and MASE scales are plain integer arithmetic for every grain.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from supplymesh.planning.frames import SERIES_KEYS

FREQS = ("D", "W", "M", "Q")
SEASON = {"D": 7, "W": 52, "M": 12, "Q": 4}
# periods the moving-average baseline spans
MOVING_AVERAGE_WINDOW = {"D": 28, "W": 8, "M": 6, "Q": 4}
# origin-relative level windows (periods), and the one demand is learnt relative to: a week or a
# month is already an average, so at those grains the last period or two carry the level
RECENT_WINDOWS = {"D": (7, 28), "W": (1, 4, 13), "M": (1, 3, 6), "Q": (1, 2, 4)}
BASE_WINDOW = {"D": 28, "W": 4, "M": 3, "Q": 2}
HOLIDAY_WINDOW_DAYS = 7  # days before/after a holiday the proximity features count (then capped)

DAILY_CALENDAR = ["day_of_week", "day_of_month", "day_of_year", "week_of_year", "month"]
HOLIDAY_FEATURES = ["is_holiday", "days_to_holiday", "days_after_holiday"]
PRICE_FEATURES = ["is_promo", "discount_pct", "list_price", "unit_price", "price_ratio"]
DAILY_LAGS = [
    "lag_28",
    "lag_35",
    "lag_42",
    "lag_364",
    "rolling_mean_7_lag28",
    "rolling_mean_28_lag28",
    "rolling_std_28_lag28",
    "rolling_mean_91_lag28",
]
CATEGORICAL_FEATURES = ["sku", "location_id", "category", "region"]
INPUT_KEYS = ("item_id", "location_id", "date")  # the keys of a history's known-future inputs


@dataclass(frozen=True)
class FeatureSpec:
    """The columns the model reads from a demand frame, and the frame's grain."""

    freq: str
    calendar: tuple[str, ...]
    price: tuple[str, ...]
    lags: tuple[str, ...]
    categorical: tuple[str, ...] = tuple(CATEGORICAL_FEATURES)
    base: str | None = None  # the recent-level column demand is learnt relative to

    @property
    def season(self) -> int:
        return SEASON[self.freq]

    @property
    def recent(self) -> tuple[str, ...]:
        """Origin-relative columns ``add_origin_features`` derives (step and recent levels)."""
        windows = RECENT_WINDOWS[self.freq]
        return ("step", *(f"recent_mean_{w}" for w in windows), "last_season_ratio")

    @property
    def moving_average_window(self) -> int:
        return MOVING_AVERAGE_WINDOW[self.freq]

    @property
    def numeric(self) -> list[str]:
        return [*self.calendar, *self.price, *self.lags, *self.recent]

    @property
    def input_columns(self) -> list[str]:
        """Columns a frame must carry (holiday proximity and origin features are derived)."""
        derived = {"days_to_holiday", "days_after_holiday", *self.recent}
        base = [*SERIES_KEYS, "category", "region", "demand_date", "units_sold", "is_stockout"]
        return base + [c for c in self.numeric if c not in derived]


DAILY_MART = FeatureSpec(
    freq="D",
    calendar=(*DAILY_CALENDAR, *HOLIDAY_FEATURES),
    price=tuple(PRICE_FEATURES),
    lags=tuple(DAILY_LAGS),
    base="recent_mean_28",
)


def period_index(dates: pd.Series, freq: str) -> np.ndarray:
    """Whole periods since 1970-01-01 (days, weeks from a Monday, months or quarters) per date."""
    stamps = pd.to_datetime(dates)
    if freq == "D":
        return ((stamps - pd.Timestamp("1970-01-01")).dt.days).to_numpy(dtype=np.int64)
    if freq == "W":
        return ((stamps - pd.Timestamp("1969-12-29")).dt.days // 7).to_numpy(dtype=np.int64)
    if freq == "M":
        return (stamps.dt.year * 12 + stamps.dt.month - 1).to_numpy(dtype=np.int64)
    if freq == "Q":
        return (stamps.dt.year * 4 + (stamps.dt.month - 1) // 3).to_numpy(dtype=np.int64)
    raise ValueError(f"unknown frequency {freq!r}; choose one of {FREQS}")


def period_start(index: np.ndarray, freq: str) -> pd.DatetimeIndex:
    """The first day of each period number (inverse of ``period_index``)."""
    index = np.asarray(index, dtype=np.int64)
    if freq == "D":
        return pd.Timestamp("1970-01-01") + pd.to_timedelta(index, unit="D")
    if freq == "W":
        return pd.Timestamp("1969-12-29") + pd.to_timedelta(index * 7, unit="D")
    if freq == "M":
        return pd.DatetimeIndex(
            pd.to_datetime({"year": index // 12, "month": index % 12 + 1, "day": 1})
        )
    if freq == "Q":
        return pd.DatetimeIndex(
            pd.to_datetime({"year": index // 4, "month": index % 4 * 3 + 1, "day": 1})
        )
    raise ValueError(f"unknown frequency {freq!r}; choose one of {FREQS}")


def add_holiday_proximity(frame: pd.DataFrame) -> pd.DataFrame:
    """Days to the next and since the last holiday of each location's calendar, capped at a week.

    Stores stock up before a holiday and sell little on it; the mart marks the holiday itself, and
    these two columns let the model learn the days around it. Computed over the whole frame
    (history and horizon), which is safe because holidays are known in advance.
    """
    out = frame.copy()
    cap = float(HOLIDAY_WINDOW_DAYS + 1)
    if "is_holiday" not in out.columns:
        out["days_to_holiday"] = cap
        out["days_after_holiday"] = cap
        return out
    days = out[["location_id", "demand_date", "is_holiday"]].drop_duplicates(
        ["location_id", "demand_date"]
    )
    days = days.sort_values(["location_id", "demand_date"])
    day_no = (pd.to_datetime(days["demand_date"]) - pd.Timestamp("1970-01-01")).dt.days
    holiday_day = day_no.where(days["is_holiday"].fillna(False).astype(bool))
    by_loc = holiday_day.groupby(days["location_id"])
    next_h = by_loc.bfill()
    last_h = by_loc.ffill()
    days["days_to_holiday"] = (next_h - day_no).clip(upper=cap).fillna(cap).astype(float)
    days["days_after_holiday"] = (day_no - last_h).clip(upper=cap).fillna(cap).astype(float)
    # one row per location and day: join them to the key columns only, not the whole frame
    keys = out[["location_id", "demand_date"]]
    values = keys.merge(days.drop(columns="is_holiday"), on=list(keys.columns), how="left")
    out["days_to_holiday"] = values["days_to_holiday"].to_numpy()
    out["days_after_holiday"] = values["days_after_holiday"].to_numpy()
    return out


def history_spec(freq: str, horizon: int, inputs: tuple[str, ...] = ()) -> FeatureSpec:
    """The feature set ``history_features`` builds for a grain and horizon, with the history's
    known-future ``inputs`` (``input_names``): a daily ``is_holiday`` joins the calendar with the
    days to and after a holiday; the others are read as promotion and price columns are."""
    plan = _lag_plan(freq, horizon)
    holidays = tuple(HOLIDAY_FEATURES) if freq == "D" and "is_holiday" in inputs else ()
    return FeatureSpec(
        freq=freq,
        calendar=(*_calendar_columns(freq), *holidays),
        price=tuple(c for c in inputs if c not in holidays),
        lags=tuple(name for name, _kind, _k, _w in plan),
        base=f"recent_mean_{BASE_WINDOW[freq]}",
    )


def _calendar_columns(freq: str) -> list[str]:
    # a quarter's first month says which quarter it is
    return {"D": DAILY_CALENDAR, "W": ["week_of_year", "month"], "M": ["month"], "Q": ["month"]}[
        freq
    ]


def _lag_plan(freq: str, horizon: int) -> list[tuple[str, str, int, int]]:
    """(name, kind, lag, window) of each lag feature: every lag is at least ``horizon``."""
    season = SEASON[freq]
    h = max(int(horizon), 1)
    seasonal = season * int(np.ceil(h / season))  # the first whole season at or beyond h
    windows = {"D": (7, 28, 91), "W": (4, 13, 26), "M": (3, 6, 12), "Q": (2, 4, 8)}[freq]
    plan = [(f"lag_{k}", "lag", k, 1) for k in (h, h + 1, h + 2)]
    if seasonal not in (h, h + 1, h + 2):
        plan.append((f"lag_{seasonal}", "lag", seasonal, 1))
    plan += [(f"rolling_mean_{w}_lag{h}", "mean", h, w) for w in windows]
    plan.append((f"rolling_std_{windows[1]}_lag{h}", "std", h, windows[1]))
    return plan


def _whole_periods(period: pd.Series, dates: pd.Series, freq: str) -> pd.Series:
    """False for rows in the first or last period when the data start after its first day or end
    before its last: a week with one day of sales is not a week of demand, and a model would
    learn that week of the year as a slump (and the seasonal naive would repeat it). A history
    dated only at period starts (a monthly or quarterly series, one row a period) is already at
    the grain: each of its rows is a whole period."""
    own = pd.DatetimeIndex(dates.loc[period.index].dt.normalize())
    if (period_start(period.to_numpy(), freq) == own).all():
        return pd.Series(True, index=period.index)
    first, last = int(period.min()), int(period.max())
    starts_late = period_start(np.array([first]), freq)[0] < dates.min().normalize()
    next_start = period_start(np.array([last + 1]), freq)[0]
    ends_early = next_start - pd.Timedelta(days=1) > dates.max().normalize()
    keep = pd.Series(True, index=period.index)
    if starts_late:
        keep &= period != first
    if ends_early:
        keep &= period != last
    return keep


def input_names(inputs: pd.DataFrame | None) -> tuple[str, ...]:
    """The known-future input columns of an ``inputs`` frame: every column but its keys."""
    if inputs is None:
        return ()
    return tuple(c for c in inputs.columns if c not in INPUT_KEYS)


def _join_inputs(frame: pd.DataFrame, inputs: pd.DataFrame, freq: str) -> pd.DataFrame:
    """``frame`` with each known-future input averaged over the rows given per period of its keys
    (``date`` and any of ``item_id``, ``location_id``: an input without one applies to every
    item or location; give every day, or one row per period); 0 where the inputs say nothing
    (no promotion, no holiday)."""
    names = list(input_names(inputs))
    if "date" not in inputs.columns or not names:
        raise ValueError("known-future inputs need a date column and at least one input column")
    bad = [c for c in names if not pd.api.types.is_numeric_dtype(inputs[c].dtype)]
    if bad:
        raise ValueError(f"known-future inputs must be numbers or booleans: {bad} are not")
    taken = sorted(set(names) & {*frame.columns, *DAILY_CALENDAR, *HOLIDAY_FEATURES[1:]})
    if taken:
        raise ValueError(f"known-future inputs {taken} have the names of the history's own columns")
    keys = [k for k in ("item_id", "location_id") if k in inputs.columns]
    per_period = inputs[[*keys, *names]].astype({c: float for c in names})
    per_period["period"] = period_index(pd.to_datetime(inputs["date"]), freq)
    per_period = per_period.groupby([*keys, "period"], as_index=False)[names].mean()
    per_period = per_period.rename(columns={"item_id": "sku"})
    for key in ("sku", "location_id"):
        if key in per_period.columns:
            per_period[key] = per_period[key].astype(str)
    on = [k for k in ("sku", "location_id") if k in per_period.columns] + ["period"]
    out = frame.merge(per_period, on=on, how="left")
    out[names] = out[names].fillna(0.0)
    return out


def history_features(
    history: pd.DataFrame, freq: str, horizon: int, inputs: pd.DataFrame | None = None
) -> pd.DataFrame:
    """A demand frame from a plain history (``item_id, location_id, date, quantity``) and its
    known-future ``inputs``, if any (``_join_inputs``: promotions planned, holidays).

    Quantities are summed per item x location x period; periods with no record inside a series'
    span count as zero demand; a first or last period the data only partly cover is left out. Each series gets ``horizon`` future periods after the last period
    of the whole history (``as_of_date``). The frame has the columns of ``history_spec`` plus the
    keys, ``demand_date`` (period start), ``units_sold``, ``is_stockout`` (always false: a plain
    history carries no stock), ``category`` and ``region`` (one level each).
    """
    if freq not in FREQS:
        raise ValueError(f"unknown frequency {freq!r}; choose one of {FREQS}")
    missing = [c for c in ("item_id", "location_id", "date", "quantity") if c not in history]
    if missing:
        raise ValueError(f"history is missing columns {missing}")
    raw = pd.DataFrame(
        {
            "sku": history["item_id"].astype(str),
            "location_id": history["location_id"].astype(str),
            "period": period_index(history["date"], freq),
            "units_sold": pd.to_numeric(history["quantity"], errors="coerce").astype(float),
        }
    ).dropna(subset=["units_sold"])
    if raw.empty:
        raise ValueError("history has no rows with a quantity")
    raw = raw[_whole_periods(raw["period"], pd.to_datetime(history["date"]), freq)]
    if raw.empty:
        raise ValueError(f"history covers no whole period at frequency {freq}")
    summed = raw.groupby([*SERIES_KEYS, "period"], as_index=False)["units_sold"].sum()
    last = int(summed["period"].max())
    spans = summed.groupby(SERIES_KEYS)["period"].min().rename("first").reset_index()
    grid = pd.concat(
        [
            pd.DataFrame(
                {
                    "sku": row.sku,
                    "location_id": row.location_id,
                    "period": np.arange(row.first, last + horizon + 1),
                }
            )
            for row in spans.itertuples()
        ],
        ignore_index=True,
    )
    frame = grid.merge(summed, on=[*SERIES_KEYS, "period"], how="left")
    if inputs is not None:
        frame = _join_inputs(frame, inputs, freq)
    frame["is_history"] = frame["period"] <= last
    frame.loc[frame["is_history"], "units_sold"] = frame.loc[
        frame["is_history"], "units_sold"
    ].fillna(0.0)
    frame = frame.sort_values([*SERIES_KEYS, "period"], kind="stable").reset_index(drop=True)
    dates = period_start(frame["period"].to_numpy(), freq)
    frame["demand_date"] = dates
    frame["as_of_date"] = period_start(np.array([last]), freq)[0]
    frame["is_stockout"] = False
    frame["category"] = "all"
    frame["region"] = "all"
    frame["day_of_week"] = dates.dayofweek + 1
    frame["day_of_month"] = dates.day
    frame["day_of_year"] = dates.dayofyear
    frame["week_of_year"] = dates.isocalendar().week.to_numpy().astype(int)
    frame["month"] = dates.month
    by_series = frame.groupby(SERIES_KEYS, sort=False)["units_sold"]
    for name, kind, k, window in _lag_plan(freq, horizon):
        shifted = by_series.shift(k)
        if kind == "lag":
            frame[name] = shifted
            continue
        grouped = shifted.groupby([frame["sku"], frame["location_id"]], sort=False)
        rolling = grouped.rolling(window, min_periods=max(1, window // 2))
        values = rolling.mean() if kind == "mean" else rolling.std()
        frame[name] = values.reset_index(level=[0, 1], drop=True).sort_index()
    return frame.drop(columns=["period"])
