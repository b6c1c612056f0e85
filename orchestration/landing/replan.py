"""The run the landing sensor asks for when a batch that moves the plans lands: its product
published, the dbt models downstream of it rebuilt, and only the touched pairs replanned.

A new batch of orders changes demand history, one of stock snapshots changes positions; both
move the plans of the SKU x DC pairs whose rows changed, and no others. Once plans are served,
such a batch gets one run of the product's versions, the transforms downstream of them (not the
whole dbt project), the forecast and the supply plan, configured to replan for that product
(``orchestration.planning.replan``). Before the first plan, or for any other product, the
sensor publishes the product alone, as it always did.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import dagster as dg

from orchestration.metadata import asset_key
from orchestration.planning.assets import INVENTORY, demand_forecast, supply_plan
from orchestration.planning.replan import REPLAN_TAG, replan_run_config
from supplymesh.publishing.manifest import Manifest, current_snapshot
from supplymesh.registry import Product

if TYPE_CHECKING:  # Dagster does not export the graph's class; a repository's ``asset_graph``
    from dagster._core.definitions.assets.graph.asset_graph import AssetGraph

REPLAN_TRIGGERS = ("sales.orders", "inventory.stock_snapshots")
TRANSFORMS_GROUP = "transforms"


def plans_served(manifest: Manifest) -> bool:
    """Whether a supply plan is served (a replan splices into it)."""
    return current_snapshot(manifest, INVENTORY.key, INVENTORY.latest.major) is not None


def replan_keys(graph: AssetGraph, product: Product) -> list[dg.AssetKey]:
    """The product's versions, the dbt models downstream of them, the forecast and the supply
    plan's products, as the asset keys of one run."""
    versions = dg.AssetSelection.assets(*[asset_key(v) for v in product.versions])
    models = versions.downstream() & dg.AssetSelection.groups(TRANSFORMS_GROUP)
    planning = dg.AssetSelection.assets(demand_forecast, supply_plan)
    return sorted((versions | models | planning).resolve(graph), key=lambda k: k.path)


def replan_request(product: Product, batch: str, graph: AssetGraph) -> dg.RunRequest:
    """One event-driven run for a new ``batch`` of ``product``."""
    return dg.RunRequest(
        run_key=f"{product.key}:{batch}",
        asset_selection=replan_keys(graph, product),
        run_config=replan_run_config(product.key),
        tags={
            "supplymesh/product": product.key,
            "supplymesh/batch": batch,
            REPLAN_TAG: product.key,
        },
    )
