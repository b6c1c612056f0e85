"""The dbt project, unchanged, on Spark: every public mart equals the DuckDB build row for row,
and the mesh's dbt step on Spark (``MESH_DBT_TARGET=spark``) hands the planners those marts."""

from __future__ import annotations

import json

import duckdb
import pyarrow as pa
import pytest

from supplymesh.spark_transforms import mart_names
from tests.spark.conftest import SparkMesh
from tests.spark.tables import FLOAT_ABS_TOL, FLOAT_REL_TOL, row_differences

pytestmark = pytest.mark.spark

# the grain of each public mart (its unique key in the mart's dbt tests)
MART_KEYS = {
    "dim_locations": ["location_id"],
    "dim_products": ["sku"],
    "fct_demand_features": ["sku", "location_id", "demand_date"],
    "fct_inventory_position": ["sku", "location_id"],
    "fct_lane_stats": ["lane_id"],
    "fct_supplier_lead_times": ["supplier_id", "location_id", "lane_id"],
}


def _manifest(spark_mesh: SparkMesh) -> dict:
    return json.loads((spark_mesh.paths.dbt_target / "manifest.json").read_text())


def _duckdb_mart(database, name: str) -> pa.Table:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.sql(f'select * from marts."{name}"').to_arrow_table()


def test_every_public_mart_has_its_grain_here(spark_mesh: SparkMesh) -> None:
    """A new public mart joins the comparison only with its key: none is skipped silently."""
    manifest = _manifest(spark_mesh)
    public = {
        n["name"]
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n.get("access") == "public"
    }
    assert public == set(MART_KEYS)
    assert manifest["metadata"]["adapter_type"] == "spark"


@pytest.mark.parametrize("mart", sorted(MART_KEYS))
def test_the_spark_build_of_a_mart_equals_the_duckdb_build(
    spark_mesh: SparkMesh, spark, mart: str
) -> None:
    """Same columns and types, same keys, equal values (floats within FLOAT_REL_TOL/ABS_TOL)."""
    on_spark = spark.table(f"marts.{mart}").toArrow()
    on_duckdb = _duckdb_mart(spark_mesh.duckdb_build, mart)
    assert on_spark.num_rows == on_duckdb.num_rows > 0
    found, largest = row_differences(on_duckdb, on_spark, MART_KEYS[mart])
    print(
        f"{mart}: {on_spark.num_rows} rows equal; largest float difference {largest:.3g} "
        f"(tolerance rel {FLOAT_REL_TOL:g}, abs {FLOAT_ABS_TOL:g})"
    )
    assert found == []


def test_the_planners_read_the_marts_spark_built(spark_mesh: SparkMesh, spark) -> None:
    """The dbt step on Spark copied each mart into transforms.duckdb unchanged, and the run
    planned from them."""
    marts = mart_names(_manifest(spark_mesh))
    assert set(MART_KEYS) <= set(marts)
    for mart in marts:
        handed_over = _duckdb_mart(spark_mesh.paths.transforms_db, mart)
        found, _ = row_differences(
            spark.table(f"marts.{mart}").toArrow(),
            handed_over,
            MART_KEYS[mart],
            float_tolerance=False,
        )
        assert found == [], mart
    assert "materialized transforms/fct_demand_features" in spark_mesh.materialize_output
    assert "materialized planning/inventory_plan_v1" in spark_mesh.materialize_output
