"""ODPS v1.0.0: the Open Data Product Standard descriptor of a data product.

Where ODCS (``odcs.py``) describes one version's contract, an ODPS descriptor describes the
product around it: owner, domain, purpose, status, promises (freshness SLA, access) and its
ports. Each major version is an output port whose ``contractId`` is the ``id`` of that version's
ODCS document, so a descriptor and the contracts written beside it resolve into each other.
Input ports come from lineage: a source product reads its landing extract (checked against each
major's contract); a derived product reads the product versions nearest upstream in the asset
graph (through dbt models and planners, never past another product). ODPS has no field for an
SLA or an access level, so they travel as ``customProperties``. Every descriptor is validated
against the official JSON Schema vendored in ``standards/``.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from supplymesh.governance.access import ROLES
from supplymesh.governance.lineage import LineageGraph
from supplymesh.governance.odcs import contract_id, schema_errors
from supplymesh.registry import Product, ProductVersion, get_product
from supplymesh.settings import PROJECT_ROOT

API_VERSION = "v1.0.0"
SCHEMA_PATH = PROJECT_ROOT / "standards" / "odps-json-schema-v1.0.0.json"


def file_name(product: Product) -> str:
    return f"{product.key}.odps.yaml"


def validation_errors(document: dict[str, Any]) -> list[str]:
    """Every way ``document`` breaks the official ODPS v1.0.0 JSON Schema (empty when valid)."""
    return schema_errors(SCHEMA_PATH, document)


def _custom(key: str, value: Any, description: str | None = None) -> dict[str, Any]:
    out = {"property": key, "value": value}
    return out | {"description": description} if description else out


def nearest_upstream(graph: LineageGraph, asset: str) -> list[tuple[str, int]]:
    """The product versions an asset reads, directly or through assets that are not products
    (dbt models, intermediate steps): the walk stops at the first product on each path."""
    found: set[tuple[str, int]] = set()
    seen: set[str] = set()
    queue = deque(graph.parents.get(asset, ()))
    while queue:
        node = queue.popleft()
        if node in seen:
            continue
        seen.add(node)
        if node in graph.products:
            found.add(graph.products[node])
        else:
            queue.extend(graph.parents.get(node, ()))
    return sorted(found)


def _asset(version: ProductVersion) -> str:
    return f"{version.product.split('.')[0]}/{version.table}"


def _product_port(key: str, major: int) -> dict[str, Any]:
    version = get_product(key).version(major)
    return {
        "name": key,
        "version": version.version,
        "contractId": contract_id(key, major),
        "tags": ["product", f"major:{major}"],
    }


def input_ports(product: Product, graph: LineageGraph) -> list[dict[str, Any]]:
    """The landing extract of a source product (one port per major: each major checks it
    against its own contract), else the product versions nearest upstream of any major."""
    if product.source_kind == "landing":
        extract = f"landing/{product.domain}/{product.source_extract}"
        return [
            {
                "name": extract,
                "version": v.version,
                "contractId": contract_id(product.key, v.major),
                "tags": ["landing-extract"],
                "customProperties": [
                    _custom(
                        "files",
                        f"{extract}__<batch_id>.(csv|parquet)",
                        "the newest batch is the one published",
                    )
                ],
            }
            for v in product.versions
        ]
    upstream = {u for v in product.versions for u in nearest_upstream(graph, _asset(v))}
    return [_product_port(key, major) for key, major in sorted(upstream) if key != product.key]


def _output_port(product: Product, version: ProductVersion, graph: LineageGraph) -> dict[str, Any]:
    custom = [
        _custom("status", version.status),
        _custom("query", f"SELECT * FROM {product.domain}.{version.table}"),
        _custom("contractFile", f"{contract_id(product.key, version.major)}.odcs.yaml"),
    ]
    if version.deprecated_on:
        custom.append(_custom("deprecatedOn", str(version.deprecated_on)))
    if version.sunset_on:
        custom.append(_custom("sunsetOn", str(version.sunset_on)))
    port: dict[str, Any] = {
        "name": f"{product.domain}.{version.table}",
        "description": f"Major version {version.major} of {product.key}, a DuckDB view over "
        "its current Parquet snapshot.",
        "type": "duckdb-view",
        "version": version.version,
        "contractId": contract_id(product.key, version.major),
        "tags": [version.status],
        "customProperties": custom,
    }
    inputs = [
        {"id": contract_id(key, major), "version": get_product(key).version(major).version}
        for key, major in nearest_upstream(graph, _asset(version))
        if key != product.key
    ]
    if inputs:
        port["inputContracts"] = inputs
    return port


def _limitations(product: Product) -> str:
    pii = any(c.classification == "pii" for v in product.versions for c in v.columns)
    text = "Columns classified pii are keyed pseudonyms for every role but steward." if pii else ""
    for v in product.versions:
        if v.deprecated_on:
            text += f" v{v.major} deprecated since {v.deprecated_on}; sunset {v.sunset_on}."
    return text.strip() or "None beyond the contract of each output port."


def to_odps(product: Product, graph: LineageGraph) -> dict[str, Any]:
    """The ODPS v1.0.0 descriptor of one product: every major version an output port."""
    readers = [r.name for r in ROLES.values() if r.may_read_access(product.access)]
    document: dict[str, Any] = {
        "apiVersion": API_VERSION,
        "kind": "DataProduct",
        "id": product.key,
        "name": product.key,
        "version": product.latest.version,
        "status": product.latest.status,
        "domain": product.domain,
        "description": {
            "purpose": product.description,
            "usage": f"SELECT * FROM {product.key} (the newest active major), or one major's "
            "view named by its output port.",
            "limitations": _limitations(product),
        },
        "tags": [product.domain, f"access:{product.access}", f"source:{product.source_kind}"],
        "team": {
            "name": product.owner_team,
            "members": [{"username": product.owner_email, "role": "owner"}],
        },
        "support": [
            {
                "channel": product.owner_team,
                "url": f"mailto:{product.owner_email}",
                "tool": "email",
                "scope": "issues",
            }
        ],
        "inputPorts": input_ports(product, graph),
        "outputPorts": [_output_port(product, v, graph) for v in product.versions],
        "customProperties": [
            _custom(
                "freshnessSlaHours",
                product.freshness_sla_hours,
                "a new snapshot is published at least this often",
            ),
            _custom("access", product.access),
            _custom("readableBy", readers, "the roles whose clearance covers the access level"),
        ],
    }
    return document
