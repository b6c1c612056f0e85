"""A mesh run as OpenLineage run events, built with the ``openlineage-python`` client's classes.

The orchestrator run (a Dagster run) is one OpenLineage run of job ``supplymesh.<job>``; each
asset it materialized or tried to is a run of its own, job ``<domain>.<name>``, whose ``parent``
facet names the orchestrator run (so Marquez or DataHub nest the assets under the run). Every run
has a START and then a COMPLETE or a FAIL. An asset's events carry its inputs (the datasets of its
upstream assets, and a source product's landing extract) and its output with the facets that
describe it: ``schema`` (the contract's or dbt's columns), ``columnLineage`` (dbt models),
``dataQualityAssertions`` (the contract rules and checks it was held to), ``version`` (the
published snapshot) and ``outputStatistics`` (rows published). A FAIL carries ``errorMessage``.
"""

from __future__ import annotations

import datetime as dt
import uuid

from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import (
    column_lineage_dataset,
    data_quality_assertions_dataset,
    dataset_version_dataset,
    documentation_dataset,
    error_message_run,
    job_type_job,
    output_statistics_output_dataset,
    parent_run,
    schema_dataset,
)

from supplymesh.governance.openlineage.datasets import (
    FILE_NAMESPACE,
    JOB_NAMESPACE,
    PRODUCER,
    DatasetCatalog,
    DatasetInfo,
    job_name,
)
from supplymesh.governance.openlineage.records import Assertion, AssetRun, MeshRun

INTEGRATION = "DAGSTER"


def asset_run_id(run_id: str, asset: str) -> str:
    """The same asset in the same orchestrator run always gets the same id (a re-emission
    updates the lineage server's record instead of adding a run)."""
    return str(uuid.uuid5(uuid.UUID(run_id), asset))


def _time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat()


def _schema(info: DatasetInfo) -> dict:
    if not info.fields:
        return {}
    fields = [
        schema_dataset.SchemaDatasetFacetFields(
            name=f.name, type=f.type or None, description=f.description or None
        )
        for f in info.fields
    ]
    return {"schema": schema_dataset.SchemaDatasetFacet(fields=fields, producer=PRODUCER)}


def _column_lineage(info: DatasetInfo) -> dict:
    if not info.column_inputs:
        return {}
    fields = {
        column: column_lineage_dataset.Fields(
            inputFields=[
                column_lineage_dataset.InputField(namespace=ns, name=name, field=field)
                for ns, name, field in sources
            ]
        )
        for column, sources in info.column_inputs.items()
    }
    facet = column_lineage_dataset.ColumnLineageDatasetFacet(fields=fields, producer=PRODUCER)
    return {"columnLineage": facet}


def _assertions(assertions: tuple[Assertion, ...]) -> dict:
    if not assertions:
        return {}
    items = [
        data_quality_assertions_dataset.Assertion(
            assertion=a.name.split("(", 1)[0],  # the kind of test: the rule without its arguments
            success=a.passed,
            column=a.column,
            severity=a.severity,
            name=a.name,
            expected=a.expected,
            actual=a.actual,
        )
        for a in assertions
    ]
    facet = data_quality_assertions_dataset.DataQualityAssertionsDatasetFacet(
        assertions=items, producer=PRODUCER
    )
    return {"dataQualityAssertions": facet}


def _output(asset: AssetRun, info: DatasetInfo, final: bool) -> OutputDataset:
    """The asset's dataset: described at START, with its checks and outcome once it ended."""
    facets: dict = {**_schema(info), **_column_lineage(info)}
    if info.description:
        facets["documentation"] = documentation_dataset.DocumentationDatasetFacet(
            description=info.description, producer=PRODUCER
        )
    output_facets: dict = {}
    if final:
        facets |= _assertions(asset.assertions)
        if asset.succeeded and asset.snapshot_id:
            facets["version"] = dataset_version_dataset.DatasetVersionDatasetFacet(
                datasetVersion=asset.snapshot_id, producer=PRODUCER
            )
        if asset.succeeded and asset.rows is not None:
            output_facets["outputStatistics"] = (
                output_statistics_output_dataset.OutputStatisticsOutputDatasetFacet(
                    rowCount=asset.rows, producer=PRODUCER
                )
            )
    return OutputDataset(info.namespace, info.name, facets=facets, outputFacets=output_facets)


