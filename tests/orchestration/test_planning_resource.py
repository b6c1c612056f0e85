"""The planning resource: the run config shows every setting with the runtime folder's values as
defaults, and a run's override reaches the settings object every step reads."""

import dagster as dg
import pytest

from orchestration.resources import planning_resource
from supplymesh.planning_settings import load_planning_settings


def _field(resource: dg.ResourceDefinition, *path: str):
    field = resource.config_schema.as_field()
    for name in path:
        field = field.config_type.fields[name]
    return field


def test_the_run_config_shows_the_mesh_home_settings_as_defaults(tmp_path):
    (tmp_path / "planning.yaml").write_text("forecast:\n  horizon_days: 35\n")
    resource = planning_resource(load_planning_settings(tmp_path))
    assert _field(resource, "forecast", "horizon_days").default_value == 35
    assert _field(resource, "inventory", "service_targets", "AX").default_value == 0.98
    assert not _field(resource, "forecast", "horizon_days").is_required


def test_a_run_override_reaches_the_settings_every_step_reads(tmp_path):
    resource = planning_resource(load_planning_settings(tmp_path))
    config = {"forecast": {"horizon_days": 42}, "inventory": {"service_targets": {"AX": 0.99}}}
    with dg.build_resources(
        {"planning": resource}, resource_config={"planning": {"config": config}}
    ) as res:
        settings = res.planning
    assert settings.forecast.horizon_days == 42
    assert settings.service_targets()["AX"] == 0.99
    assert settings.service_targets()["AY"] == 0.97
    assert settings.inventory.review_period_days == 7


def test_a_bad_value_in_the_run_config_fails_naming_the_key(tmp_path):
    resource = planning_resource(load_planning_settings(tmp_path))
    config = {"inventory": {"service_targets": {"AX": 1.5}}}
    with (
        pytest.raises(dg.DagsterResourceFunctionError) as failed,
        dg.build_resources(
            {"planning": resource}, resource_config={"planning": {"config": config}}
        ),
    ):
        pass
    assert "inventory.service_targets.AX" in str(failed.value.__cause__)
