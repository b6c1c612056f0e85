"""The mesh's Dagster definitions: every area's assets, central governance applied once, the job,
the landing sensor, the model's training cadence (job, schedule, automation sensor) and the
resources.

Kept thin on purpose (like dagster-open-platform's root): each area lives in its own package with
one module per role (``products/``, ``transforms/``, ``ml/``, ``planning/``, ``governance/``,
``landing/``); this file only assembles them. The Dagster UI shows this code location as
``supplymesh`` (``workspace.yaml``).
"""

from __future__ import annotations

import dagster as dg

from orchestration.executors import mesh_executor
from orchestration.governance.central import governance_definitions
from orchestration.jobs import mesh_job
from orchestration.landing.sensors import landing_sensor
from orchestration.ml.assets import ml_assets
from orchestration.ml.cadence import (
    model_training_job,
    model_training_schedule,
    training_automation_sensor,
)
from orchestration.openlineage.sensors import OPENLINEAGE_SENSORS
from orchestration.planning.assets import planning_assets
from orchestration.products.assets import source_product_assets
from orchestration.resources import MeshResource, planning_resource
from orchestration.transforms.assets import transforms_assets
from orchestration.transforms.resources import dbt_project, dbt_resource
from supplymesh.planning_settings import load_planning_settings
from supplymesh.settings import mesh_paths


def build_definitions() -> dg.Definitions:
    """Definitions for the runtime folder named by ``MESH_HOME`` at call time."""
    project = dbt_project()
    settings = load_planning_settings(mesh_paths().home)
    assets = [
        *source_product_assets(),
        transforms_assets(project),
        *ml_assets(),
        *planning_assets(),
    ]
    governance = governance_definitions(assets)  # central checks on every product, applied once
    return dg.Definitions(
        assets=[*assets, *governance["assets"]],
        asset_checks=governance["asset_checks"],
        jobs=[mesh_job, model_training_job],
        schedules=[model_training_schedule(settings)],
        sensors=[landing_sensor, training_automation_sensor, *OPENLINEAGE_SENSORS],
        executor=mesh_executor(),  # the mesh job's: in process, or Celery (MESH_EXECUTOR)
        resources={
            "mesh": MeshResource(),
            "dbt": dbt_resource(project),
            "planning": planning_resource(settings),
        },
    )


@dg.definitions
def defs() -> dg.Definitions:
    """Loaded lazily by Dagster, so importing this module reads no configuration."""
    return build_definitions()
