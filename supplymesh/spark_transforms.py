"""The mesh's dbt step on Spark: its sources are the published snapshots, its marts come back.

On the DuckDB target dbt reads the products through the consumer catalog and writes the marts
into ``transforms.duckdb``, where the planners read them (``planning_inputs``). On the Spark
target (``MESH_DBT_TARGET=spark``) dbt reads each source from the Parquet file of its current
snapshot (the ``mesh_snapshots`` var: the same file the analyst catalog's view reads, as
``mesh products --json`` publishes it) and writes the marts as Parquet tables under
``MESH_HOME/spark``. Copying those marts into ``transforms.duckdb`` afterwards leaves everything
downstream of the dbt step as it is on DuckDB.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from supplymesh import duckdb_limits
from supplymesh.governance.access import DEFAULT_ROLE
from supplymesh.planning_inputs import MARTS_SCHEMA
from supplymesh.product_listing import catalog_entries
from supplymesh.settings import MeshPaths
from supplymesh.validation.rules import literal, quote


def source_snapshots(paths: MeshPaths) -> dict[str, str]:
    """``<domain>.<table>`` -> the Parquet file of the product version's current snapshot as
    the analyst role (dbt's reader on DuckDB too) sees it; unpublished versions are left out."""
    return {
        version["view"]: version["snapshot_path"]
        for entry in catalog_entries(paths, DEFAULT_ROLE)
        for version in entry["version_details"]
        if version["snapshot_path"]
    }


def spark_dbt_vars(paths: MeshPaths) -> dict[str, Any]:
    """The dbt vars the Spark target's on-run-start hook reads (macros/mesh_sources.sql)."""
    return {"mesh_snapshots": source_snapshots(paths)}


def mart_names(manifest: dict[str, Any]) -> list[str]:
    """The models dbt writes into the marts schema, from its manifest."""
    return sorted(
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == MARTS_SCHEMA
    )


def spark_table_folder(paths: MeshPaths, schema: str, table: str) -> Path:
    """Where Spark keeps a managed table of the ``spark`` target (its warehouse directory, set
    in transforms/profiles.yml, holds ``<schema>.db/<table>/``)."""
    return paths.spark_home / "warehouse" / f"{schema}.db" / table


def copy_marts_to_duckdb(paths: MeshPaths, marts: Iterable[str]) -> dict[str, int]:
    """Replace each mart in ``transforms.duckdb`` by Spark's build of it, all in one transaction
    (a reader sees the old marts or the new ones, never a mix); returns the rows per mart."""
    rows = {}
    with duckdb_limits.connect(str(paths.transforms_db)) as con:
        con.execute("BEGIN")
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {MARTS_SCHEMA}")
        for name in marts:
            files = spark_table_folder(paths, MARTS_SCHEMA, name) / "*.parquet"
            con.execute(
                f"CREATE OR REPLACE TABLE {MARTS_SCHEMA}.{quote(name)} AS "
                f"SELECT * FROM read_parquet({literal(str(files))})"
            )
            rows[name] = con.execute(
                f"SELECT count(*) FROM {MARTS_SCHEMA}.{quote(name)}"
            ).fetchone()[0]
        con.execute("COMMIT")
    return rows
