"""A run whose OpenLineage events cannot be built is skipped with the error, never raised:
a raising run-status sensor would retry that run at every tick and block every later run's."""

import dagster as dg

from orchestration.openlineage import sensors


@dg.op
def breaks() -> None:
    raise ValueError("a step that fails")


@dg.job
def failing_job() -> None:
    breaks()


def test_an_error_building_events_is_skipped_with_its_reason(monkeypatch) -> None:
    def cannot_build(*_args, **_kwargs):
        raise RuntimeError("the event log holds a record this code cannot read")

    monkeypatch.setattr(sensors, "emit_run_lineage", cannot_build)
    with dg.DagsterInstance.ephemeral() as instance:
        result = failing_job.execute_in_process(instance=instance, raise_on_error=False)
        run = instance.get_run_by_id(result.run_id)
        failure = instance.all_logs(result.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)[0]
        context = dg.build_run_status_sensor_context(
            sensor_name="openlineage_on_failure",
            dagster_instance=instance,
            dagster_run=run,
            dagster_event=failure.dagster_event,
            repository_def=dg.Definitions(jobs=[failing_job]).get_repository_def(),
        ).for_run_failure()
        skipped = sensors.openlineage_on_failure(context)
    assert skipped.skip_message == (
        f"run {result.run_id}: no OpenLineage events (RuntimeError: the event log holds a record "
        "this code cannot read)"
    )
