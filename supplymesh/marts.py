"""Read the dbt marts the planners consume.

The marts live in dbt's DuckDB file; planners open it read-only after dbt has finished, so a
planning step never holds the writer's lock.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from supplymesh.consumer import connect
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