def _inputs(asset: AssetRun, catalog: DatasetCatalog) -> list[InputDataset]:
    inputs = [InputDataset(catalog.of(p).namespace, catalog.of(p).name) for p in asset.parents]
    if asset.source_file:
        inputs.append(InputDataset(FILE_NAMESPACE, asset.source_file))
    return inputs


def _job(name: str, job_type: str) -> Job:
    facet = job_type_job.JobTypeJobFacet(
        processingType="BATCH", integration=INTEGRATION, jobType=job_type, producer=PRODUCER
    )
    return Job(namespace=JOB_NAMESPACE, name=name, facets={"jobType": facet})


def _error(message: str | None) -> dict:
    if not message:
        return {}
    facet = error_message_run.ErrorMessageRunFacet(
        message=message, programmingLanguage="python", producer=PRODUCER
    )
    return {"errorMessage": facet}


def _ending(succeeded: bool) -> RunState:
    return RunState.COMPLETE if succeeded else RunState.FAIL


def asset_events(mesh_run: MeshRun, asset: AssetRun, catalog: DatasetCatalog) -> list[RunEvent]:
    """START and COMPLETE (or FAIL) of one asset's run, the orchestrator run as its parent."""
    parent_job = f"{JOB_NAMESPACE}.{mesh_run.job}"
    parent = parent_run.ParentRunFacet(
        run=parent_run.Run(runId=mesh_run.run_id),
        job=parent_run.Job(namespace=JOB_NAMESPACE, name=parent_job),
        root=parent_run.Root(
            run=parent_run.RootRun(runId=mesh_run.run_id),
            job=parent_run.RootJob(namespace=JOB_NAMESPACE, name=parent_job),
        ),
        producer=PRODUCER,
    )
    run_id = asset_run_id(mesh_run.run_id, asset.asset)
    job = _job(job_name(asset.asset), "ASSET")
    info = catalog.of(asset.asset)
    inputs = _inputs(asset, catalog)
    ending = _ending(asset.succeeded)
    return [
        RunEvent(
            eventType=state,
            eventTime=_time(moment),
            run=Run(
                runId=run_id, facets={"parent": parent, **(_error(asset.error) if end else {})}
            ),
            job=job,
            inputs=inputs,
            outputs=[_output(asset, info, final=end)],
            producer=PRODUCER,
        )
        for state, moment, end in (
            (RunState.START, asset.started, False),
            (ending, asset.ended, True),
        )
    ]


def run_events(mesh_run: MeshRun, catalog: DatasetCatalog) -> list[RunEvent]:
    """Every event of one orchestrator run, in time order: the run's START, each asset's START
    and end, the run's end."""
    job = _job(f"{JOB_NAMESPACE}.{mesh_run.job}", "JOB")
    start = RunEvent(
        eventType=RunState.START,
        eventTime=_time(mesh_run.started),
        run=Run(runId=mesh_run.run_id),
        job=job,
        producer=PRODUCER,
    )
    end = RunEvent(
        eventType=_ending(mesh_run.succeeded),
        eventTime=_time(mesh_run.ended),
        run=Run(runId=mesh_run.run_id, facets=_error(mesh_run.error)),
        job=job,
        producer=PRODUCER,
    )
    assets = [e for a in mesh_run.assets for e in asset_events(mesh_run, a, catalog)]
    assets.sort(key=lambda e: dt.datetime.fromisoformat(e.eventTime))  # stable: START first
    return [start, *assets, end]
