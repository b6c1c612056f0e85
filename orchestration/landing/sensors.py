"""A sensor that publishes a domain's product when a new extract lands in its landing folder.

A batch counts as seen once a run has judged it, whoever started that run: the sensor itself
(its cursor), or ``mesh materialize`` / ``make demo`` before the UI was up (the publishing
manifest names, for every version of a product, the batch it last published and the batch it
last validated). Starting the UI on a materialized world therefore launches nothing, and a batch
a contract refused is not refused all over again; a batch that lands afterwards gets its run.

A new batch of orders or stock snapshots, once plans are served, gets an event-driven run
instead: the product, the dbt models downstream of it and a replan of only the SKU x DC pairs
the batch changed (``orchestration.landing.replan``).
"""

import json
from pathlib import Path

import dagster as dg

from orchestration.jobs import mesh_job
from orchestration.landing.replan import REPLAN_TRIGGERS, plans_served, replan_request
from orchestration.metadata import asset_key
from orchestration.resources import MeshResource
from supplymesh.publishing.landing import latest_batch
from supplymesh.publishing.manifest import (
    Manifest,
    current_snapshot,
    last_validation,
    read_manifest,
)
from supplymesh.registry import Product, all_products


def judged_batches(manifest: Manifest, product: Product) -> set[str]:
    """Names of the landing batches every version of ``product`` was published or refused from
    (empty while some version has never been validated)."""
    judged: set[str] | None = None
    for version in product.versions:
        records = (
            current_snapshot(manifest, product.key, version.major),
            last_validation(manifest, product.key, version.major),
        )
        names = {
            Path(record["source"]).name for record in records if record and record.get("source")
        }
        judged = names if judged is None else judged & names
    return judged or set()


@dg.sensor(
    job=mesh_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Materializes a source product when a new batch of its extract lands.",
)
def landing_sensor(context: dg.SensorEvaluationContext, mesh: MeshResource):
    """One run per new batch: the run key makes a batch publish once, however often we look."""
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    manifest = read_manifest(mesh.paths)
    for product in all_products():
        if product.source_kind != "landing":
            continue
        batch = latest_batch(mesh.paths.landing_dir(product.domain), product.source_extract or "")
        if batch is None or seen.get(product.key) == batch.name:
            continue
        seen[product.key] = batch.name
        if batch.name in judged_batches(manifest, product):
            continue  # a run outside the sensor (mesh materialize) already judged this batch
        graph = context.repository_def.asset_graph if context.repository_def else None
        if product.key in REPLAN_TRIGGERS and plans_served(manifest) and graph is not None:
            yield replan_request(product, batch.name, graph)  # publish it and replan its pairs
            continue
        yield dg.RunRequest(
            run_key=f"{product.key}:{batch.name}",
            asset_selection=[asset_key(v) for v in product.versions],
            tags={"supplymesh/product": product.key, "supplymesh/batch": batch.name},
        )
    context.update_cursor(json.dumps(seen, sort_keys=True))
