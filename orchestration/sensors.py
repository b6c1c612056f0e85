"""A sensor that publishes a domain's product when a new extract lands in its landing folder."""

import json

import dagster as dg

from orchestration.jobs import mesh_job
from orchestration.metadata import asset_key
from orchestration.resources import MeshResource
from supplymesh.registry import all_products
from supplymesh.world.landing import latest_batch


@dg.sensor(
    job=mesh_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Materializes a source product when a new batch of its extract lands.",
)
def landing_sensor(context: dg.SensorEvaluationContext, mesh: MeshResource):
    """One run per new batch: the run key makes a batch publish once, however often we look."""
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    for product in all_products():
        if product.source_kind != "landing":
            continue
        batch = latest_batch(mesh.paths.landing_dir(product.domain), product.source_extract or "")
        if batch is None or seen.get(product.key) == batch.name:
            continue
        seen[product.key] = batch.name
        yield dg.RunRequest(
            run_key=f"{product.key}:{batch.name}",
            asset_selection=[asset_key(v) for v in product.versions],
            tags={"supplymesh/product": product.key, "supplymesh/batch": batch.name},
        )
    context.update_cursor(json.dumps(seen, sort_keys=True))
