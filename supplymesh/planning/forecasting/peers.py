"""The statistical peers: what a forecaster would try before a global model, on the same origins.

At each backtest origin every series is fitted on its own history up to the origin and forecast
over the horizon by statsforecast's local models, all in one ``StatsForecast(..., n_jobs=1)``
call (one pass over the series; the models share the data layout):

* ``auto_ets`` (AutoETS) and ``auto_theta`` (AutoTheta), seasonal with the grain's season length
  (7 days, 52 weeks, 12 months, 4 quarters; ETS holds 24 seasons at most, so weekly ETS is
  non-seasonal, as in R's ``forecast::ets``), each with its P90: the upper end of its central 80%
  interval is the 0.9 quantile of its forecast distribution;
* for intermittent series ``croston_sba`` (CrostonSBA), ``tsb`` (TSB with ``alpha_d`` =
  ``alpha_p`` = 0.1, the usual fixed smoothing of demand size and occurrence) and ``adida``
  (ADIDA), point forecasts only: statsforecast gives them no interval of their own.

Beside the peers, the same call runs the forecaster's other candidates when asked
(``LOCAL_CANDIDATES``: AutoCES and DynamicOptimizedTheta, point forecasts; ``window_model``'s
global models): they are scored like the peers but never the bar the forecaster must beat.

Stock-out periods are censored sales, not demand: the model never learns from them (its training
rows leave them out), and neither do the peers. A local model needs a contiguous series, so a
stock-out period's value is bridged by linear interpolation between the nearest clean periods of
its series (the first or last clean value at either end; a series with no clean period is 0).

Series too short for a model are statsforecast's to handle, and it does: AutoETS and AutoTheta
drop the seasonal component when a series holds less than two seasons. A series shorter still
(AutoETS needs more than 6 periods, AutoTheta more than 3) raises inside statsforecast, which
then forecasts it with its fallback model, ``Naive`` (the last value, with its own 80%
interval), under the peer's name. Forecasts are never below 0, as demand is not.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from supplymesh.planning.fit_workers import INLINE, FitWorkers, finished
from supplymesh.planning.forecasting.features import FeatureSpec, period_index
from supplymesh.planning.forecasting.model import ForecastParams, PendingFit, start_fit
from supplymesh.planning.forecasting.window_model import WINDOWS, window_targets
from supplymesh.planning.frames import SERIES_KEYS

PEERS = ("auto_ets", "auto_theta", "croston_sba", "tsb", "adida")
# local models the forecaster may use that issue 12 does not name as peers: statsforecast's
# AutoCES (complex exponential smoothing) and DynamicOptimizedTheta, members of the combinations
# that beat single methods on the M competitions (Petropoulos & Svetunkov's SCUM)
LOCAL_CANDIDATES = ("auto_ces", "dynamic_theta")
# the feature model fitted on absolute error: it forecasts the median where the model (Poisson)
# forecasts the mean, and MASE, an absolute error, rewards the median of a skewed count; the two
# err differently, so the forecaster may choose either or their mean (on Complete Journey each
# alone is 0.95x AutoTheta and their mean 0.947x: docs/benchmarks.md)
MODEL_MEDIAN = "model_median"
MEDIAN_LOSS = "absolute_error"
# scored by backtests only, never served: a champion's serving choice refits its methods from
# the demand history at the serving date (``forecast_choice.served_choice``), and this one
# needs the feature rows a training round does not keep
BACKTEST_ONLY = (MODEL_MEDIAN,)
# what a backtest runs beside the feature model: the peers, the other local candidates, then
# the project's window models (``window_model``: global, not peers; they run here because they
# read the same bridged series) and the median model
RUNS = (*PEERS, *LOCAL_CANDIDATES, *WINDOWS, MODEL_MEDIAN)
NOT_PEERS = (*LOCAL_CANDIDATES, *WINDOWS, MODEL_MEDIAN)  # chosen from, never the bar to beat
P90_COLUMNS = {"auto_ets": "auto_ets_p90", "auto_theta": "auto_theta_p90"}
INTERVAL_LEVEL = 80  # a central 80% interval: its upper end is the P90
TSB_ALPHA_D = 0.1  # smoothing of the demand size
TSB_ALPHA_P = 0.1  # smoothing of the demand probability
# statsforecast's ETS, like R's forecast::ets it mirrors, holds at most 24 seasonal states: with a
# longer season (52 weeks) it fits the seasonal candidates for nothing and keeps a non-seasonal
# model, at 30 times the cost, so a longer season asks it for the non-seasonal search directly
# (the same forecasts: measured on a weekly series, ETS(A,A,N) either way)
MAX_ETS_SEASON = 24


def peer_columns(peers: Sequence[str]) -> list[str]:
    """The prediction columns of ``peers``: each peer's point forecast, then its P90 if any."""
    out: list[str] = []
    for peer in peers:
        out.append(peer)
        if peer in P90_COLUMNS:
            out.append(P90_COLUMNS[peer])
    return out


