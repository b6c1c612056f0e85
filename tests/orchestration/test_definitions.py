"""The Dagster definitions describe the mesh: groups per domain, owners, schemas, blocking checks."""

import dagster as dg
import pytest

from orchestration.metadata import asset_key
from supplymesh.registry import all_products
from tests.mesh_world import mesh_environment


@pytest.fixture(scope="module")
def defs(tmp_path_factory):
    with mesh_environment(tmp_path_factory.mktemp("defs")):
        from orchestration.definitions import build_definitions

        yield build_definitions()


def test_every_product_version_is_an_asset_in_its_domain_group(defs):
    graph = defs.resolve_asset_graph()
    for product in all_products():
        for version in product.versions:
            node = graph.get(asset_key(version))
            assert node.group_name == product.domain
            assert f"team:{product.owner_team}" in node.owners
            assert node.kinds
            assert node.description
            schema = node.metadata["dagster/column_schema"]
            assert [c.name for c in schema.columns] == [c.name for c in version.columns]


def test_every_product_has_a_blocking_contract_check(defs):
    graph = defs.resolve_asset_graph()
    for product in all_products():
        for version in product.versions:
            check = graph.get(dg.AssetCheckKey(asset_key(version), "contract"))
            assert check.blocking


def test_dbt_reads_published_products_and_planning_reads_marts(defs):
    graph = defs.resolve_asset_graph()
    staging = graph.get(dg.AssetKey(["transforms", "stg_sales__orders"]))
    assert dg.AssetKey(["sales", "orders_v2"]) in staging.parent_keys
    forecast = graph.get(dg.AssetKey(["planning", "demand_forecast_v1"]))
    assert dg.AssetKey(["transforms", "fct_demand_features"]) in forecast.parent_keys
    dbt_checks = [k for k in graph.asset_check_keys if k.asset_key.path[0] == "transforms"]
    assert len(dbt_checks) > 20  # dbt tests appear as asset checks
