"""The dbt public marts agree with the product contracts they republish.

A public mart with an enforced dbt contract declares each column's ``data_type``; when a column
carries a product's column on under the same name, its declared type must be the product
contract's type, and a column the product classifies ``pii`` must not reach a public mart at
all. The contract stays the one source of truth: dbt's own declaration is checked against it, so
the two cannot drift apart silently.
"""

from __future__ import annotations

from typing import Any

from supplymesh.governance.policies import Violation
from supplymesh.registry import all_products

POLICY = "mart_agreement"
# Mart contracts declare types every target engine accepts (``string`` is DuckDB's VARCHAR and
# Spark's STRING); the product contracts speak DuckDB. The DuckDB names of those spellings:
PORTABLE_TYPES = {"STRING": "VARCHAR", "INT": "INTEGER"}


def _source_columns(manifest: dict[str, Any]) -> dict[str, dict[str, tuple[str, str, str]]]:
    """dbt source id -> column -> (product version, DuckDB type, classification)."""
    by_table = {}
    for product in all_products():
        for v in product.versions:
            by_table[(product.domain, v.table)] = (f"{product.key} v{v.major}", v.columns)
    out = {}
    for uid, source in manifest["sources"].items():
        found = by_table.get((source["source_name"], source["name"]))
        if found:
            label, columns = found
            out[uid] = {c.name: (label, c.type, c.classification) for c in columns}
    return out


def _upstream(manifest: dict[str, Any], node: str) -> set[str]:
    seen, stack = set(), [node]
    while stack:
        for parent in manifest["parent_map"].get(stack.pop(), []):
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen


def mart_violations(manifest: dict[str, Any]) -> list[Violation]:
    """Type disagreements and PII in every public, contract-enforced dbt model."""
    sources = _source_columns(manifest)
    out = []
    for uid, node in sorted(manifest["nodes"].items()):
        if node["resource_type"] != "model" or node.get("access") != "public":
            continue
        if not node.get("config", {}).get("contract", {}).get("enforced"):
            out.append(Violation(POLICY, node["name"], "public mart without an enforced contract"))
            continue
        upstream = [sources[s] for s in _upstream(manifest, uid) if s in sources]
        for name, column in node["columns"].items():
            declared = (column.get("data_type") or "").upper()
            declared = PORTABLE_TYPES.get(declared, declared)
            for columns in upstream:
                if name not in columns:
                    continue
                label, contract_type, classification = columns[name]
                if classification == "pii":
                    out.append(
                        Violation(POLICY, f"{node['name']}.{name}", f"carries pii from {label}")
                    )
                elif declared and declared != contract_type:
                    out.append(
                        Violation(
                            POLICY,
                            f"{node['name']}.{name}",
                            f"declared {declared} but {label} types it {contract_type}",
                        )
                    )
    return out
