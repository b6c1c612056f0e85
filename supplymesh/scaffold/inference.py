"""A first contract from a sample: pandera's schema inference, then what the mesh's contracts say.

``pandera.infer_schema`` gives each column a dtype, whether it held nulls and, for numbers and
timestamps, the sample's minimum and maximum. From those this module takes:

- the contract type (``int``, ``float``, ``str``, ``bool``, ``date``, ``datetime``);
- nullability: a column is nullable only if the sample has a null in it;
- a lower bound the sample supports (``gt=0`` when every value is positive, ``ge=0`` when none is
  negative), not the sample's extremes: tomorrow's batch may well hold a bigger order than the
  sample did, and a contract bounded by the sample's maximum would quarantine it. The observed
  range goes into the contract as a comment and into what the owner must decide;
- the key: the first column (ids, counts, dates: never a float) with no null and no repeat, else
  the smallest set of two or three such columns that is unique together;
- the classification: ``pii`` for a name the central PII policy flags, ``internal`` otherwise.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Literal

import pandas as pd
import pandera.pandas as pa

from supplymesh.governance.policies import PII_NAME
from supplymesh.scaffold.sample import Sample, SampleError

ContractType = Literal["int", "float", "str", "bool", "date", "datetime"]
# columns tried together as a key: the first few key-like columns, pairs then triples
KEY_CANDIDATES = 12
KEY_WIDTHS = (2, 3)


@dataclass(frozen=True)
class InferredColumn:
    """One contract column as the sample supports it."""

    name: str
    type: ContractType
    nullable: bool
    classification: Literal["pii", "internal"]
    lower_bound: Literal["gt", "ge"] | None = None  # the bound is 0
    observed: tuple[str, str] | None = None  # the sample's minimum and maximum, as text
    unique: bool = False


@dataclass(frozen=True)
class InferredContract:
    """The columns, the key (one column or several) and how many rows supported them."""

    columns: tuple[InferredColumn, ...]
    key: tuple[str, ...]
    rows: int

    @property
    def other_unique(self) -> list[str]:
        """Columns unique in the sample besides the key: candidates the owner may promote."""
        return [c.name for c in self.columns if c.unique and (c.name,) != self.key]


def contract_type(dtype: str, is_date: bool) -> ContractType:
    """The contract type of a pandera dtype name; a SampleError for one no contract holds."""
    lowered = dtype.lower()
    if lowered.startswith(("int", "uint")):
        return "int"
    if lowered.startswith("float"):
        return "float"
    if lowered in ("bool", "boolean"):
        return "bool"
    if lowered.startswith("datetime64"):
        return "date" if is_date else "datetime"
    if lowered in ("str", "object") or lowered.startswith("string"):
        return "str"
    raise SampleError(
        f"dtype {dtype} has no contract type (int, float, str, bool, date, datetime)"
    )


def _bounds(schema_column: pa.Column) -> tuple[object, object] | None:
    stats = {}
    for check in schema_column.checks:
        stats.update(check.statistics or {})
    if "min_value" not in stats or "max_value" not in stats:
        return None
    return stats["min_value"], stats["max_value"]


def _text(value: object, kind: ContractType) -> str:
    if kind == "date":
        return str(pd.Timestamp(value).date())
    if kind == "int":
        return str(int(value))
    return str(value)


def _column(name: str, schema_column: pa.Column, values: pd.Series, sample: Sample):
    kind = contract_type(str(schema_column.dtype), name in sample.dates)
    bounds = _bounds(schema_column)
    lower = None
    if bounds and kind in ("int", "float"):
        lower = "gt" if float(bounds[0]) > 0 else "ge" if float(bounds[0]) >= 0 else None
    present = values.dropna()
    return InferredColumn(
        name=name,
        type=kind,
        nullable=bool(schema_column.nullable),
        classification="pii" if PII_NAME.search(name) else "internal",
        lower_bound=lower,
        observed=(_text(bounds[0], kind), _text(bounds[1], kind)) if bounds else None,
        unique=len(present) == len(values) > 1 and present.is_unique and kind != "float",
    )


def _key(frame: pd.DataFrame, columns: list[InferredColumn]) -> tuple[str, ...]:
    if len(frame) < 2:
        return ()
    for c in columns:
        if c.unique:
            return (c.name,)
    candidates = [c.name for c in columns if not c.nullable and c.type != "float"]
    for width in KEY_WIDTHS:
        for combo in itertools.combinations(candidates[:KEY_CANDIDATES], width):
            if not frame.duplicated(list(combo)).any():
                return combo
    return ()


def infer_contract(sample: Sample) -> InferredContract:
    """What the sample supports of a contract (see the module docstring)."""
    schema = pa.infer_schema(sample.frame)
    columns = [
        _column(name, schema_column, sample.frame[name], sample)
        for name, schema_column in schema.columns.items()
    ]
    return InferredContract(tuple(columns), _key(sample.frame, columns), len(sample.frame))
