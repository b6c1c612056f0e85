"""The dbt sources file, generated from the product definitions: it is never edited by hand.

Every landing product's published views (``mesh.<domain>.<name>_v<major>``) are dbt sources of
the transforms. Their descriptions, columns, types and data tests are all in the product YAML and
its pandera contracts already, so ``transforms/models/staging/__sources.yml`` is derived from
them (``mesh contracts sources --write``) and ``mesh contracts check`` fails when the committed
file differs from what the definitions generate.

What each part comes from:

- a source per domain (``database: mesh`` on DuckDB, none on Spark; ``schema: <domain>``), a
  table per product major;
- table description: the product YAML's ``description``, version and status (and deprecation);
- columns: the contract's fields in order, with their ``description`` and DuckDB type;
- data tests, on the newest active major only (older majors are declared for lineage):
  ``unique`` for a column the contract declares unique (or a one-column key), ``not_null`` for
  each required column rows are found and joined by (the key, the partition column, a column
  that references another product). The other required columns are left to the contract,
  which refused any null before publishing;
- freshness, for a product partitioned by day: ``loaded_at_field`` is the partition column and
  ``warn_after`` the freshness SLA in whole days.
"""

from __future__ import annotations

import difflib
import math
from pathlib import Path
from typing import Any

import yaml

from supplymesh.governance.contract_changes.project_tree import ProjectDefinitions
from supplymesh.governance.contract_changes.spec import ColumnSpec, ContractSpec
from supplymesh.governance.policies import Violation

SOURCES_PATH = Path("transforms/models/staging/__sources.yml")  # relative to a project root
REGENERATE = "mesh contracts sources --write"
# MESH_HOME/mesh.duckdb, attached read-only by the DuckDB profile as `mesh`; on Spark the
# sources are views in the session's own catalog (two-part names: a database per domain),
# and dbt-spark refuses a database that differs from the schema, so none is given there
DATABASE = "{{ 'mesh' if target.type == 'duckdb' else none }}"
POLICY = "dbt_sources"
HEADER = f"""\
# GENERATED from data_products/ and contracts/: do not edit. Regenerate with
# `{REGENERATE}`; `mesh contracts check` fails when this file differs from what
# the definitions generate (supplymesh/governance/dbt_sources.py: where each part comes from).
#
# The published source products of the mesh: views in MESH_HOME/mesh.duckdb (attached
# read-only as database `mesh` on DuckDB; on Spark, views over the same snapshots that the
# `spark` target's on-run-start hook makes), one schema per domain, one view per product major
# (`<domain>.<name>_v<major>`). The data_tests repeat rules of the contracts (enforced before
# publishing): a plain `dbt build` runs them, the Dagster transforms step excludes them.
"""


class _Tests(list):
    """A list of data tests, written on one line: ``data_tests: [unique, not_null]``."""