def check_peers(peers: Sequence[str]) -> tuple[str, ...]:
    """``peers`` in the canonical order (``RUNS``), or ValueError naming an unknown one."""
    unknown = sorted(set(peers) - set(RUNS))
    if unknown:
        raise ValueError(f"unknown peers {unknown}; choose among {list(RUNS)}")
    return tuple(p for p in RUNS if p in peers)


def peers_from_text(text: str, served: bool = False) -> tuple[str, ...]:
    """Peers named in a setting or option: comma-separated names, ``all`` or ``none``.
    ``served``: for a training round, whose choice is served (``all`` then leaves out the
    ``BACKTEST_ONLY`` methods, and naming one is an error)."""
    words = [w.strip() for w in text.split(",") if w.strip()]
    runs = tuple(p for p in RUNS if not (served and p in BACKTEST_ONLY))
    if words == ["all"]:
        return runs
    if words in ([], ["none"]):
        return ()
    if served and set(words) & set(BACKTEST_ONLY):
        raise ValueError(
            f"{sorted(set(words) & set(BACKTEST_ONLY))} run in `mesh forecast backtest` only: "
            "a training round's choice is served, and serving cannot refit them"
        )
    return check_peers(words)


def sample_series(keys: pd.DataFrame, n: int) -> pd.DataFrame:
    """The ``n`` series (sku, location_id) with the lowest hash of their keys: the same sample on
    every run while the network stands (a new series joins it by chance)."""
    unique = keys[SERIES_KEYS].drop_duplicates()
    if len(unique) <= n:
        return unique.reset_index(drop=True)
    text = unique["sku"].astype(str) + "\x1f" + unique["location_id"].astype(str)
    order = np.argsort(pd.util.hash_array(text.to_numpy()), kind="stable")
    return unique.iloc[order[:n]].reset_index(drop=True)


@dataclass
class PeerForecasts:
    """The peers' forecasts of one origin, aligned with its target rows, and the seconds each
    peer took (statsforecast's own timing of every model over every series)."""

    values: pd.DataFrame  # one column per ``peer_columns``; index of the targets
    seconds: dict[str, float]


def _models(peers: tuple[str, ...], season: int) -> list[Any]:
    from statsforecast.models import (
        ADIDA,
        TSB,
        AutoCES,
        AutoETS,
        AutoTheta,
        CrostonSBA,
        DynamicOptimizedTheta,
    )

    built = {
        "auto_ets": lambda: AutoETS(
            season_length=season if season <= MAX_ETS_SEASON else 1, alias="auto_ets"
        ),
        "auto_theta": lambda: AutoTheta(season_length=season, alias="auto_theta"),
        "croston_sba": lambda: _PointOnly(CrostonSBA(alias="croston_sba")),
        "tsb": lambda: _PointOnly(TSB(alpha_d=TSB_ALPHA_D, alpha_p=TSB_ALPHA_P, alias="tsb")),
        "adida": lambda: _PointOnly(ADIDA(alias="adida")),
        "auto_ces": lambda: _PointOnly(AutoCES(season_length=season, alias="auto_ces")),
        "dynamic_theta": lambda: _PointOnly(
            DynamicOptimizedTheta(season_length=season, alias="dynamic_theta")
        ),
    }
    return [built[p]() for p in peers]


class _PointOnly:
    """An intermittent-demand model asked for its point forecast only. statsforecast passes the
    interval level to every model whose ``forecast`` takes one, and these would refuse it (they
    have no interval without conformal calibration), so one call could not hold them all."""

    uses_exog = False

    def __init__(self, model: Any) -> None:
        self.model = model
        self.alias = model.alias

    def __repr__(self) -> str:
        return self.alias

    def forecast(
        self,
        y: np.ndarray,
        h: int,
        X: np.ndarray | None = None,  # noqa: N803 (statsforecast's argument names)
        X_future: np.ndarray | None = None,  # noqa: N803
        fitted: bool = False,
    ) -> dict[str, np.ndarray]:
        return self.model.forecast(y=y, h=h, X=X, X_future=X_future, fitted=fitted)


