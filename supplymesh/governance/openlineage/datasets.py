"""The mesh's datasets as OpenLineage names them: one namespace per DuckDB file of a runtime folder.

A product version is ``<domain>.<product>_v<major>`` in ``duckdb://<MESH_HOME>/mesh.duckdb``,
the name consumers query; a dbt model is ``<schema>.<model>`` in
``duckdb://<MESH_HOME>/transforms.duckdb``, the relation dbt built. The namespace carries the
runtime folder, so two meshes (a laptop's, production's) never merge in one lineage server. A
landing extract is a file (namespace ``file``, its absolute path). Columns come from the
contracts (products) and the dbt manifest (models, where their YAML declares them); a dbt model's
column lineage follows columns by name, as ``supplymesh.governance.lineage`` does: an output
column is read from each parent that has a column of that name, when the model's SQL names it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from supplymesh.governance.lineage import TRANSFORMS, model_sql
from supplymesh.registry import all_products
from supplymesh.settings import MeshPaths

JOB_NAMESPACE = "supplymesh"
FILE_NAMESPACE = "file"
# the producer of every event and facet: the mesh (a URI, as the spec asks)
PRODUCER = "urn:supplymesh:mesh"


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    description: str = ""


@dataclass(frozen=True)
class DatasetInfo:
    """One asset's dataset: its OpenLineage identity, columns and (dbt) column lineage."""

    namespace: str
    name: str
    fields: tuple[Field, ...] = ()
    description: str = ""
    # output column -> the (namespace, name, column) inputs it is computed from
    column_inputs: Mapping[str, tuple[tuple[str, str, str], ...]] = field(default_factory=dict)


def job_name(asset: str) -> str:
    """An asset's job in OpenLineage: its key with dots (``sales.orders_v2``)."""
    return asset.replace("/", ".")


def _product_datasets(paths: MeshPaths) -> dict[str, DatasetInfo]:
    namespace = f"duckdb://{paths.catalog_db}"
    out = {}
    for product in all_products():
        for version in product.versions:
            out[f"{product.domain}/{version.table}"] = DatasetInfo(
                namespace,
                f"{product.domain}.{version.table}",
                tuple(Field(c.name, c.type, c.description) for c in version.columns),
                description=product.description,
            )
    return out


def _model_columns(node: Mapping[str, Any]) -> tuple[Field, ...]:
    return tuple(
        Field(c["name"], (c.get("data_type") or "").upper(), c.get("description") or "")
        for c in node["columns"].values()
    )


def _column_inputs(
    sql: str, columns: Iterable[str], parents: list[DatasetInfo]
) -> dict[str, tuple[tuple[str, str, str], ...]]:
    out = {}
    for column in columns:
        if not re.search(rf"\b{re.escape(column)}\b", sql):
            continue
        sources = tuple(
            (p.namespace, p.name, column) for p in parents if column in {f.name for f in p.fields}
        )
        if sources:
            out[column] = sources
    return out


def _model_datasets(
    paths: MeshPaths, manifest: Mapping[str, Any], products: Mapping[str, DatasetInfo]
) -> dict[str, DatasetInfo]:
    namespace = f"duckdb://{paths.transforms_db}"
    models = {
        node_id: node
        for node_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model"
    }
    by_node: dict[str, DatasetInfo] = {
        node_id: DatasetInfo(
            namespace,
            f"{node['schema']}.{node['alias']}",
            _model_columns(node),
            node["description"],
        )
        for node_id, node in models.items()
    }
    for node_id, source in manifest.get("sources", {}).items():
        product = products.get(f"{source['source_name']}/{source['name']}")
        if product is not None:
            by_node[node_id] = product
    out = {}
    for node_id, node in models.items():
        parents = [by_node[p] for p in node["depends_on"]["nodes"] if p in by_node]
        info = by_node[node_id]
        lineage = _column_inputs(model_sql(node), (f.name for f in info.fields), parents)
        out[f"{TRANSFORMS}/{node['name']}"] = DatasetInfo(
            info.namespace, info.name, info.fields, info.description, lineage
        )
    return out


@dataclass(frozen=True)
class DatasetCatalog:
    """Every asset's dataset in one runtime folder."""

    datasets: Mapping[str, DatasetInfo]

    @classmethod
    def of_mesh(cls, paths: MeshPaths, manifest: Mapping[str, Any]) -> DatasetCatalog:
        """The products from the registry, the dbt models from ``manifest``."""
        products = _product_datasets(paths)
        return cls({**products, **_model_datasets(paths, manifest, products)})

    def of(self, asset: str) -> DatasetInfo:
        """The asset's dataset; an asset neither a product nor a model keeps its key as name."""
        return self.datasets.get(asset) or DatasetInfo(JOB_NAMESPACE, job_name(asset))
