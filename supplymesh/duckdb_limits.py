"""How much memory DuckDB may take in a mesh process, and where it spills beyond that.

DuckDB's default is 80% of the machine's RAM for every database it opens, and a run holds pandas
frames beside it: on the large world (50 M order lines) validation, publishing and the dbt build
would each reach for most of the machine. One budget for every connection the mesh opens to
validate, publish, build catalogs or measure quality (``connect``), and for dbt's (the profile
reads the same environment variable), makes DuckDB spill sorts, joins and aggregates to disk
instead. Measured on the medium world's ``sales.orders`` (5.2 M lines, both majors): peak RSS
1,979 MiB with DuckDB's default, 1,212 MiB with a 1 GB limit, 14% slower.

``MESH_DUCKDB_MEMORY_LIMIT`` overrides the budget (DuckDB's syntax: ``4GB``, ``512MB``).
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import duckdb

from supplymesh.settings import mesh_home

MEMORY_LIMIT_ENV = "MESH_DUCKDB_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "2GB"  # transforms/profiles.yml repeats it (a test holds them equal)
SPILL_PREFIX = "duckdb-"


def memory_limit() -> str:
    """The memory budget of one DuckDB database in a mesh process."""
    return os.environ.get(MEMORY_LIMIT_ENV, DEFAULT_MEMORY_LIMIT)


def spill_folder() -> Path:
    """Where an in-memory database spills: its own folder under ``$MESH_HOME/tmp`` (named by the
    process, so a folder left by a killed run can be told from a live one's). DuckDB creates it
    only when it spills (into an existing parent) and removes it when the connection closes."""
    parent = mesh_home() / "tmp"
    parent.mkdir(parents=True, exist_ok=True)
    return parent / f"{SPILL_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}"


def connect(database: str = ":memory:", *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection within the mesh's memory budget (in-memory by default)."""
    config = {"memory_limit": memory_limit()}
    if database == ":memory:":
        config["temp_directory"] = str(spill_folder())
    return duckdb.connect(database, read_only=read_only, config=config)
