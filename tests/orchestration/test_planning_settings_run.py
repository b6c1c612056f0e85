"""A run's planning settings reach every step: dbt's spine and lags, the forecast, the plan, and
``mesh evaluate`` afterwards (slow: it materializes a tiny world end to end, about 2 minutes)."""

import json

import pytest

from supplymesh.cli import main
from supplymesh.consumer import connect, run_query
from tests.mesh_world import generate_tiny_world, mesh_environment

RUN_SETTINGS = [
    "forecast.horizon_days=42",
    "inventory.service_targets.AX=0.99",
    "inventory.service_targets.CZ=0.85",
    "inventory.review_period_days=14",
]


@pytest.fixture(scope="module")
def mesh_run_with_settings(tmp_path_factory):
    """A tiny world materialized through ``mesh materialize --set ...`` (the CLI, as a user)."""
    with mesh_environment(tmp_path_factory.mktemp("settings_run")) as paths:
        generate_tiny_world(paths)
        args = ["materialize"] + [a for s in RUN_SETTINGS for a in ("--set", s)]
        assert main(args) == 0
        yield paths


@pytest.mark.slow
def test_a_42_day_horizon_publishes_42_forecast_days(mesh_run_with_settings):
    con = connect(mesh_run_with_settings)
    days = run_query(
        con,
        "select count(distinct horizon_day) n, min(horizon_day) lo, max(horizon_day) hi, "
        "max(forecast_date - forecast_origin) span from planning.demand_forecast",
    ).iloc[0]
    assert (days["n"], days["lo"], days["hi"], days["span"]) == (42, 1, 42, 42)
    per_series = run_query(
        con,
        "select count(*) n from planning.demand_forecast group by sku, location_id",
    )
    assert (per_series["n"] == 42).all()
    plan = run_query(con, "select distinct review_period_days from planning.inventory_plan")
    assert plan["review_period_days"].tolist() == [14]


@pytest.mark.slow
def test_evaluate_replays_the_targets_the_published_plan_used(mesh_run_with_settings, capsys):
    capsys.readouterr()  # the run's own output
    with mesh_environment(mesh_run_with_settings.home):
        assert main(["evaluate", "--json", "--seeds", "2"]) == 0
    report = json.loads(capsys.readouterr().out)
    settings = report["settings"]
    assert settings["source"].startswith("planning.inventory_plan snapshot ")
    assert settings["review_period_days"] == 14
    assert settings["service_targets"]["AX"] == 0.99
    assert settings["service_targets"]["CZ"] == 0.85
    assert settings["service_targets"]["AY"] == 0.97  # untouched: the default
    targets = {c["service_class"]: c["target"] for c in report["inventory"]["classes"]}
    expected = settings["service_targets"]
    assert targets and all(targets[c] == expected[c] for c in targets if c in expected)
