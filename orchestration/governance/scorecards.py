"""The scorecards product, published last in a run: every product version's scorecard, also
shown in the Dagster UI as a markdown table in the materialization's metadata."""

from functools import partial

import dagster as dg

from orchestration.contract_checks import contract_check_spec, publish_events
from orchestration.metadata import product_spec
from orchestration.resources import MeshResource
from supplymesh.governance.lineage import lineage_graph
from supplymesh.governance.scorecards import (
    PRODUCT_SCORECARDS,
    Scorecard,
    build_scorecards,
    scorecards_frame,
)
from supplymesh.publishing.manifest import current_snapshot, read_manifest
from supplymesh.publishing.publish import publish_frame
from supplymesh.registry import all_products, get_product

SCORECARDS_PRODUCT = get_product(PRODUCT_SCORECARDS)


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def scorecards_markdown(cards: list[Scorecard]) -> str:
    """The scorecards as a markdown table, lowest score first (what needs care comes first)."""
    lines = [
        "| product | version | score | docs | rules | pass rate | fresh | quality (trend) "
        "| status | consumers |",
        "|---|---|---:|---:|---:|---:|---:|---|---|---:|",
    ]
    for c in sorted(cards, key=lambda c: (c.score, c.product, c.major)):
        status = c.status + (f" (sunset {c.sunset_on})" if c.sunset_on else "")
        lines.append(
            f"| {c.product} | v{c.major} ({c.version}) | {c.score:.1f} | "
            f"{_share(c.documentation)} | {_share(c.rule_coverage)} | {_share(c.pass_rate)} | "
            f"{_share(c.freshness)} | {_share(c.quality)} ({c.quality_trend}) | {status} | "
            f"{c.downstream_products} |"
        )
    return "\n".join(lines)


def _asset_parents() -> dict[str, list[str]]:
    """Every asset's parents as the mesh's definitions wire them, built at run time: a job run
    in process gives its step context no repository to read the graph from."""
    from orchestration.definitions import build_definitions  # they include this module

    graph = build_definitions().resolve_asset_graph()
    return {
        key.to_user_string(): [p.to_user_string() for p in graph.get(key).parent_keys]
        for key in graph.get_all_asset_keys()
    }


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
        graph = lineage_graph(mesh.paths, _asset_parents())
        cards = build_scorecards(mesh.paths, all_products(), graph, served)
        result = publish_frame(
            PRODUCT_SCORECARDS, scorecards_frame(cards), paths=mesh.paths, run_id=context.run_id
        )
        extra = {
            "scorecards": dg.MetadataValue.md(scorecards_markdown(cards)),
            "lowest score": min(c.score for c in cards),
        }
        yield from publish_events([(result, version)], extra)

    return product_scorecards
