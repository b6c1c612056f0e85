"""Source-aligned products: one asset per product version, published from the landing folder."""

import dagster as dg

from orchestration.contract_checks import contract_check_spec, publish_events
from orchestration.metadata import product_spec
from orchestration.resources import MeshResource
from supplymesh.publishing.publish import publish_landing
from supplymesh.registry import Product, all_products


def source_product_asset(product: Product) -> dg.AssetsDefinition:
    """All major versions of a product publish together from the same landing batch."""

    @dg.multi_asset(
        name=f"{product.domain}__{product.name}",
        specs=[product_spec(product, v) for v in product.versions],
        check_specs=[contract_check_spec(v) for v in product.versions],
        description=product.description,
    )
    def publish(context: dg.AssetExecutionContext, mesh: MeshResource):
        results = publish_landing(
            product.key,
            paths=mesh.paths,
            run_id=context.run.run_id,
            allow_shrink=mesh.allows_shrink(product.key),
            requested_by=mesh.requested_by,
        )
        by_major = {r.major: r for r in results}
        for r in results:
            context.log.info(r.report.summary())
            if r.volume_override:
                context.log.warning(
                    f"{r.product} v{r.major}: --allow-shrink let through {r.volume_override}"
                )
        yield from publish_events([(by_major[v.major], v) for v in product.versions])

    return publish


def source_product_assets() -> list[dg.AssetsDefinition]:
    return [source_product_asset(p) for p in all_products() if p.source_kind == "landing"]
