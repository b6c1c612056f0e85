"""The Dagster definitions describe the mesh: groups per domain, owners, schemas, blocking checks."""

import os

import dagster as dg
import pytest

from orchestration.jobs import DAILY_SELECTION
from orchestration.metadata import asset_key
from supplymesh.headless import whole_steps
from supplymesh.registry import all_products
from tests.mesh_world import mesh_environment


@pytest.fixture(scope="module")
def defs(tmp_path_factory, dbt_manifest):
    with mesh_environment(tmp_path_factory.mktemp("defs"), dbt_manifest):
        from orchestration.definitions import build_definitions

        yield build_definitions()


def test_every_product_version_is_an_asset_in_its_domain_group(defs):
    """The model products (domain ``ml``) are the ``model_lifecycle`` group, trained on its own
    cadence."""
    graph = defs.resolve_asset_graph()
    for product in all_products():
        for version in product.versions:
            node = graph.get(asset_key(version))
            group = "model_lifecycle" if product.domain == "ml" else product.domain
            assert node.group_name == group
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


def test_the_daily_path_never_trains_and_training_has_its_own_cadence(defs):
    graph = defs.resolve_asset_graph()
    models = dg.AssetKey(["ml", "forecast_models_v1"])
    daily = DAILY_SELECTION.resolve(graph)
    assert models not in daily
    assert dg.AssetKey(["planning", "demand_forecast_v1"]) in daily
    assert graph.get(models).automation_condition is not None
    assert defs.resolve_schedule_def("model_training_schedule").cron_schedule == "0 4 * * 1"
    assert defs.resolve_sensor_def("model_training_automation")
    assert defs.resolve_job_def("model_training")


def test_the_automation_condition_trains_an_empty_world_because_no_champion_serves(defs):
    """Evaluated as the automation sensor does: once the features mart exists both model assets
    are requested, and the evaluation says which reason held."""
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.evaluate_automation_conditions(defs=defs, instance=instance)
        assert result.total_requested == 0  # no features mart yet: nothing to train on
        features = dg.AssetKey(["transforms", "fct_demand_features"])
        instance.report_runless_asset_event(dg.AssetMaterialization(features))
        result = dg.evaluate_automation_conditions(
            defs=defs, instance=instance, cursor=result.cursor
        )
    models = dg.AssetKey(["ml", "forecast_models_v1"])
    assert result.get_num_requested(models) == 1
    for major in (2, 1):  # v1 deprecated: still published until its sunset
        assert result.get_num_requested(dg.AssetKey(["ml", f"forecast_backtest_v{major}"])) == 1
    assert result.total_requested == 3  # the daily path has no automation condition

    def true_labels(node) -> set[str]:
        own = {node.condition.get_label()} if node.true_subset.size else set()
        return own.union(*(true_labels(child) for child in node.child_results))

    (models_result,) = [r for r in result.results if r.key == models]
    labels = true_labels(models_result)
    assert "no_champion" in labels and "drift" not in labels and "new_actuals" not in labels


def test_the_mesh_job_runs_in_process_unless_celery_is_chosen(defs):
    """One machine needs no broker: the job's executor is the in-process one by default
    (``MESH_EXECUTOR`` unset, as in this test's environment)."""
    if os.environ.get("MESH_EXECUTOR"):
        pytest.skip("MESH_EXECUTOR is set in this environment")
    assert defs.resolve_job_def("mesh").executor_def is dg.in_process_executor


def test_every_run_the_daemon_sees_end_emits_its_openlineage_events(defs):
    """Runs launched from the UI or a sensor get their events from run status sensors, on by
    default (a ``mesh materialize`` run emits its own)."""
    for name in ("openlineage_on_success", "openlineage_on_failure"):
        sensor = defs.resolve_sensor_def(name)
        assert sensor.default_status == dg.DefaultSensorStatus.RUNNING


def test_selecting_one_product_of_the_supply_plan_runs_its_step_whole(defs):
    graph = defs.resolve_asset_graph()
    inventory_plan = dg.AssetKey(["planning", "inventory_plan_v1"])
    supply_plan = set(graph.assets_def_for_key(inventory_plan).keys)
    assert len(supply_plan) == 5
    assert whole_steps({inventory_plan}, graph) == supply_plan
    orders_v2 = dg.AssetKey(["sales", "orders_v2"])  # one publish writes both majors
    assert whole_steps({orders_v2}, graph) == {orders_v2, dg.AssetKey(["sales", "orders_v1"])}
    staging = dg.AssetKey(["transforms", "stg_sales__orders"])  # dbt runs any subset of models
    assert whole_steps({staging}, graph) == {staging}
