"""The scorecards asset, run by Dagster from the mesh's own definitions on a tiny world whose
source products are published: it publishes governance.product_scorecards through the contract
gate and shows the scorecards as a markdown table in its metadata."""

import dagster as dg
import pytest

from orchestration.governance.scorecards import SCORECARDS_PRODUCT
from orchestration.metadata import asset_key
from supplymesh.consumer import connect, run_query
from supplymesh.publishing.publish import publish_landing
from supplymesh.registry import all_products
from tests.mesh_world import generate_tiny_world, mesh_environment

KEY = asset_key(SCORECARDS_PRODUCT.latest)


@pytest.fixture(scope="module")
def scored(tmp_path_factory, dbt_manifest):
    with mesh_environment(tmp_path_factory.mktemp("scorecards"), dbt_manifest) as paths:
        generate_tiny_world(paths)
        for product in all_products():
            if product.source_kind == "landing":
                publish_landing(product.key, paths=paths, run_id="test-run")
        from orchestration.definitions import build_definitions

        job = build_definitions().resolve_implicit_global_asset_job_def()
        with dg.DagsterInstance.ephemeral() as instance:
            result = job.execute_in_process(asset_selection=[KEY], instance=instance)
        yield paths, result


def test_the_scorecards_publish_one_row_per_product_version(scored):
    paths, result = scored
    assert result.success
    frame = run_query(connect(paths), "select * from governance.product_scorecards")
    assert len(frame) == sum(len(p.versions) for p in all_products())
    orders = frame[(frame["product"] == "sales.orders") & (frame["major"] == 2)].iloc[0]
    assert orders["pass_rate"] == 1.0 and orders["downstream_products"] > 0
    assert "planning.demand_forecast" in orders["consumers"]


def test_the_materialization_shows_the_scorecards_as_a_markdown_table(scored):
    _, result = scored
    (event,) = [m for m in result.get_asset_materialization_events() if m.asset_key == KEY]
    table = event.materialization.metadata["scorecards"].value
    assert table.startswith("| product | version | score |")
    assert "| sales.orders | v2 (" in table
    checks = result.get_asset_check_evaluations()
    contract = [c for c in checks if c.asset_key == KEY and c.check_name == "contract"]
    assert contract and contract[0].passed
