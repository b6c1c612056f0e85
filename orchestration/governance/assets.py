"""The governance products: the quality history and the audit trail, published after every
other product of a run."""

import dagster as dg

from orchestration.contract_checks import contract_check_spec, publish_events
from orchestration.metadata import product_spec
from orchestration.resources import MeshResource
from supplymesh.governance.products import (
    AUDIT_LOG,
    QUALITY_METRICS,
    audit_log_frame,
    quality_metrics_frame,
)
from supplymesh.publishing.publish import publish_frame
from supplymesh.registry import get_product

QUALITY_PRODUCT, AUDIT_PRODUCT = get_product(QUALITY_METRICS), get_product(AUDIT_LOG)
GOVERNANCE_PRODUCTS = (QUALITY_PRODUCT, AUDIT_PRODUCT)


def governance_products_asset(after: list[dg.AssetKey]) -> dg.AssetsDefinition:
    """The governance products, published after the products ``after`` (ordering only: they
    read the logs, not those products' data, which ``lineage.py`` accounts for)."""

    @dg.multi_asset(
        name="governance__products",
        specs=[
            product_spec(p, p.latest, deps=after, kinds={"duckdb", "pandera"})
            for p in GOVERNANCE_PRODUCTS
        ],
        check_specs=[contract_check_spec(p.latest) for p in GOVERNANCE_PRODUCTS],
    )
    def governance_products(context: dg.AssetExecutionContext, mesh: MeshResource):
        """Publish the quality history and the audit trail as they stand after the run's
        products."""
        run_id = context.run.run_id
        frames = {QUALITY_METRICS: quality_metrics_frame, AUDIT_LOG: audit_log_frame}
        results = [
            (
                publish_frame(p.key, frames[p.key](mesh.paths), paths=mesh.paths, run_id=run_id),
                p.latest,
            )
            for p in GOVERNANCE_PRODUCTS
        ]
        yield from publish_events(results)

    return governance_products
