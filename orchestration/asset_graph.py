"""The mesh's asset graph as plain names: every asset key (``domain/name``) and its parents.

One function for every reader of the graph's wiring: a run's OpenLineage events
(``openlineage.emission``), the scorecards step (``governance.scorecards``) and ``mesh lineage``.
Governance's lineage (``supplymesh.governance.lineage``) takes this mapping, so it never imports
Dagster.
"""

from __future__ import annotations

import dagster as dg


def asset_parents(asset_graph: dg.BaseAssetGraph) -> dict[str, list[str]]:
    """Every asset key (``domain/name``) and the keys of its parents in the asset graph."""
    return {
        key.to_user_string(): [p.to_user_string() for p in asset_graph.get(key).parent_keys]
        for key in asset_graph.get_all_asset_keys()
    }


def mesh_asset_graph(context: dg.AssetExecutionContext) -> dg.BaseAssetGraph:
    """The whole asset graph the running step's job was built from, every asset of the mesh:
    a step run in process has no repository to ask, and rebuilding the definitions in a step
    would load the mesh again (the dbt manifest among it) to learn what its own job knows."""
    return context.job_def.asset_layer.asset_graph.source_asset_graph