def demand_series(history: pd.DataFrame, freq: str) -> pd.DataFrame:
    """The peers' training data: ``unique_id`` (series number), ``ds`` (period number), ``y``
    (units, stock-out and unknown periods bridged as the module says), sorted, plus the keys.
    Raises ValueError when a series has a gap (the grid must be dense, as for the model)."""
    frame = history[[*SERIES_KEYS, "units_sold", "is_stockout"]].copy()
    frame["ds"] = period_index(history["demand_date"], freq)
    frame = frame.sort_values([*SERIES_KEYS, "ds"], kind="stable").reset_index(drop=True)
    frame["unique_id"] = frame.groupby(SERIES_KEYS, sort=False).ngroup()
    clean = frame["units_sold"].where(~frame["is_stockout"].fillna(False).astype(bool))
    gaps = frame["unique_id"].isin(frame.loc[clean.isna(), "unique_id"].unique())
    if gaps.any():  # bridge only the series that have a censored or unknown period
        bridged = clean[gaps].groupby(frame.loc[gaps, "unique_id"], sort=False)
        clean[gaps] = bridged.transform(lambda s: s.interpolate(limit_direction="both"))
    frame["y"] = clean.fillna(0.0)
    span = frame.groupby("unique_id")["ds"].agg(["min", "max", "size"])
    if (span["max"] - span["min"] + 1 != span["size"]).any():
        raise ValueError("peers need one row per series and period (a dense grid)")
    return frame[[*SERIES_KEYS, "unique_id", "ds", "y"]]


def forecast_peers(
    history: pd.DataFrame,
    targets: pd.DataFrame,
    spec: FeatureSpec,
    peers: Sequence[str] = PEERS,
    window_history: pd.DataFrame | None = None,
) -> PeerForecasts:
    """Each peer's forecast of every ``targets`` row (sku, location_id, demand_date) from
    ``history`` (sku, location_id, demand_date, units_sold, is_stockout, up to the origin).

    A target series absent from ``history`` gets NaN (no peer forecasts a series it never saw);
    the caller decides which series the peers see (all of them, or a sample). The window models,
    when asked for, are fitted on ``window_history`` (default ``history``): a global model learns
    from every series even when the local ones run on a sample."""
    chosen = check_peers(peers)
    if MODEL_MEDIAN in chosen:
        raise ValueError(f"{MODEL_MEDIAN} is fitted on feature rows (PeerRun), not on a history")
    columns = peer_columns(chosen)
    out = pd.DataFrame(np.nan, index=targets.index, columns=columns)
    seconds = dict.fromkeys(chosen, 0.0)
    if not chosen or history.empty:
        return PeerForecasts(out, seconds)
    local = tuple(p for p in chosen if p not in WINDOWS)
    if local:
        out[peer_columns(local)], local_seconds = _statsforecast(history, targets, spec, local)
        seconds.update(local_seconds)
    windows = tuple(p for p in chosen if p in WINDOWS)
    if windows:
        started = time.perf_counter()
        fit_on = window_history if window_history is not None else history
        seen = (
            targets[SERIES_KEYS]
            .merge(history[SERIES_KEYS].drop_duplicates(), how="left", indicator=True)["_merge"]
            .eq("both")
        )
        values = window_targets(demand_series(fit_on, spec.freq), targets, spec, windows)
        out[list(windows)] = values.to_numpy()
        out.loc[~seen.to_numpy(), list(windows)] = np.nan
        for method in windows:  # fitted one after the other, timed together: split evenly
            seconds[method] = (time.perf_counter() - started) / len(windows)
    return PeerForecasts(out, seconds)


