"""The planning settings: one set of defaults, overridden by MESH_HOME's file, then by --set."""

import re
from pathlib import Path

import pytest
import yaml

from supplymesh.planning_settings import (
    DEFAULTS_FILE,
    SERVICE_CLASSES,
    PlanningSettingsError,
    default_planning_settings,
    load_planning_settings,
    setting_keys,
)
from supplymesh.settings import TRANSFORMS_DIR


def write_settings(home: Path, text: str) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    path = home / "planning.yaml"
    path.write_text(text)
    return path


def test_the_repository_file_sets_every_key_once():
    raw = yaml.safe_load(DEFAULTS_FILE.read_text())
    settings = default_planning_settings()
    assert settings.as_dict() == raw  # nothing defaulted in code, nothing extra in the file
    assert list(settings.flat()) == setting_keys()
    assert settings.forecast.horizon_days == 28
    assert settings.inventory.review_period_days == 7
    assert list(settings.service_targets()) == list(SERVICE_CLASSES)


def test_a_file_in_mesh_home_overrides_only_its_keys(tmp_path):
    write_settings(
        tmp_path, "forecast:\n  horizon_days: 35\ninventory:\n  service_targets:\n    AX: 0.99\n"
    )
    settings = load_planning_settings(tmp_path)
    assert settings.forecast.horizon_days == 35
    assert settings.service_targets()["AX"] == 0.99
    assert settings.service_targets()["AY"] == 0.97  # the repository's default
    assert settings.inventory.review_period_days == 7


def test_set_overrides_the_mesh_home_file_and_the_defaults(tmp_path):
    write_settings(tmp_path, "forecast:\n  horizon_days: 35\n")
    settings = load_planning_settings(
        tmp_path,
        [
            "forecast.horizon_days=42",
            "inventory.review_period_days=14",
            "model.search_enabled=false",
        ],
    )
    assert settings.forecast.horizon_days == 42
    assert settings.inventory.review_period_days == 14
    assert settings.model.search_enabled is False


def test_an_unknown_key_is_an_error_naming_it(tmp_path):
    with pytest.raises(PlanningSettingsError, match=r"'forecast\.horizon'"):
        load_planning_settings(overrides=["forecast.horizon=42"])
    path = write_settings(tmp_path, "inventory:\n  review_days: 7\n")
    with pytest.raises(
        PlanningSettingsError, match=f"{re.escape(str(path))}.*'inventory\\.review_days'"
    ):
        load_planning_settings(tmp_path)
    with pytest.raises(PlanningSettingsError, match=r"'inventory\.service_targets\.DX'"):
        load_planning_settings(overrides=["inventory.service_targets.DX=0.9"])


def test_a_bad_value_is_an_error_naming_the_key_and_the_value(tmp_path):
    with pytest.raises(
        PlanningSettingsError, match=r"forecast\.horizon_days: .*greater.*\(got 0\)"
    ):
        load_planning_settings(overrides=["forecast.horizon_days=0"])
    with pytest.raises(
        PlanningSettingsError, match=r"inventory\.service_targets\.AX: .*less than 1"
    ):
        load_planning_settings(overrides=["inventory.service_targets.AX=1.2"])
    with pytest.raises(PlanningSettingsError, match=r"backtest\.origins: .*integer"):
        load_planning_settings(overrides=["backtest.origins=many"])
    write_settings(tmp_path, "forecast: 42\n")
    with pytest.raises(PlanningSettingsError, match="'forecast' is a group"):
        load_planning_settings(tmp_path)
    with pytest.raises(PlanningSettingsError, match="KEY=VALUE"):
        load_planning_settings(overrides=["forecast.horizon_days"])


def test_dbt_reads_the_same_default_horizon():
    """dbt run by hand (make docs, the transforms tests) falls back to dbt_project.yml's mirror
    of the default; every mesh run passes the run's value with --vars."""
    project = yaml.safe_load((TRANSFORMS_DIR / "dbt_project.yml").read_text())
    assert project["vars"] == default_planning_settings().dbt_vars()
