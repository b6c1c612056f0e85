"""`mesh lineage`: a product's upstream and downstream products, dbt models and assets, and per
column the dbt models that read it, from the real Dagster graph and dbt manifest."""

import json

import pytest

from supplymesh.cli import main
from supplymesh.governance.mart_contracts import mart_violations
from supplymesh.transforms_project import ensure_manifest
from tests.mesh_world import mesh_environment


@pytest.fixture(scope="module")
def mesh(tmp_path_factory, dbt_manifest):
    with mesh_environment(tmp_path_factory.mktemp("lineage"), dbt_manifest) as paths:
        yield paths


def lineage(capsys, product: str) -> dict:
    assert main(["lineage", product, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_orders_feed_staging_the_demand_features_and_every_planner(mesh, capsys):
    out = lineage(capsys, "sales.orders")
    assert out["assets"] == ["sales/orders_v1", "sales/orders_v2"]
    assert out["upstream_products"] == []
    assert {"planning.demand_forecast", "planning.inventory_plan"} <= set(
        out["downstream_products"]
    )
    assert not any(p.startswith("governance.") for p in out["downstream_products"])
    assert "transforms/stg_sales__orders" in out["dbt_models"]
    assert "transforms/fct_demand_features" in out["dbt_models"]


def test_column_level_lineage_shows_pii_stops_at_staging(mesh, capsys):
    columns = lineage(capsys, "sales.orders")["columns"]["sales/orders_v2"]
    assert columns["customer_email"] == []  # staging drops it: nothing downstream reads it
    assert "transforms/stg_sales__orders" in columns["promo_id"]
    assert "transforms/int_sales__daily_demand" in columns["quantity"]
    assert lineage(capsys, "sales.orders")["columns"]["sales/orders_v1"]["qty"] == []


def test_a_planning_product_lists_the_source_products_it_is_built_from(mesh, capsys):
    out = lineage(capsys, "planning.inventory_plan")
    assert {"sales.orders", "catalog.products", "procurement.purchase_receipts"} <= set(
        out["upstream_products"]
    )
    assert "planning.demand_forecast" in out["upstream_products"]
    assert "planning.shipment_plan" in out["downstream_products"]
    assert main(["lineage", "planning.inventory_plan"]) == 0
    assert "upstream products:" in capsys.readouterr().out


def test_unknown_product_is_a_usage_error(mesh, capsys):
    assert main(["lineage", "sales.nothing"]) == 2
    assert "unknown product" in capsys.readouterr().err


def test_the_projects_public_marts_agree_with_the_contracts(mesh):
    manifest = json.loads(ensure_manifest(mesh).read_text())
    assert mart_violations(manifest) == []


def test_openlineage_prints_the_newest_runs_events_and_fails_on_an_invalid_one(mesh, capsys):
    from supplymesh.governance.openlineage.emit import emit_events
    from supplymesh.governance.openlineage.events import run_events
    from tests.governance.openlineage.test_events import CATALOG, broken_orders_run

    run = broken_orders_run()
    emitted = emit_events(mesh, run.run_id, run_events(run, CATALOG))
    assert emitted is not None and emitted.transports == ["file"]
    assert emit_events(mesh, run.run_id, run_events(run, CATALOG)) is None  # written once

    assert main(["lineage", "--openlineage"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith(": 4 events, all valid (OpenLineage spec 2-0-2 and its facets)")
    assert "FAIL     sales.orders_v2 -> sales.orders_v2 [1/2 assertions held]" in out[3]

    lines = emitted.path.read_text().splitlines()
    event = json.loads(lines[1])
    del event["run"]["runId"]
    emitted.path.write_text("\n".join([lines[0], json.dumps(event), *lines[2:]]) + "\n")
    assert main(["lineage", "--openlineage", run.run_id]) == 1
    assert "runId" in capsys.readouterr().err
    assert main(["lineage", "--openlineage", "no-such-run"]) == 2
