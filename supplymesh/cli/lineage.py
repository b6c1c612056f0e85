"""``mesh lineage <domain.product>``: upstream and downstream products, dbt models and assets,
and, per column, the dbt models that read it (from the dbt manifest)."""

from __future__ import annotations

import argparse
import json
import sys

from supplymesh.governance.lineage import LineageGraph, lineage_graph, product_lineage
from supplymesh.registry import get_product
from supplymesh.settings import MeshPaths, mesh_paths


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("lineage", help="what a product feeds and is fed by, to column level")
    p.add_argument("product", help="<domain>.<product>, e.g. sales.orders")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run)


def mesh_lineage(paths: MeshPaths) -> LineageGraph:
    """The lineage of the mesh as its Dagster definitions wire it (products, dbt models and
    planners in one asset graph, so nothing is declared twice)."""
    from orchestration.definitions import build_definitions

    asset_graph = build_definitions().resolve_asset_graph()
    parents = {
        key.to_user_string(): [p.to_user_string() for p in asset_graph.get(key).parent_keys]
        for key in asset_graph.get_all_asset_keys()
    }
    return lineage_graph(paths, parents)


def _section(title: str, names: list[str]) -> list[str]:
    return [f"{title}:", *(f"  {n}" for n in names or ["(none)"])]


def run(args: argparse.Namespace) -> int:
    try:
        get_product(args.product)  # a registry name, checked before the (slow) lineage graph
        lineage = product_lineage(mesh_lineage(mesh_paths()), args.product)
    except KeyError as exc:
        print(f"mesh lineage: {exc.args[0]}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(lineage.to_dict(), indent=2))
        return 0
    lines = [f"{lineage.product} (assets {', '.join(lineage.assets)})"]
    lines += _section("upstream products", lineage.upstream_products)
    lines += _section("downstream products", lineage.downstream_products)
    lines += _section("downstream dbt models", lineage.dbt_models)
    lines += _section(
        "downstream assets",
        [a for a in lineage.downstream_assets if a not in lineage.dbt_models],
    )
    lines.append("columns read downstream (dbt, by name):")
    for asset, columns in lineage.columns.items():
        for column, readers in columns.items():
            short = ", ".join(r.split("/", 1)[1] for r in readers) or "-"
            lines.append(f"  {asset}.{column}: {short}")
    print("\n".join(lines))
    return 0
