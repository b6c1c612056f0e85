"""The consumer path: read-only DuckDB over the catalog of published products.

Any DuckDB client can do the same: ``duckdb.connect("$MESH_HOME/mesh.duckdb", read_only=True)``.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from supplymesh.settings import MeshPaths
from supplymesh.validation.rules import literal


def connect(paths: MeshPaths) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the consumer catalog; never blocks on a running pipeline."""
    if not paths.catalog_db.exists():
        raise FileNotFoundError(
            f"no published products yet at {paths.catalog_db}: run `make demo` or `mesh materialize`"
        )
    # ATTACH rather than connect(path): DuckDB caches database instances by path within a
    # process, which would keep serving a replaced catalog file to every later connection.
    con = duckdb.connect()
    con.execute(f"ATTACH {literal(str(paths.catalog_db))} AS mesh (READ_ONLY)")
    con.execute("USE mesh")
    return con


def run_query(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    """Run one statement; a write attempt fails with DuckDB's read-only error, made explicit."""
    try:
        return con.execute(sql).df()
    except duckdb.InvalidInputException as exc:
        if "read-only" in str(exc):
            raise PermissionError(
                "the consumer catalog is read-only: products change only by publishing "
                f"through the mesh ({exc})"
            ) from exc
        raise
