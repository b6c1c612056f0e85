"""Supply-chain rules that generic contract tools do not ship, written once for every contract.

Two kinds live here:

* **Row rules over one product** (``days_between``, ``ratio_between``) are registered as pandera
  check methods with named statistics, so pandera enforces them on pandas, the validation engine
  compiles the same statistics to SQL for DuckDB, and the ODCS export describes them. A contract
  uses them in its ``Config``: ``days_between = row_rule(start=..., end=..., ...)`` (see
  ``contracts/procurement/purchase_receipts_v1.py``).
  A ``WARN`` row rule is a pandera check with ``raise_warning=True``, so pandera itself lets the
  data through with a warning, exactly as the publisher does.
* **Rules across products** (``references``, ``matches``, ``ratio_to``, ``stock_flow``) need another
  product's published data, so pandera cannot evaluate them on one frame. A contract declares them
  in ``Config.metadata["cross_product"]``; ``supplymesh.validation.cross_product`` evaluates them
  against the products being served.

Every rule carries a severity: ``ERROR`` blocks publishing and downstream assets, ``WARN`` is
reported and lets data through.
"""

from __future__ import annotations

from typing import Any, Literal

import pandas as pd
import pandera.pandas as pa
from pandera import extensions

Severity = Literal["ERROR", "WARN"]


def _register(fn, statistics: list[str]) -> None:
    # importing this module twice (e.g. reloading contracts) must not re-register
    if not hasattr(pa.Check, fn.__name__):
        extensions.register_check_method(fn, statistics=statistics, supported_types=pd.DataFrame)


def days_between(
    df: pd.DataFrame, *, start: str, end: str, min_days: int, max_days: int
) -> pd.Series:
    """Rows whose ``end - start`` lies within ``[min_days, max_days]`` days (nulls pass)."""
    days = (pd.to_datetime(df[end]) - pd.to_datetime(df[start])).dt.days
    return days.between(min_days, max_days) | days.isna()


def ratio_between(
    df: pd.DataFrame, *, numerator: str, denominator: str, min_ratio: float, max_ratio: float
) -> pd.Series:
    """Rows whose ``numerator / denominator`` lies within ``[min_ratio, max_ratio]`` (nulls pass).

    A unit mix-up (cases booked as units, cents as euros) moves the ratio by the pack size or by
    100, far outside any plausible band.
    """
    ratio = df[numerator].astype(float) / df[denominator].astype(float)
    return ratio.between(min_ratio, max_ratio) | ratio.isna()


_register(days_between, ["start", "end", "min_days", "max_days"])
_register(ratio_between, ["numerator", "denominator", "min_ratio", "max_ratio"])


def row_rule(*, error: str, severity: Severity = "ERROR", **statistics: Any) -> dict:
    """The value of a registered row rule in a contract's ``Config``: pandera turns the dict into
    a Check named after the attribute (``days_between = row_rule(...)``)."""
    # pandera's own notion of a non-blocking check: it warns instead of failing validation
    return {**statistics, "error": error, "raise_warning": severity == "WARN"}


def references(
    column: str, product: str, to: str | None = None, severity: Severity = "ERROR"
) -> dict:
    """Every non-null ``column`` value exists in ``product``'s ``to`` column (referential integrity)."""
    return {
        "kind": "references",
        "name": f"{column}_in_{product.replace('.', '_')}",
        "column": column,
        "product": product,
        "to": to or column,
        "severity": severity,
    }


def matches(
    column: str, product: str, on: str, to: str | None = None, severity: Severity = "ERROR"
) -> dict:
    """``column`` equals ``product``'s ``to`` column for the same ``on`` key (e.g. one currency
    per SKU across sales and the item master)."""
    return {
        "kind": "matches",
        "name": f"{column}_matches_{product.replace('.', '_')}",
        "column": column,
        "product": product,
        "on": on,
        "to": to or column,
        "severity": severity,
    }


def ratio_to(
    column: str,
    product: str,
    on: str,
    to: str,
    min_ratio: float,
    max_ratio: float,
    severity: Severity = "ERROR",
) -> dict:
    """``column / product.to`` (joined on ``on``) lies in ``[min_ratio, max_ratio]``: the two
    products measure in the same unit (a price in cents, or per case, falls far outside)."""
    return {
        "kind": "ratio_to",
        "name": f"{column}_consistent_with_{product.replace('.', '_')}_{to}",
        "column": column,
        "product": product,
        "on": on,
        "to": to,
        "min_ratio": min_ratio,
        "max_ratio": max_ratio,
        "severity": severity,
    }


def stock_flow(
    *,
    sales: str,
    receipts: str,
    locations: str,
    tolerance_units: int = 0,
    severity: Severity = "WARN",
) -> dict:
    """End-of-day stock reconciles with the flows of the day, per SKU x location:

    ``on_hand(d) - on_hand(d-1) = received booked on d - units sold on d`` within
    ``tolerance_units``, where goods received are booked on hand ``handling_days`` (from
    ``locations``) after their receipt date. A day that does not reconcile is a lost receipt, an
    unrecorded sale, a shrinkage event or a broken extract.
    """
    return {
        "kind": "stock_flow",
        "name": "stock_flow_reconciles",
        "sales": sales,
        "receipts": receipts,
        "locations": locations,
        "tolerance_units": tolerance_units,
        "severity": severity,
    }
