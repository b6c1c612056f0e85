"""Run status sensors that emit the OpenLineage events of every run that ends under ``mesh ui``.

The Dagster daemon evaluates them after a run succeeds or fails, whoever launched it (the UI's
Materialize button, the landing sensor, the training schedule). A ``mesh materialize`` run emits
its own events when it ends; if the daemon sees that run too, its run's file already exists and
nothing is sent twice (``governance.openlineage.emit``).
"""

from __future__ import annotations

import dagster as dg

from orchestration.openlineage.emission import emit_run_lineage


def _emit(context: dg.RunStatusSensorContext) -> dg.SkipReason:
    run_id = context.dagster_run.run_id
    emitted = emit_run_lineage(context.instance, run_id, context.repository_def.asset_graph)
    if emitted is None:
        return dg.SkipReason(f"run {run_id}: its OpenLineage events were already emitted")
    sent = ", ".join(emitted.transports)
    errors = "; ".join(emitted.errors)
    return dg.SkipReason(
        f"run {run_id}: {emitted.events} OpenLineage events to {sent} ({emitted.path})"
        + (f"; not sent: {errors}" if errors else "")
    )


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    name="openlineage_on_success",
    description="Emits the OpenLineage events of every run that succeeded.",
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def openlineage_on_success(context: dg.RunStatusSensorContext) -> dg.SkipReason:
    return _emit(context)


@dg.run_failure_sensor(
    name="openlineage_on_failure",
    description="Emits the OpenLineage events (FAIL among them) of every run that failed.",
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def openlineage_on_failure(context: dg.RunFailureSensorContext) -> dg.SkipReason:
    return _emit(context)


OPENLINEAGE_SENSORS = [openlineage_on_success, openlineage_on_failure]