class _Dumper(yaml.SafeDumper):
    """Block lists indented under their key, long descriptions folded, tests on one line."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # a Jinja expression in double quotes reads as written; long descriptions fold
    style = '"' if value.startswith("{{") else ">" if len(value) > 60 else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(
    _Tests, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True)
)


def _newest_active(versions: list[dict[str, Any]]) -> int:
    active = [v for v in versions if v["status"] == "active"]
    return max(v["major"] for v in (active or versions))


def _identifying(spec: ContractSpec) -> set[str]:
    """The columns rows are found and joined by: the key, the partition column and every
    column that references another product."""
    references = {
        r.statistics.get("column")
        for r in spec.rules
        if r.kind == "cross_product" and r.statistics.get("kind") == "references"
    }
    return {*spec.primary_key, *references, spec.partition_column} - {None}


def _column(column: ColumnSpec, tests: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": column.name,
        "description": column.description,
        "data_type": column.type.lower(),
    }
    if tests:
        out["data_tests"] = _Tests(tests)
    return out


def _tests(spec: ContractSpec) -> dict[str, list[str]]:
    """Column -> the dbt data tests its contract implies (see the module docstring)."""
    key = spec.primary_key
    unique = {c.name for c in spec.columns if c.unique} | ({key[0]} if len(key) == 1 else set())
    identifying = _identifying(spec) | unique
    return {
        c.name: [
            *(["unique"] if c.name in unique else []),
            *(["not_null"] if c.required and c.name in identifying else []),
        ]
        for c in spec.columns
    }


def _description(spec: ContractSpec) -> str:
    text = f"{spec.description} ({spec.product} v{spec.major}: {spec.version}, {spec.status}."
    if spec.deprecated_on:
        text += f" Deprecated since {spec.deprecated_on}; sunset {spec.sunset_on}."
    return text + ")"


def _table(spec: ContractSpec, tested: bool) -> dict[str, Any]:
    table: dict[str, Any] = {"name": spec.table, "description": _description(spec)}
    if spec.partition_column and spec.freshness_sla_hours:
        table["config"] = {
            "loaded_at_field": f"cast({spec.partition_column} as timestamp)",
            "freshness": {
                "warn_after": {"count": math.ceil(spec.freshness_sla_hours / 24), "period": "day"}
            },
        }
    tests = _tests(spec) if tested else {}
    table["columns"] = [_column(c, tests.get(c.name, [])) for c in spec.columns]
    return table


def sources_document(definitions: ProjectDefinitions) -> dict[str, Any]:
    """The dbt sources of every landing product, as the YAML document's data."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for key, meta in sorted(definitions.products.items()):
        if meta["source_kind"] != "landing":
            continue
        newest = _newest_active(meta["versions"])
        for version in sorted(meta["versions"], key=lambda v: -v["major"]):
            spec = definitions.specs.get((key, version["major"]))
            if spec is not None:
                tables.setdefault(meta["domain"], []).append(
                    _table(spec, tested=version["major"] == newest)
                )
    return {
        "version": 2,
        "sources": [
            {
                "name": domain,
                "description": f"The {domain} domain's products, as published in the mesh.",
                "database": DATABASE,
                "schema": domain,
                "tables": domain_tables,
            }
            for domain, domain_tables in sorted(tables.items())
        ],
    }


def render_sources(definitions: ProjectDefinitions) -> str:
    """The text of ``__sources.yml`` for ``definitions`` (header included)."""
    body = yaml.dump(
        sources_document(definitions), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=78
    )
    return f"{HEADER}\n{body}"


def sources_drift(definitions: ProjectDefinitions, root: Path) -> Violation | None:
    """A violation naming the file and its first differences when the committed sources file of
    the project at ``root`` is not what ``definitions`` generate; None when it is (or when the
    tree has no dbt project, e.g. a checkout of the definitions alone)."""
    path = root / SOURCES_PATH
    if not (root / SOURCES_PATH.parts[0]).is_dir():
        return None
    expected = render_sources(definitions)
    actual = path.read_text() if path.exists() else ""
    if actual == expected:
        return None
    diff = list(
        difflib.unified_diff(
            actual.splitlines(),
            expected.splitlines(),
            f"{SOURCES_PATH} (committed)",
            f"{SOURCES_PATH} (generated)",
            lineterm="",
            n=1,
        )
    )
    shown = "\n".join(diff[:40]) + ("\n..." if len(diff) > 40 else "")
    what = "is missing" if not path.exists() else "differs from the product definitions"
    return Violation(
        POLICY,
        str(SOURCES_PATH),
        f"{what}; regenerate it with `{REGENERATE}` (never edit it by hand):\n{shown}",
    )


def write_sources(definitions: ProjectDefinitions, root: Path) -> Path:
    """Write the generated sources file into the project at ``root``; returns its path."""
    path = root / SOURCES_PATH
    path.write_text(render_sources(definitions))
    return path
