"""Rolling-origin backtest: refit at several past origins and score every method side by side.

For each origin ``o`` (the last ``n_origins`` origins, ``step`` periods apart, the latest one
``horizon`` periods before the as-of date) the model is refit on history up to ``o`` and
forecasts periods ``o + 1 .. o + horizon``; the seasonal-naive and moving-average baselines
forecast the same rows from the same history, and so do the statistical peers asked for
(``peers``: AutoETS, AutoTheta, CrostonSBA, TSB, ADIDA), on every series or on a stable sample
of them (``peer_series``: the training backtest's budget). Stock-out periods are kept in the
predictions but never scored. MASE is scaled per origin by the in-sample seasonal-naive error of the history up
to that origin, so every origin is scored exactly as it would have been on that day.

Aggregation across origins pools the rows: per series, the mean scaled absolute error over all
its scored rows (then the mean over series) for MASE; totals for WAPE, bias and coverage; and the
mean over origins of the network-total MASE. A method is scored on the rows it forecast: every
row for the model and the baselines, the sampled series' rows for sampled peers (whose
network-total MASE is then NaN: a sample has no network total). The best peer is chosen on the
rows every method forecast, so with sampled peers on the sample alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from supplymesh.planning.fit_workers import INLINE, FitWorkers
from supplymesh.planning.forecasting.backtest_table import levels_table, metadata
from supplymesh.planning.forecasting.baseline import moving_average, seasonal_naive
from supplymesh.planning.forecasting.features import (
    DAILY_MART,
    FeatureSpec,
    period_index,
)
from supplymesh.planning.forecasting.forecast import prepare_frame
from supplymesh.planning.forecasting.metrics import (
    ForecastMetrics,
    ScaleIndex,
    bias,
    coverage,
    mase,
    series_errors,
    total_scale,
    wape,
)
from supplymesh.planning.forecasting.model import (
    DemandModel,
    ForecastParams,
    PendingFit,
    start_fit,
)
from supplymesh.planning.forecasting.origin_features import OriginFeatures, origins_and_features
from supplymesh.planning.forecasting.peers import (
    NOT_PEERS,
    P90_COLUMNS,
    RUNS,
    PeerRun,
    PendingPeers,
)
from supplymesh.planning.frames import SERIES_KEYS

MODEL = "model"
BASELINES = ("seasonal_naive", "moving_average")
METHODS = (MODEL, *BASELINES, *RUNS)
OWN_MODELS = (MODEL, *NOT_PEERS)  # the project's models and the forecaster's own candidates
FORECAST_COLUMN = {
    MODEL: "p50",
    "seasonal_naive": "seasonal_naive",
    "moving_average": "ma",
    **{p: p for p in RUNS},
}
P90_COLUMN = {MODEL: "p90", **P90_COLUMNS}  # methods with a P90 of their own
PREDICTION_COLUMNS = [
    "origin",
    *SERIES_KEYS,
    "category",
    "region",
    "demand_date",
    "step",
    "actual",
    "is_stockout",
    "p50",
    "p90",
    "seasonal_naive",
    "ma",
]  # then ``peer_columns(peers)`` when peers ran
DEMAND_COLUMNS = [*SERIES_KEYS, "demand_date", "units_sold", "is_stockout"]
Progress = Callable[[str], None]
# ``(stage, done, total)`` as each origin starts and when all are done: ``Progress.update``'s shape
OriginProgress = Callable[[str, int, int], None]


@dataclass
class Backtest:
    """Predictions of every method at every origin, and the MASE scales each origin used.

    ``seconds`` holds each method's time over all origins (the model's fits, counted where they
    ran, in fit workers too, and predictions; each baseline; each peer's share of its
    statsforecast calls); ``peer_sample`` the series the peers forecast when sampled."""

    spec: FeatureSpec
    horizon: int
    origins: list[pd.Timestamp]
    predictions: pd.DataFrame  # PREDICTION_COLUMNS
    scales: pd.DataFrame  # origin, sku, location_id, scale
    total_scales: dict[pd.Timestamp, float]
    fit_seconds: float
    n_fit_rows: int
    models: dict[pd.Timestamp, DemandModel] = field(default_factory=dict, repr=False)
    peers: tuple[str, ...] = ()
    seconds: dict[str, float] = field(default_factory=dict)
    peer_sample: pd.DataFrame | None = field(default=None, repr=False)
    # the history's demand (``DEMAND_COLUMNS``) up to the as-of date: what a caller reads to
    # classify the series at each origin (``forecast_choice.backtest_choice``)
    demand_history: pd.DataFrame | None = field(default=None, repr=False)
    # the scored rows with their origin's MASE scale, merged once (every metric reads them),
    # and the rows of ``levels_table`` (each contract version's table filters them)
    _scored_scales: pd.DataFrame | None = field(default=None, init=False, repr=False)
    _levels: tuple[str, pd.DataFrame] | None = field(default=None, init=False, repr=False)

    @property
    def methods(self) -> tuple[str, ...]:
        """The model, the baselines, then the peers that ran."""
        return (MODEL, *BASELINES, *self.peers)

    @cached_property
    def n_series(self) -> int:
        """Series in the predictions (a backtest's predictions never change once made)."""
        return int(self.predictions[SERIES_KEYS].drop_duplicates().shape[0])

    @property
    def sampled(self) -> bool:
        """Whether the peers forecast a sample of the series only."""
        return self.peer_sample is not None and len(self.peer_sample) < self.n_series

    def best_peer(self) -> str | None:
        """The method with the lowest MASE among the baselines and the peers (not the project's
        own models), on the rows every method forecast (the peers' sample when sampled; None if
        no method has a MASE)."""
        series = self.peer_sample if self.sampled else None
        scores = {
            m: self.metrics(m, series=series).mase for m in self.methods if m not in OWN_MODELS
        }
        finite = {m: v for m, v in scores.items() if np.isfinite(v)}
        return min(finite, key=lambda m: finite[m]) if finite else None

    def scored(self, origin: pd.Timestamp | None = None) -> pd.DataFrame:
        """Rows that count: an actual and no stock-out (optionally one origin only)."""
        p = self.predictions
        keep = p["actual"].notna() & ~p["is_stockout"].astype(bool)
        if origin is not None:
            keep &= p["origin"] == origin
        return p[keep]

    def scored_with_scales(self, origin: pd.Timestamp | None = None) -> pd.DataFrame:
        """``scored`` rows with the ``scale`` of their series at their origin (merged once)."""
        if self._scored_scales is None:
            merged = self.scored().merge(self.scales, on=["origin", *SERIES_KEYS], how="left")
            # a number per series: grouping by it is several times faster than by two strings
            self._scored_scales = merged.assign(
                _series=merged.groupby(SERIES_KEYS, sort=False).ngroup()
            )
        rows = self._scored_scales
        return rows if origin is None else rows[rows["origin"] == origin]

    def scaled(self, method: str = "model") -> pd.DataFrame:
        """Scored rows with ``scaled_error`` (|forecast - actual| over the MASE scale of the
        series at the row's origin; NaN where the series has no scale) and the seasonal naive's
        ``naive_scaled_error`` beside it."""
        rows = self.scored_with_scales()
        scale = rows["scale"].where(rows["scale"] > 0)

        def scaled(col: str) -> pd.Series:
            return (rows[col] - rows["actual"]).abs() / scale

        return rows.assign(
            scaled_error=scaled(FORECAST_COLUMN[method]),
            naive_scaled_error=scaled(FORECAST_COLUMN["seasonal_naive"]),
        )

    def metrics(
        self,
        method: str,
        origin: pd.Timestamp | None = None,
        series: pd.DataFrame | None = None,
    ) -> ForecastMetrics:
        """Pooled accuracy of one method over all origins (or one), on the rows it forecast (of
        ``series`` only, if given: then, as for sampled peers, no network-total MASE)."""
        col = FORECAST_COLUMN[method]
        rows = self.scored_with_scales(origin)
        rows = rows[rows[col].notna()]
        partial = series is not None or (method in self.peers and self.sampled)
        if series is not None:
            rows = rows.merge(series[SERIES_KEYS], on=SERIES_KEYS)
        upper = P90_COLUMN.get(method)
        valid = rows[rows["scale"] > 0]
        per_series = (
            (valid[col] - valid["actual"]).abs().div(valid["scale"]).groupby(valid["_series"])
        ).mean()
        origins = [origin] if origin is not None else self.origins
        totals = []
        for o in [] if partial else origins:
            part = rows[rows["origin"] == o]
            if part.empty:
                continue
            daily = part.groupby("demand_date")[["actual", col]].sum()
            totals.append(mase(daily["actual"], daily[col], self.total_scales.get(o, np.nan)))
        a, f = rows["actual"].to_numpy(), rows[col].to_numpy()
        return ForecastMetrics(
            mase=float(per_series.mean()) if len(per_series) else float("nan"),
            mase_total=float(np.nanmean(totals)) if totals else float("nan"),
            wape=wape(a, f),
            bias=bias(a, f),
            p90_coverage=coverage(a, rows[upper].to_numpy()) if upper else None,
            n_series=len(per_series),
            n_rows=len(rows),
        )

    def summary(self) -> dict[str, ForecastMetrics]:
        return {m: self.metrics(m) for m in self.methods}

    def per_origin(self) -> pd.DataFrame:
        """One row per origin and method."""
        rows = []
        for o in self.origins:
            for m in self.methods:
                rows.append({"origin": o, "method": m, **self.metrics(m, o).as_dict()})
        return pd.DataFrame(rows)

    def per_series(self) -> pd.DataFrame:
        """One row per series and method: MASE, WAPE, bias, P90 coverage over all origins."""
        out = []
        for m in self.methods:
            col = FORECAST_COLUMN[m]
            rows = self.scored_with_scales()
            rows = rows[rows[col].notna()]
            scaled = rows.assign(
                _scaled=(rows[col] - rows["actual"]).abs() / rows["scale"].where(rows["scale"] > 0)
            )
            errors = series_errors(
                scaled.drop(columns="scale"),
                scaled.groupby(SERIES_KEYS, as_index=False)["scale"].mean(),
                col,
                P90_COLUMN.get(m),
            )
            errors["mase"] = (
                scaled.groupby(SERIES_KEYS)["_scaled"]
                .mean()
                .reindex(pd.MultiIndex.from_frame(errors[SERIES_KEYS]))
            ).to_numpy()
            out.append(errors.assign(method=m))
        frame = pd.concat(out, ignore_index=True)
        return frame[["method", *SERIES_KEYS, "mase", "wape", "bias", "p90_coverage", "n"]]

    def table(self, model_version: str, methods: Sequence[str] | None = None) -> pd.DataFrame:
        """The ``ml.forecast_backtest`` rows: every method (or ``methods``: those a contract
        admits) overall, per origin and per series."""
        if self._levels is None or self._levels[0] != model_version:
            self._levels = (model_version, levels_table(self, model_version))
        out = self._levels[1].copy()
        if methods is not None:
            out = out[out["method"].isin(methods)].reset_index(drop=True)
        return out

    @cached_property
    def _metadata(self) -> dict[str, object]:
        return metadata(self)

    def as_metadata(self) -> dict[str, object]:
        """Flat figures for asset metadata and reports (``backtest_table.metadata``; computed
        once: the model card and the asset's metadata both read them)."""
        return dict(self._metadata)


def run_backtest(
    features: pd.DataFrame,
    params: ForecastParams | None = None,
    spec: FeatureSpec = DAILY_MART,
    *,
    horizon: int,
    n_origins: int,
    step: int | None = None,
    progress: Progress | None = None,
    keep_models: bool = False,
    on_origin: OriginProgress | None = None,
    origin_features: OriginFeatures | None = None,
    peers: Sequence[str] = (),
    peer_series: int | None = None,
    workers: FitWorkers = INLINE,
) -> Backtest:
    """Refit at each origin and predict its horizon with the model, both baselines and
    ``peers`` (``peers.RUNS``; on the stable sample of ``peer_series`` series), the fits and
    peers in ``workers``. ``progress`` hears of each origin (number, date, rows, seconds so far:
    a Dagster step's log lines); ``on_origin(stage, done, total)`` before each origin and when
    all are done (a progress bar). ``origin_features`` (of this frame's history and horizon)
    saves building them."""
    frame, as_of = prepare_frame(features, spec)
    history = frame[frame["_history"]]
    origins, index = origins_and_features(
        history, as_of, spec, horizon, n_origins, step, origin_features
    )
    parts, scales, totals, models = [], [], {}, {}
    seconds: dict[str, float] = dict.fromkeys((MODEL, *BASELINES), 0.0)
    peer_run = PeerRun(peers, history, peer_series, params)
    scale_index = ScaleIndex(history, spec.season, spec.freq)
    began = time.perf_counter()
    ahead = {}  # with workers, every origin's fits and peers are handed over first
    if workers.parallel(len(history)):
        ahead = {o: _start(index, o, params, spec, peer_run, workers) for o in origins}
    demand = index.training[DEMAND_COLUMNS]  # what the baselines, peers and scales read
    fit_seconds, n_fit = 0.0, 0
    for done, o in enumerate(origins):
        train = demand[index.until(o)]
        if progress:
            progress(
                f"backtest origin {done + 1}/{len(origins)} ({o.date()}): fit on "
                f"{len(train):,} rows, {time.perf_counter() - began:.1f} s elapsed"
            )
        if on_origin:
            on_origin(f"origin {o.date()}", done, len(origins))
        pending, peer_fits, test = ahead.pop(o, None) or _start(index, o, params, spec, peer_run)
        test = _origin_predictions(train, test, o, spec, seconds)
        test[peer_run.columns] = peer_run.forecast(peer_fits, test)
        model = pending.result()
        fit_seconds, n_fit = fit_seconds + pending.seconds(), model.n_fit_rows
        models.update({o: model} if keep_models else {})
        started = time.perf_counter()
        test[["p50", "p90"]] = model.predict(test)
        seconds[MODEL] += time.perf_counter() - started
        parts.append(test[[*PREDICTION_COLUMNS, *peer_run.columns]])
        scales.append(scale_index.at(o).assign(origin=o))
        totals[o] = total_scale(train, spec.season, spec.freq)
    if progress:
        progress(
            f"backtest: {len(origins)} origins done in {time.perf_counter() - began:.1f} s "
            f"({fit_seconds:.1f} s fitting)"
        )
    if on_origin:
        on_origin("origins done", len(origins), len(origins))
    return Backtest(
        spec=spec,
        horizon=horizon,
        origins=origins,
        predictions=pd.concat(parts, ignore_index=True),
        scales=pd.concat(scales, ignore_index=True),
        total_scales=totals,
        fit_seconds=fit_seconds,
        n_fit_rows=n_fit,
        models=models,
        peers=peer_run.peers,
        seconds={**seconds, MODEL: seconds[MODEL] + fit_seconds, **peer_run.seconds},
        peer_sample=peer_run.sample,
        demand_history=history[DEMAND_COLUMNS],
    )


def _start(
    index: OriginFeatures,
    origin: pd.Timestamp,
    params: ForecastParams | None,
    spec: FeatureSpec,
    peer_run: PeerRun,
    workers: FitWorkers = INLINE,
) -> tuple[PendingFit, PendingPeers, pd.DataFrame]:
    """The origin's model and peers started, and the rows they forecast."""
    train, test = index.split(origin)
    model = start_fit(train, params, f"backtest-{origin.date()}", spec, workers=workers)
    return model, peer_run.start(train, test, spec, workers), test


def _origin_predictions(
    train: pd.DataFrame,
    test: pd.DataFrame,
    origin: pd.Timestamp,
    spec: FeatureSpec,
    seconds: dict[str, float],
) -> pd.DataFrame:
    """``test`` with both baselines, the actual, origin and step; each baseline's time added
    to ``seconds``."""
    lap = time.perf_counter()
    test["seasonal_naive"] = seasonal_naive(train, test, origin, spec.season, spec.freq)
    seconds["seasonal_naive"] += time.perf_counter() - lap
    lap = time.perf_counter()
    test["ma"] = moving_average(train, test, origin, spec.moving_average_window, spec.freq)
    seconds["moving_average"] += time.perf_counter() - lap
    test["actual"] = test["units_sold"].astype(float)
    test["origin"] = origin
    op = int(period_index(pd.Series([origin]), spec.freq)[0])
    test["step"] = period_index(test["demand_date"], spec.freq) - op
    return test
