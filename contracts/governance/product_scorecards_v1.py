"""governance.product_scorecards v1: how well each product version is kept, as one score."""

import pandera.pandas as pa
from pandera.typing import Series

from contracts.columns import column

SHARE = {"ge": 0.0, "le": 1.0}


class ProductScorecardsV1(pa.DataFrameModel):
    """One product version's scorecard (supplymesh/governance/scorecards/components.py)."""

    product: Series[str] = column("Product scored (<domain>.<name>).", "public")
    major: Series[int] = column("Major version scored.", "public", ge=1)
    version: Series[str] = column("Full version of that major.", "public")
    status: Series[str] = column(
        "Lifecycle status of the version.", "public", isin=["active", "deprecated", "retired"]
    )
    owner: Series[str] = column("Owning team.", "public")
    documentation: Series[float] = column(
        "Documentation completeness: described product, owner, described columns (0-1).",
        "public",
        **SHARE,
    )
    rule_coverage: Series[float] = column(
        "Share of columns at least one rule checks (0-1).", "public", **SHARE
    )
    pass_rate: Series[float] = column(
        "Share of the last contract checks that passed (null: never checked).",
        "public",
        nullable=True,
        **SHARE,
    )
    validations: Series[int] = column("Contract checks the pass rate counts.", "public", ge=0)
    freshness: Series[float] = column(
        "1 within the freshness SLA, then SLA / age; 0 when nothing is served.", "public", **SHARE
    )
    hours_since_publish: Series[float] = column(
        "Age of the served snapshot in hours (null: nothing served).",
        "public",
        nullable=True,
        ge=0.0,
    )
    freshness_sla_hours: Series[float] = column("The product's freshness SLA.", "public", gt=0.0)
    quality: Series[float] = column(
        "1 - share of thresholded quality metrics breached, last snapshots (null: none measured).",
        "public",
        nullable=True,
        **SHARE,
    )
    quality_trend: Series[str] = column(
        "Newest snapshot's breaches against the ones before it.",
        "public",
        isin=["improving", "steady", "worsening", "new", "unknown"],
    )
    deprecated_on: Series[pa.Date] = column(
        "Day the version was deprecated (null: not deprecated).", "public", nullable=True
    )
    sunset_on: Series[pa.Date] = column(
        "Day the version stops being served (null: none planned).", "public", nullable=True
    )
    downstream_products: Series[int] = column(
        "Products built from this version (lineage).", "public", ge=0
    )
    consumers: Series[str] = column("Those products, comma-separated (empty: none).", "public")
    score: Series[float] = column("Weighted score from 0 to 100.", "public", ge=0.0, le=100.0)
    scored_at: Series[pa.DateTime] = column("When the scorecard was computed (UTC).", "public")

    class Config:
        name = "governance.product_scorecards v1"
        unique = ["product", "major"]
        strict = True
