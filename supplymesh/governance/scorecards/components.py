"""The score of a product version: its components and the one formula that weighs them.

Every component is a share from 0 (worst) to 1 (best), computed from evidence the mesh already
keeps, so a score can be checked by hand:

| component | what it measures | evidence |
|---|---|---|
| ``documentation`` | mean of three: a product description of at least ``MIN_DESCRIPTION`` characters, an owning team with an e-mail address, the share of columns with a description | product YAML, contract |
| ``rule_coverage`` | share of columns with at least one rule beyond their type and nullability (key, uniqueness, range, allowed values, pattern, length, a column check, or a table rule naming it) | contract |
| ``pass_rate`` | share of the last ``VALIDATION_WINDOW`` contract checks of the version that passed | audit trail (``validation`` entries) |
| ``freshness`` | 1 while the served snapshot is younger than the SLA, then SLA / age | manifest, product YAML |
| ``quality`` | 1 - the share of thresholded quality metrics breached over the last ``QUALITY_WINDOW`` measured snapshots | quality history |

``score = 100 * sum(WEIGHTS[c] * component c)``; a component without evidence (never validated,
never published) counts as 0: a version nobody has published has earned nothing. Deprecation and
downstream consumers are reported beside the score, not in it: a deprecated version can be well
kept, and being read widely is not a quality of the data, but both say how much a change costs.
"""

from __future__ import annotations

from collections.abc import Sequence

from supplymesh.governance.contract_changes.spec import ColumnSpec, ContractSpec
from supplymesh.governance.policies import EMAIL, MIN_DESCRIPTION

WEIGHTS: dict[str, float] = {
    "documentation": 0.15,
    "rule_coverage": 0.15,
    "pass_rate": 0.30,  # the contract is the promise: whether it holds weighs most
    "freshness": 0.25,
    "quality": 0.15,
}
VALIDATION_WINDOW = 10  # contract checks counted in the pass rate
QUALITY_WINDOW = 5  # measured snapshots counted in the quality component and its trend
TREND_MARGIN = 0.01  # a change in breach share smaller than this is "steady"
_OTHER_PRODUCT_KEYS = {"kind", "name", "product", "to"}  # rule statistics not naming own columns


def documentation(spec: ContractSpec) -> float:
    """Mean of: described product, declared owner, share of described columns."""
    described = len(spec.description.strip()) >= MIN_DESCRIPTION
    owned = bool(spec.owner_team) and bool(EMAIL.match(spec.owner_email or ""))
    columns = spec.columns
    column_share = (
        sum(bool(c.description.strip()) for c in columns) / len(columns) if columns else 0.0
    )
    return (float(described) + float(owned) + column_share) / 3


def _named_by_rules(spec: ContractSpec) -> set[str]:
    """Columns a key or a table rule names (``column``, ``start``/``end``, ``numerator``...):
    any statistic whose value is one of this version's columns, less those naming another
    product's column (``to``)."""
    own = {c.name for c in spec.columns}
    named: set[str] = set(spec.primary_key)
    for rule in spec.rules:
        for key, value in rule.statistics.items():
            values = value if isinstance(value, list | tuple) else [value]
            if key not in _OTHER_PRODUCT_KEYS:
                named.update(v for v in values if isinstance(v, str) and v in own)
    return named


def _has_rule(column: ColumnSpec) -> bool:
    return bool(
        column.unique
        or column.minimum is not None
        or column.maximum is not None
        or column.allowed_values is not None
        or column.pattern is not None
        or column.min_length is not None
        or column.max_length is not None
        or column.rules
    )


def rule_coverage(spec: ContractSpec) -> float:
    """Share of the version's columns that at least one rule checks."""
    if not spec.columns:
        return 0.0
    named = _named_by_rules(spec)
    return sum(_has_rule(c) or c.name in named for c in spec.columns) / len(spec.columns)


def pass_rate(outcomes: Sequence[bool]) -> float | None:
    """Share of the last ``VALIDATION_WINDOW`` contract checks that passed (oldest first)."""
    recent = list(outcomes)[-VALIDATION_WINDOW:]
    return sum(recent) / len(recent) if recent else None


def freshness(hours_since_publish: float | None, sla_hours: float) -> float:
    """1 within the SLA, then decaying as SLA / age; 0 when nothing is served."""
    if hours_since_publish is None:
        return 0.0
    if hours_since_publish <= sla_hours:
        return 1.0
    return sla_hours / hours_since_publish


def quality(breach_shares: Sequence[float]) -> float | None:
    """1 - the mean breach share of the last ``QUALITY_WINDOW`` measured snapshots."""
    recent = list(breach_shares)[-QUALITY_WINDOW:]
    return 1 - sum(recent) / len(recent) if recent else None


def quality_trend(breach_shares: Sequence[float]) -> str:
    """The newest snapshot's breach share against the mean of the ones before it."""
    recent = list(breach_shares)[-QUALITY_WINDOW:]
    if not recent:
        return "unknown"
    if len(recent) == 1:
        return "new"
    before = sum(recent[:-1]) / len(recent[:-1])
    if recent[-1] < before - TREND_MARGIN:
        return "improving"
    if recent[-1] > before + TREND_MARGIN:
        return "worsening"
    return "steady"


def score(components: dict[str, float | None]) -> float:
    """The weighted score from 0 to 100; a component without evidence counts as 0."""
    return round(100 * sum(w * (components[name] or 0.0) for name, w in WEIGHTS.items()), 1)
