"""The scorecards product, published last in a run: every product version's scorecard, also
shown in the Dagster UI as a markdown table in the materialization's metadata."""

from functools import partial

import dagster as dg

from orchestration.asset_graph import asset_parents, mesh_asset_graph
from orchestration.contract_checks import contract_check_spec, publish_events
from orchestration.metadata import product_spec
from orchestration.resources import MeshResource
from supplymesh.governance.lineage import lineage_graph
from supplymesh.governance.scorecards import PRODUCT_SCORECARDS, build_scorecards, scorecards_frame
from supplymesh.governance.scorecards.table import markdown_table
from supplymesh.publishing.manifest import current_snapshot, read_manifest
from supplymesh.publishing.publish import publish_frame
from supplymesh.registry import all_products, get_product

SCORECARDS_PRODUCT = get_product(PRODUCT_SCORECARDS)


def scorecards_asset(after: list[dg.AssetKey]) -> dg.AssetsDefinition:
    """The scorecards, published after ``after`` (the governance products, so the scores see
    every check and metric of the run; ordering only, like the governance products)."""
    version = SCORECARDS_PRODUCT.latest

    @dg.multi_asset(
        name="governance__scorecards",
        specs=[product_spec(SCORECARDS_PRODUCT, version, deps=after, kinds={"duckdb", "pandera"})],
        check_specs=[contract_check_spec(version)],
    )
    def product_scorecards(context: dg.AssetExecutionContext, mesh: MeshResource):
        """Score every product version and publish the scorecards."""
        served = partial(current_snapshot, read_manifest(mesh.paths))
        graph = lineage_graph(mesh.paths, asset_parents(mesh_asset_graph(context)))
        cards = build_scorecards(mesh.paths, all_products(), graph, served)
        result = publish_frame(
            PRODUCT_SCORECARDS, scorecards_frame(cards), paths=mesh.paths, run_id=context.run_id
        )
        extra = {
            "scorecards": dg.MetadataValue.md(markdown_table(cards)),
            "lowest score": min(c.score for c in cards),
        }
        yield from publish_events([(result, version)], extra)

    return product_scorecards
