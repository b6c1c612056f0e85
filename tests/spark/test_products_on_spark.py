"""Every published product version reads the same in Spark as in DuckDB, from the location
``mesh products --json`` publishes: the same columns, compatible types, the same row count."""

from __future__ import annotations

import json
import os
import re
import subprocess

import duckdb
import pytest

from tests.spark.conftest import MESH, SparkMesh

pytestmark = pytest.mark.spark

# DuckDB type -> the Spark types a reader of the same Parquet file may see
SCALAR_TYPES = {
    "VARCHAR": {"string"},
    "BOOLEAN": {"boolean"},
    "TINYINT": {"tinyint"},
    "SMALLINT": {"smallint"},
    "INTEGER": {"int"},
    "BIGINT": {"bigint"},
    "FLOAT": {"float"},
    "DOUBLE": {"double"},
    "DATE": {"date"},
    # a timestamp without a time zone is a local one to Spark (timestamp_ntz) or, read by an
    # older default, an instant in the session's time zone (UTC here): both hold the same value
    "TIMESTAMP": {"timestamp_ntz", "timestamp"},
    "TIMESTAMP WITH TIME ZONE": {"timestamp"},
}


def spark_types_for(duckdb_type: str) -> set[str]:
    """The Spark types (``simpleString``) compatible with a DuckDB column type."""
    if duckdb_type.endswith("[]"):
        return {f"array<{t}>" for t in spark_types_for(duckdb_type[:-2])}
    if match := re.fullmatch(r"DECIMAL\((\d+),(\d+)\)", duckdb_type):
        return {f"decimal({match[1]},{match[2]})"}
    return SCALAR_TYPES.get(duckdb_type, set())


def _published_versions(spark_mesh: SparkMesh) -> list[dict]:
    completed = subprocess.run(
        [MESH, "products", "--json"],
        env={**os.environ, "MESH_HOME": str(spark_mesh.paths.home)},
        capture_output=True,
        text=True,
        check=True,
    )
    return [
        v
        for entry in json.loads(completed.stdout)
        for v in entry["version_details"]
        if v["published"]
    ]


def test_mesh_products_publishes_each_version_snapshot_location(spark_mesh: SparkMesh) -> None:
    versions = _published_versions(spark_mesh)
    assert len(versions) >= 15
    for version in versions:
        path = version["snapshot_path"]
        assert path.startswith(str(spark_mesh.paths.warehouse)) and path.endswith(".parquet"), (
            version
        )


def test_every_published_product_version_reads_the_same_in_spark(
    spark_mesh: SparkMesh, spark
) -> None:
    checked = []
    with duckdb.connect(str(spark_mesh.paths.catalog_db), read_only=True) as con:
        for version in _published_versions(spark_mesh):
            view = version["view"]
            in_duckdb = [(r[0], r[1]) for r in con.execute(f"describe {view}").fetchall()]
            rows = con.execute(f"select count(*) from {view}").fetchone()[0]
            frame = spark.read.parquet(version["snapshot_path"])
            in_spark = [(f.name, f.dataType.simpleString()) for f in frame.schema.fields]
            assert [c for c, _ in in_spark] == [c for c, _ in in_duckdb], view
            for (column, duck_type), (_, spark_type) in zip(in_duckdb, in_spark, strict=True):
                assert spark_type in spark_types_for(duck_type), (
                    f"{view}.{column}: {duck_type} read as {spark_type}"
                )
            assert frame.count() == rows == version["rows"], view
            checked.append(f"{view} ({rows} rows, {len(in_spark)} columns)")
    print("read with Spark:", ", ".join(checked))
