"""The small world published with the mesh's dbt step on Spark, and the same dbt project built
on DuckDB over the same published products, once per `make test-spark` session.

`mesh materialize` runs with ``MESH_DBT_TARGET=spark`` as a user would run it: the products are
published, dbt builds every model on a local Spark session from their snapshots, and the planners
run on the marts handed back to DuckDB. A second, plain DuckDB build of the project over the same
consumer catalog is what the Spark marts are compared with.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from supplymesh.settings import TRANSFORMS_DIR, MeshPaths
from tests.spark.session import start_spark
from tests.transforms.mesh_fixture import run_dbt

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

MESH = str(Path(sys.executable).with_name("mesh"))
SCALE, SEED = "small", "7"


@dataclass(frozen=True)
class SparkMesh:
    paths: MeshPaths  # the mesh materialized with its dbt step on Spark
    duckdb_build: Path  # transforms.duckdb of the DuckDB build over the same products
    materialize_output: str


def _mesh(args: list[str], env: dict[str, str]) -> str:
    completed = subprocess.run(
        [MESH, *args], env=env, capture_output=True, text=True, timeout=1800, check=False
    )
    assert completed.returncode == 0, (
        f"mesh {' '.join(args)} failed:\n{completed.stdout}\n{completed.stderr}"
    )
    return completed.stdout


@pytest.fixture(scope="session")
def spark_mesh(tmp_path_factory: pytest.TempPathFactory) -> SparkMesh:
    home = tmp_path_factory.mktemp("spark_mesh")
    env = {**os.environ, "MESH_HOME": str(home), "MESH_DBT_TARGET": "spark"}
    for key in (
        "DAGSTER_HOME",
        "DBT_TARGET_PATH",
        "DBT_LOG_PATH",
        "DBT_PROFILES_DIR",
        "DBT_TARGET",
    ):
        env.pop(key, None)
    started = time.perf_counter()
    _mesh(["generate", "--scale", SCALE, "--seed", SEED], env)
    output = _mesh(["materialize"], env)
    materialized = time.perf_counter()

    # the DuckDB build reads a copy of the same consumer catalog (the same snapshots)
    duckdb_home = tmp_path_factory.mktemp("duckdb_build")
    shutil.copy(home / "mesh.duckdb", duckdb_home / "mesh.duckdb")
    result = run_dbt(
        ["build", "--exclude", "source:*"], TRANSFORMS_DIR, duckdb_home, duckdb_home / "dbt_target"
    )
    assert result.returncode == 0, result.stdout[-4000:]
    print(
        f"\nsmall world: mesh materialize with dbt on Spark {materialized - started:.1f} s, "
        f"dbt build on DuckDB {time.perf_counter() - materialized:.1f} s"
    )
    return SparkMesh(MeshPaths(home), duckdb_home / "transforms.duckdb", output)


@pytest.fixture(scope="session")
def spark(spark_mesh: SparkMesh) -> Iterator[SparkSession]:
    """Spark on the metastore the mesh's dbt step wrote (started after that run has ended)."""
    session = start_spark(spark_mesh.paths.home)
    try:
        yield session
    finally:
        session.stop()
