"""Governance settings a domain team declares in its product YAML, next to owner and SLA.

The registry reads what every product must declare; this module reads the optional governance
sections, with defaults, from the same file (one source of truth per product):

```yaml
partitioning: {column: snapshot_date}   # a daily product: validated and reported per day
quality:                                 # thresholds of the quality checks of every publish
  severity: WARN                         # WARN reports, ERROR blocks downstream assets
  max_row_count_change: 0.5              # |rows - previous rows| / previous rows
  max_psi: 0.25                          # population stability index per column vs previous
  max_null_rate: {promo_id: 0.95}        # per nullable column
  psi_exclude: [carrier]                 # columns whose shift is expected (labels, free text)
```
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from supplymesh.registry import Product, ProductDefinitionError

DEFAULT_MAX_ROW_COUNT_CHANGE = 0.5
DEFAULT_MAX_PSI = 0.25


@dataclass(frozen=True)
class QualityThresholds:
    severity: str = "WARN"
    max_row_count_change: float = DEFAULT_MAX_ROW_COUNT_CHANGE
    max_psi: float = DEFAULT_MAX_PSI
    max_null_rate: dict[str, float] = field(default_factory=dict)
    psi_exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class GovernanceSettings:
    partition_column: str | None
    quality: QualityThresholds


@cache
def _settings(path: Path, mtime: float) -> GovernanceSettings:
    raw = yaml.safe_load(path.read_text()) or {}
    quality = raw.get("quality") or {}
    severity = str(quality.get("severity", "WARN")).upper()
    if severity not in {"WARN", "ERROR"}:
        raise ProductDefinitionError(f"{path}: quality.severity must be WARN or ERROR")
    return GovernanceSettings(
        partition_column=(raw.get("partitioning") or {}).get("column"),
        quality=QualityThresholds(
            severity=severity,
            max_row_count_change=float(
                quality.get("max_row_count_change", DEFAULT_MAX_ROW_COUNT_CHANGE)
            ),
            max_psi=float(quality.get("max_psi", DEFAULT_MAX_PSI)),
            max_null_rate={k: float(v) for k, v in (quality.get("max_null_rate") or {}).items()},
            psi_exclude=tuple(quality.get("psi_exclude") or ()),
        ),
    )


def governance_settings(product: Product) -> GovernanceSettings:
    """The product's governance sections (re-read when its YAML changes)."""
    path = product.definition_path
    return _settings(path, path.stat().st_mtime)
