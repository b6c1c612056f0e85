"""An event-driven run's drift checks carry over the last full run's verdicts, on a real Dagster
instance; with no verdict to carry they are not evaluated at all, never a made-up pass."""

import dagster as dg
import pandas as pd

from orchestration.planning.replan import carried_drift_checks
from supplymesh.planning.replanning.scope import ReplanScope, replan_scope

FORECAST = dg.AssetKey(["planning", "demand_forecast_v1"])
DRIFT = ("feature_drift", "target_drift")


def _scope() -> ReplanScope:
    positions = pd.DataFrame({"sku": ["A"], "location_id": ["DC1"], "supplier_id": ["S1"]})
    changed = pd.DataFrame({"sku": ["A"], "location_id": ["DC1"], "rows": [2]})
    return replan_scope("sales.orders", changed, positions, "2026-11-27", "2026-11-27")


def _full_run(
    instance: dg.DagsterInstance, feature_drift_passed: bool, carried_from: str | None = None
) -> str:
    """A run that records both drift checks of the forecast: measured, as a full run does, or
    carried over from run ``carried_from``, as an event-driven run does."""
    said = {} if carried_from is None else {"carried_from_run": carried_from}

    @dg.asset(key=FORECAST, check_specs=[dg.AssetCheckSpec(n, asset=FORECAST) for n in DRIFT])
    def forecast():
        yield dg.MaterializeResult()
        yield dg.AssetCheckResult(
            check_name="feature_drift", passed=feature_drift_passed, metadata=said
        )
        yield dg.AssetCheckResult(check_name="target_drift", passed=True, metadata=said)

    return dg.materialize([forecast], instance=instance).run_id


def test_without_a_full_runs_verdict_the_drift_checks_are_not_evaluated() -> None:
    with dg.DagsterInstance.ephemeral() as instance:
        results, said = carried_drift_checks(instance, FORECAST, _scope())
    assert results == []
    assert set(said) == {"feature_drift_check", "target_drift_check"}
    assert all(v.startswith("not evaluated: no full run has measured drift") for v in said.values())


def test_a_full_runs_failed_verdict_is_carried_over_failed() -> None:
    with dg.DagsterInstance.ephemeral() as instance:
        full = _full_run(instance, feature_drift_passed=False)
        results, said = carried_drift_checks(instance, FORECAST, _scope())
    verdicts = {r.check_name: r.passed for r in results}
    assert verdicts == {"feature_drift": False, "target_drift": True}
    assert said["feature_drift_check"] == f"carried over from run {full}"
    assert all(r.description.startswith(f"carried over from run {full},") for r in results)


def test_a_verdict_carried_before_names_the_full_run_that_measured_it() -> None:
    with dg.DagsterInstance.ephemeral() as instance:
        full = _full_run(instance, feature_drift_passed=True)
        _full_run(instance, feature_drift_passed=True, carried_from=full)  # an event run
        _, said = carried_drift_checks(instance, FORECAST, _scope())
    assert said == {f"{n}_check": f"carried over from run {full}" for n in DRIFT}


def _event_run(instance: dg.DagsterInstance) -> tuple[dg.ExecuteInProcessResult, dict]:
    """A run that carries the drift checks over from inside its step, as the forecast step of
    an event-driven run does (its own checks are on record as planned by then)."""
    said: dict = {}

    @dg.multi_asset(
        specs=[dg.AssetSpec(FORECAST)],
        check_specs=[dg.AssetCheckSpec(n, asset=FORECAST) for n in DRIFT],
        can_subset=True,
    )
    def forecast(context: dg.AssetExecutionContext):
        results, metadata = carried_drift_checks(context.instance, FORECAST, _scope())
        said.update(metadata)
        yield dg.MaterializeResult(asset_key=FORECAST, metadata=metadata)
        yield from results

    return dg.materialize([forecast], instance=instance), said


def test_inside_a_run_the_verdict_carried_is_the_full_runs_not_the_runs_own_planned_check():
    with dg.DagsterInstance.ephemeral() as instance:
        full = _full_run(instance, feature_drift_passed=False)
        result, said = _event_run(instance)
        evaluations = result.get_asset_check_evaluations()
    assert result.success
    assert said == {f"{n}_check": f"carried over from run {full}" for n in DRIFT}
    assert {e.check_name: e.passed for e in evaluations} == {
        "feature_drift": False,
        "target_drift": True,
    }


def test_a_run_with_nothing_to_carry_succeeds_with_its_drift_checks_unevaluated():
    with dg.DagsterInstance.ephemeral() as instance:
        result, said = _event_run(instance)
    assert result.success
    assert result.get_asset_check_evaluations() == []
    assert all(v.startswith("not evaluated") for v in said.values())
