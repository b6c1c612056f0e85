"""The serving choice as plain JSON: what a champion's artifact keeps, and how serving reads it.

A ``FinalChoice`` (per demand class: the method, or the methods averaged, with its basis and
evidence; the conformal quantiles of the chosen forecast's scaled residuals) is written beside
the model's pickle as ``final_choice.json``. JSON rather than a pickle: a person reading the
artifact (or the registry card, which carries the same choice per class) sees what serves
which class, and nothing is executed on loading it.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from supplymesh.planning.forecast_choice.candidates import Candidates, Choice
from supplymesh.planning.forecast_choice.conformal import ConformalQuantiles
from supplymesh.planning.forecast_choice.selection import FinalChoice

FORMAT = 1  # bump when the layout below changes


def finite_or_none(value: object) -> float | None:
    """A finite float, or None (JSON has no NaN)."""
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return number if math.isfinite(number) else None


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def by_class_json(final: FinalChoice) -> dict[str, dict[str, Any]]:
    """Per class: the methods (one, or several averaged), the basis and the evidence."""
    return {
        cls: {
            "methods": list(choice.methods) if choice else None,
            "basis": basis,
            "evidence_mase": finite_or_none(choice.evidence_mase) if choice else None,
            "n_series": choice.n_series if choice else 0,
        }
        for cls, (choice, basis) in final.by_class.items()
    }


def choice_to_json(final: FinalChoice) -> dict[str, Any]:
    """The whole serving choice: candidates, choice per class and conformal quantiles."""
    c, q = final.candidates, final.quantiles
    return {
        "format": FORMAT,
        "candidates": {
            "columns": dict(c.columns),
            "anchor": c.anchor,
            "peers_in_mean": list(c.peers_in_mean),
            "default": c.default,
        },
        "by_class": by_class_json(final),
        "quantiles": {
            "level": q.level,
            "min_count": q.min_count,
            "by_class_step": _records(q.by_class_step),
            "by_step": _records(q.by_step),
            "pooled": finite_or_none(q.pooled),
            "n": q.n,
        },
    }


def _frame(records: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(records, columns=columns)
    if "step" in frame:
        frame["step"] = frame["step"].astype("int64")
    return frame.astype({"q": float}) if "q" in frame else frame


def choice_from_json(data: dict[str, Any]) -> FinalChoice:
    """The ``FinalChoice`` ``choice_to_json`` wrote (ValueError on another format)."""
    if data.get("format") != FORMAT:
        raise ValueError(f"final choice format {data.get('format')!r}, expected {FORMAT}")
    c = data["candidates"]
    candidates = Candidates(
        columns=c["columns"],
        anchor=c["anchor"],
        peers_in_mean=tuple(c["peers_in_mean"]),
        default=c["default"],
    )
    by_class = {
        cls: (
            Choice(tuple(v["methods"]), float(v["evidence_mase"] or math.nan), int(v["n_series"]))
            if v["methods"]
            else None,
            v["basis"],
        )
        for cls, v in data["by_class"].items()
    }
    q = data["quantiles"]
    quantiles = ConformalQuantiles(
        level=float(q["level"]),
        min_count=int(q["min_count"]),
        by_class_step=_frame(q["by_class_step"], ["demand_class", "step", "q", "n"]),
        by_step=_frame(q["by_step"], ["step", "q", "n"]),
        pooled=float(q["pooled"]) if q["pooled"] is not None else math.nan,
        n=int(q["n"]),
    )
    return FinalChoice(by_class, quantiles, candidates)
