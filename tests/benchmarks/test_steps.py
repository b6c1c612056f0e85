"""Where a measured run spent its time: the run id and model line of `mesh materialize`'s output,
and step durations from a real Dagster event log."""

import dagster as dg
import pytest

from benchmarks.steps import (
    parse_model_line,
    parse_run_id,
    read_steps,
    slowest,
    step_durations,
)

MATERIALIZE_OUTPUT = """\
  materialized sales/orders_v2 (276,356 rows)
  materialized ml/forecast_models_v1 (1 rows)
model: trained (no champion yet)
run b6acd02a-ee06-4b07-9bcb-f119648a14e2 succeeded in 120.6 s (41 assets materialized, 0 checks failed)
step output and Dagster's log (dbt's log among it): /x/.mesh/logs/materialize_b6acd02a.log
"""


def test_run_id_and_model_line_are_read_from_materialize_output() -> None:
    assert parse_run_id(MATERIALIZE_OUTPUT) == "b6acd02a-ee06-4b07-9bcb-f119648a14e2"
    assert parse_model_line(MATERIALIZE_OUTPUT) == "trained (no champion yet)"


def test_a_failed_run_still_gives_its_id() -> None:
    out = "model: training FAILED (no champion yet)\nrun abc-1 FAILED in 3.0 s (2 assets)\n"
    assert parse_run_id(out) == "abc-1"
    assert parse_model_line(out) == "training FAILED (no champion yet)"


def test_output_without_a_run_line_gives_no_run_id() -> None:
    assert parse_run_id("mesh materialize: no landing files\n") is None
    assert parse_model_line("") is None


def test_step_durations_run_from_start_to_success_or_failure_and_skip_open_steps() -> None:
    events = [
        ("dbt", "STEP_START", 10.0),
        ("forecast_model", "STEP_START", 12.0),
        ("dbt", "STEP_SUCCESS", 40.5),
        ("forecast_model", "STEP_FAILURE", 100.0),
        ("supply_plan", "STEP_START", 101.0),  # the run broke: never finished
    ]
    assert step_durations(events) == {"dbt": 30.5, "forecast_model": 88.0}


def test_slowest_lists_the_longest_steps_first() -> None:
    seconds = {"a": 1.0, "b": 5.0, "c": 3.0, "d": 0.5}
    assert slowest(seconds, 2) == [("b", 5.0), ("c", 3.0)]


@pytest.fixture
def instance_home(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    return tmp_path


def test_steps_of_a_real_run_are_read_from_its_event_log(instance_home) -> None:
    @dg.asset
    def forecast_model() -> int:
        return 1

    @dg.asset
    def supply_plan(forecast_model: int) -> int:
        return forecast_model + 1

    with dg.DagsterInstance.get() as instance:
        older = dg.materialize([forecast_model], instance=instance).run_id
        newest = dg.materialize([forecast_model, supply_plan], instance=instance).run_id

    named = read_steps(older)
    assert named["run_id"] == older
    assert set(named["steps"]) == {"forecast_model"}
    latest = read_steps(None)
    assert latest["run_id"] == newest
    assert set(latest["steps"]) == {"forecast_model", "supply_plan"}
    assert all(s >= 0 for s in latest["steps"].values())


def test_an_instance_without_runs_has_no_steps(instance_home) -> None:
    assert read_steps(None) == {"run_id": None, "steps": {}}
