"""What the planners read: the dbt marts, published products and the published model registry.

The marts live in dbt's DuckDB file; planners open it read-only after dbt has finished, so a
planning step never holds the writer's lock. The model registry is a product like any other:
read here, through publishing, so the planning package itself never reads the mesh.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from supplymesh.consumer import connect
from supplymesh.planning.model_lifecycle import model_registry as reg
from supplymesh.publishing.manifest import current_frame, current_snapshot_ids
from supplymesh.settings import MeshPaths
from supplymesh.validation.rules import quote

MARTS_SCHEMA = "marts"


def read_mart(paths: MeshPaths, name: str) -> pd.DataFrame:
    """One mart (``marts.<name>`` in dbt's database) as a DataFrame."""
    con = duckdb.connect(str(paths.transforms_db), read_only=True)
    try:
        return con.execute(f"SELECT * FROM {MARTS_SCHEMA}.{quote(name)}").df()
    finally:
        con.close()


def read_product(paths: MeshPaths, view: str) -> pd.DataFrame:
    """A published product (``domain.name`` view) from the consumer catalog."""
    con = connect(paths)
    try:
        return con.execute(f"SELECT * FROM {view}").df()
    finally:
        con.close()


def published_model_registry(paths: MeshPaths) -> pd.DataFrame:
    """The demand-model registry as currently published (empty before the first model)."""
    return reg.registry_from(current_frame(paths, reg.PRODUCT, 1))


def training_snapshot_ids(paths: MeshPaths) -> dict[str, str]:
    """The snapshots of the products a model trains on, as currently served."""
    return current_snapshot_ids(paths, reg.FEATURE_SOURCES)
