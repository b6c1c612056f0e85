"""Lineage: which products, dbt models and Dagster assets a product feeds and is fed by.

Asset-level edges come from the Dagster asset graph (products, dbt models and planners in one
graph, so nothing is declared twice). Column level comes from the dbt manifest: a model reads a
column of a product when the column's name appears in the model's SQL (comments stripped), and
the column travels on to every downstream model whose SQL names it again. That follows columns
by name, so a rename inside a model ends the trail (the manifest records no column lineage).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from supplymesh.registry import all_products
from supplymesh.settings import MeshPaths

TRANSFORMS = "transforms"
GOVERNANCE = "governance"
_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)


@dataclass
class LineageGraph:
    """Nodes are asset keys (``sales/orders_v2``, ``transforms/stg_sales__orders``)."""

    parents: dict[str, set[str]]
    products: dict[str, tuple[str, int]]  # product asset -> (product key, major)
    columns: dict[str, list[str]]  # product asset -> contract columns
    sql: dict[str, str] = field(default_factory=dict)  # dbt model asset -> SQL without comments

    @property
    def children(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {node: set() for node in self.parents}
        for node, parents in self.parents.items():
            for parent in parents:
                out.setdefault(parent, set()).add(node)
        return out

    def assets_of(self, product: str) -> list[str]:
        return sorted(a for a, (p, _) in self.products.items() if p == product)

    def walk(self, start: list[str], edges: dict[str, set[str]]) -> list[str]:
        seen: set[str] = set()
        queue = deque(start)
        while queue:
            for nxt in edges.get(queue.popleft(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        return sorted(seen - set(start))

    def column_readers(self, asset: str, column: str) -> list[str]:
        """dbt models that read ``column`` of a product asset, directly or passed on by name."""
        pattern = re.compile(rf"\b{re.escape(column)}\b")
        children = self.children
        readers: set[str] = set()
        queue = deque([asset])
        while queue:
            node = queue.popleft()
            for child in children.get(node, ()):
                if child in readers or child not in self.sql:
                    continue
                if pattern.search(self.sql[child]):
                    readers.add(child)
                    queue.append(child)
        return sorted(readers)


@dataclass
class ProductLineage:
    product: str
    assets: list[str]
    upstream_products: list[str]
    downstream_products: list[str]
    upstream_assets: list[str]
    downstream_assets: list[str]
    dbt_models: list[str]
    columns: dict[str, dict[str, list[str]]]  # asset -> column -> dbt models reading it

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def _product_keys(graph: LineageGraph, assets: list[str], exclude: str) -> list[str]:
    keys = {graph.products[a][0] for a in assets if a in graph.products}
    return sorted(keys - {exclude})


def product_lineage(graph: LineageGraph, product: str) -> ProductLineage:
    assets = graph.assets_of(product)
    if not assets:
        raise KeyError(f"unknown product {product!r}")
    up = graph.walk(assets, graph.parents)
    down = graph.walk(assets, graph.children)
    return ProductLineage(
        product=product,
        assets=assets,
        upstream_products=_product_keys(graph, up, product),
        downstream_products=_product_keys(graph, down, product),
        upstream_assets=up,
        downstream_assets=down,
        dbt_models=[a for a in down if a.startswith(f"{TRANSFORMS}/")],
        columns={
            a: {c: graph.column_readers(a, c) for c in graph.columns.get(a, [])} for a in assets
        },
    )


def affected_consumers(
    graph: LineageGraph, product: str, major: int, columns: list[str] | None
) -> dict[str, list[str]]:
    """Who reads what changed: downstream products and assets of the version, and the dbt models
    that read the changed ``columns`` (every downstream model when the change is table-wide)."""
    assets = [a for a in graph.assets_of(product) if graph.products[a][1] == major]
    if not assets:
        return {"products": [], "dbt_models": [], "assets": []}
    down = graph.walk(assets, graph.children)
    if columns:
        models = sorted({m for a in assets for c in columns for m in graph.column_readers(a, c)})
    else:
        models = [a for a in down if a.startswith(f"{TRANSFORMS}/")]
    return {
        "products": _product_keys(graph, down, product),
        "dbt_models": models,
        "assets": down,
    }


def data_parents(asset_parents: Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
    """Each asset's parents whose data it reads. The governance products run after every
    product only to snapshot the logs at the end of a run; they read no product data, so those
    ordering edges are not lineage."""
    return {
        key: set() if key.split("/", 1)[0] == GOVERNANCE else set(keys)
        for key, keys in asset_parents.items()
    }


def model_sql(node: Mapping[str, Any]) -> str:
    """A dbt model's SQL as written, comments stripped (a column named in a comment is not read)."""
    return _COMMENTS.sub(" ", node.get("raw_code") or "")


def lineage_graph(paths: MeshPaths, asset_parents: Mapping[str, Iterable[str]]) -> LineageGraph:
    """The mesh's lineage from its asset graph and dbt manifest (parsed if stale).

    ``asset_parents`` maps every asset key (as ``domain/name``) to its parents' keys; the caller
    reads them from the Dagster definitions (``supplymesh.cli.lineage.mesh_lineage``), so this
    layer never imports the orchestration above it.
    """
    from supplymesh.transforms_project import load_dbt_manifest

    manifest = load_dbt_manifest(paths)
    parents = data_parents(asset_parents)
    products, columns = {}, {}
    for product in all_products():
        for v in product.versions:
            node = f"{product.domain}/{v.table}"  # the product's Dagster asset key
            products[node] = (product.key, v.major)
            columns[node] = [c.name for c in v.columns]
    sql = {
        f"{TRANSFORMS}/{node['name']}": model_sql(node)
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }
    return LineageGraph(parents, products, columns, sql)
