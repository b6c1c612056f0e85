"""governance.quality_metrics v1: the quality measurements of every publish."""

import pandera.pandas as pa
from pandera.typing import Series

from contracts.columns import column


class QualityMetricsV1(pa.DataFrameModel):
    """One metric of one published snapshot, measured against the snapshot it replaced."""

    measured_at: Series[pa.DateTime] = column("When the snapshot was measured (UTC).", "public")
    product: Series[str] = column("Product measured (<domain>.<name>).", "public")
    major: Series[int] = column("Major version measured.", "public", ge=1)
    snapshot_id: Series[str] = column("Snapshot measured.", "public")
    previous_snapshot_id: Series[str] = column(
        "Snapshot it replaced (null for the first publish).", "public", nullable=True
    )
    run_id: Series[str] = column("Run that published the snapshot.")
    metric: Series[str] = column(
        "What was measured.",
        "public",
        isin=["row_count", "row_count_change", "null_rate", "psi"],
    )
    column_name: Series[str] = column(
        "Column measured (null for table-wide metrics).", "public", nullable=True
    )
    value: Series[float] = column("Measured value.", "public")
    threshold: Series[float] = column(
        "Limit from the product YAML (null when none applies).", "public", nullable=True
    )
    breached: Series[bool] = column("Whether |value| exceeded the threshold.", "public")

    class Config:
        name = "governance.quality_metrics v1"
        unique = ["product", "major", "snapshot_id", "metric", "column_name"]
        strict = True
