"""A sensor that publishes a domain's product when a new extract lands in its landing folder.

A batch counts as seen once a run has judged it, whoever started that run: the sensor itself
(its cursor), or ``mesh materialize`` / ``make demo`` before the UI was up (the publishing
manifest names, for every version of a product, the batch it last published and the batch it
last validated). Starting the UI on a materialized world therefore launches nothing, and a batch
a contract refused is not refused all over again; a batch that lands afterwards gets its run.

A new batch of orders or stock snapshots, once plans are served, gets an event-driven run
instead: the product, the dbt models downstream of it and a replan of only the SKU x DC pairs
the batch changed (``orchestration.landing.replan``); or, when other products landed batches too
or the whole network would be replanned anyway, the full mesh run for all of them
(``orchestration.landing.full_run``).
"""

import json
from pathlib import Path

import dagster as dg

from orchestration.jobs import mesh_job
from orchestration.landing.full_run import full_run_reason, full_run_request
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
from supplymesh.settings import MeshPaths


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


def _landed(paths: MeshPaths) -> dict[str, tuple[Product, Path]]:
    """Every landing product's newest batch (products without a batch left out)."""
    out = {}
    for product in all_products():
        if product.source_kind != "landing":
            continue
        batch = latest_batch(paths.landing_dir(product.domain), product.source_extract or "")
        if batch is not None:
            out[product.key] = (product, batch)
    return out


def _trigger_reason(
    manifest: Manifest, triggers: list[tuple[Product, Path]], unjudged: set[str]
) -> str | None:
    """Why the replan triggers' batches get the full mesh run (None: event replans are right)."""
    for product, batch in triggers:
        others = sorted(unjudged - {product.key})
        if (reason := full_run_reason(manifest, product, batch, others)) is not None:
            return reason
    return None


def publish_request(product: Product, batch: Path) -> dg.RunRequest:
    """A run publishing ``batch`` of ``product`` alone (every version of it)."""
    return dg.RunRequest(
        run_key=f"{product.key}:{batch.name}",
        asset_selection=[asset_key(v) for v in product.versions],
        tags={"supplymesh/product": product.key, "supplymesh/batch": batch.name},
    )


@dg.sensor(
    job=mesh_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Materializes a source product when a new batch of its extract lands.",
)
def landing_sensor(context: dg.SensorEvaluationContext, mesh: MeshResource):
    """One run per new batch: the run key makes a batch publish once, however often we look. A
    batch a run outside the sensor (mesh materialize) already judged gets none."""
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    manifest = read_manifest(mesh.paths)
    landed = _landed(mesh.paths)
    unjudged = {k for k, (p, b) in landed.items() if b.name not in judged_batches(manifest, p)}
    fresh = [(p, b) for k, (p, b) in landed.items() if k in unjudged and seen.get(k) != b.name]
    seen.update({k: b.name for k, (_, b) in landed.items()})
    graph = context.repository_def.asset_graph if context.repository_def else None
    triggers = [(p, b) for p, b in fresh if p.key in REPLAN_TRIGGERS]
    if triggers and plans_served(manifest) and graph is not None:
        if (reason := _trigger_reason(manifest, triggers, unjudged)) is not None:
            context.log.info(f"the full mesh run, not an event replan: {reason}")
            yield full_run_request(fresh, graph)  # publishes every fresh batch too
            fresh = []
        else:
            yield from (replan_request(p, b.name, graph) for p, b in triggers)
            fresh = [(p, b) for p, b in fresh if p.key not in REPLAN_TRIGGERS]
    yield from (publish_request(p, b) for p, b in fresh)
    context.update_cursor(json.dumps(seen, sort_keys=True))
