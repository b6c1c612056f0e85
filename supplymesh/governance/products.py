"""The governance domain's own products, built from the append-only logs under ``MESH_HOME``.

``governance.quality_metrics`` and ``governance.audit_log`` publish through the same contract
gate as every other product, so the mesh's history is queryable like its data
(``select * from governance.audit_log where action = 'contract_change'``).
"""

from __future__ import annotations

import json

import pandas as pd

from supplymesh.governance.audit import read_entries
from supplymesh.governance.quality import read_metrics
from supplymesh.registry import get_product
from supplymesh.settings import MeshPaths

QUALITY_METRICS = "governance.quality_metrics"
AUDIT_LOG = "governance.audit_log"


def _columns(product: str) -> list[str]:
    return [c.name for c in get_product(product).latest.columns]


def _utc(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, utc=True).dt.tz_localize(None)


def quality_metrics_frame(paths: MeshPaths) -> pd.DataFrame:
    """Every recorded metric, typed as the ``QualityMetricsV1`` contract declares."""
    frame = pd.DataFrame(read_metrics(paths), columns=_columns(QUALITY_METRICS))
    frame["measured_at"] = _utc(frame["measured_at"])
    return frame.astype(
        {"major": "int64", "value": "float64", "threshold": "float64", "breached": "bool"}
    )


def audit_log_frame(paths: MeshPaths) -> pd.DataFrame:
    """Every audit entry, ``details`` as a JSON string, typed as ``AuditLogV1`` declares."""
    frame = pd.DataFrame(read_entries(paths), columns=_columns(AUDIT_LOG))
    frame["at"] = _utc(frame["at"])
    frame["details"] = frame["details"].map(lambda d: json.dumps(d, sort_keys=True))
    return frame.astype({"seq": "int64"})