def _statsforecast(
    history: pd.DataFrame, targets: pd.DataFrame, spec: FeatureSpec, chosen: tuple[str, ...]
) -> tuple[np.ndarray, dict[str, float]]:
    """The statsforecast peers' columns for ``targets`` (NaN where a series is unknown), all
    in one call, and each peer's seconds."""
    from statsforecast import StatsForecast
    from statsforecast.models import Naive

    columns = peer_columns(chosen)
    data = demand_series(history, spec.freq)
    last = data.groupby(SERIES_KEYS, sort=False)["ds"].max().rename("_last").reset_index()
    wanted = targets[SERIES_KEYS].assign(ds=period_index(targets["demand_date"], spec.freq))
    wanted = wanted.merge(last, on=SERIES_KEYS, how="left")
    ahead = wanted["ds"] - wanted["_last"]
    horizon = int(ahead.max()) if ahead.notna().any() else 0
    if horizon < 1:
        return np.full((len(targets), len(columns)), np.nan), dict.fromkeys(chosen, 0.0)
    engine = StatsForecast(
        models=_models(chosen, spec.season), freq=1, n_jobs=1, fallback_model=Naive()
    )
    started = time.perf_counter()
    with warnings.catch_warnings():
        # statsforecast and statsmodels warn about every short or flat series; the fallback and
        # the bridging above are the answer to those, documented once in the module docstring
        warnings.simplefilter("ignore")
        fc = engine.forecast(df=data[["unique_id", "ds", "y"]], h=horizon, level=[INTERVAL_LEVEL])
    elapsed = time.perf_counter() - started
    fc = fc.rename(columns={f"{p}-hi-{INTERVAL_LEVEL}": c for p, c in P90_COLUMNS.items()})
    keys = data.drop_duplicates("unique_id")[[*SERIES_KEYS, "unique_id"]]
    fc = fc[["unique_id", "ds", *columns]].merge(keys, on="unique_id")
    merged = wanted.merge(fc, on=[*SERIES_KEYS, "ds"], how="left")
    values = merged[columns].clip(lower=0.0).to_numpy(dtype=float)
    return values, _seconds(engine.forecast_times_, chosen, elapsed)


def _seconds(times: dict[str, float], peers: tuple[str, ...], elapsed: float) -> dict[str, float]:
    """Each peer's share of the call: statsforecast's per-model time, plus the call's own
    overhead (data layout, output frame) split evenly, so the peers add up to the call."""
    own = {p: float(times.get(p, 0.0)) for p in peers}
    overhead = max(elapsed - sum(own.values()), 0.0) / len(peers)
    return {p: own[p] + overhead for p in peers}


class PeerRun:
    """The peers of one backtest: which ones, on which series (every one, or the stable sample
    of ``peer_series``), and the seconds each has taken over the origins so far."""

    def __init__(
        self,
        peers: Sequence[str],
        history: pd.DataFrame,
        peer_series: int | None = None,
        params: ForecastParams | None = None,
    ) -> None:
        self.peers = check_peers(peers)
        self.median_params = (params or ForecastParams()).with_values(loss=MEDIAN_LOSS)
        self.columns = peer_columns(self.peers)
        self.sample = None
        if self.peers and peer_series is not None:
            self.sample = sample_series(history, peer_series)
        self.seconds = dict.fromkeys(self.peers, 0.0)

    def start(
        self,
        train: pd.DataFrame,
        test: pd.DataFrame,
        spec: FeatureSpec,
        workers: FitWorkers = INLINE,
    ) -> PendingPeers:
        """The peers' forecasts of ``test`` from ``train`` started by ``workers`` (the local
        models fit on the sampled series' rows alone, a few MB to hand over; the window models
        read every series, so they run here), and ``model_median``'s fit when it is a peer."""
        if not self.peers:
            return PendingPeers(None, None)
        local = train if self.sample is None else train.merge(self.sample, on=SERIES_KEYS)
        others = tuple(p for p in self.peers if p != MODEL_MEDIAN)
        targets = test[[*SERIES_KEYS, "demand_date"]]
        if any(p in WINDOWS for p in others):
            fits = finished(forecast_peers, local, targets, spec, others, train)
        else:
            history = local[[*SERIES_KEYS, "demand_date", "units_sold", "is_stockout"]]
            fits = workers.submit(len(train), forecast_peers, history, targets, spec, others)
        median = None
        if MODEL_MEDIAN in self.peers:
            median = start_fit(train, self.median_params, "backtest-median", spec, False, workers)
        return PendingPeers(fits, median)

    def forecast(self, pending: PendingPeers, test: pd.DataFrame) -> np.ndarray:
        """The peer columns of ``test``'s rows (sampled series only; the others' rows stay NaN)
        from what ``start`` started, each peer's seconds added up."""
        if not self.peers:
            return np.empty((len(test), 0))
        result = pending.local.result()
        for peer, seconds in result.seconds.items():
            self.seconds[peer] += seconds
        values = result.values
        if pending.median is not None:  # a global model: fitted on every series, as the model
            started = time.perf_counter()
            values[MODEL_MEDIAN] = pending.median.result().predict(test)["p50"].to_numpy()
            self.seconds[MODEL_MEDIAN] += pending.median.seconds() + time.perf_counter() - started
        return values[self.columns].to_numpy()


@dataclass
class PendingPeers:
    """The peers of one origin, started: statsforecast's and the window models' forecasts,
    and ``model_median``'s fit."""

    local: Future | None  # PeerForecasts
    median: PendingFit | None
