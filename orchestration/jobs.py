"""Jobs: the whole mesh in one run (the model's training job is ``orchestration.ml.cadence``'s).

``mesh`` selects every asset, so one in-process run can train and then forecast with the new
champion; ``mesh materialize`` leaves the training group out of the run's selection unless a
training is due or asked for (``DAILY_SELECTION``).

The mesh job takes the definitions' executor (``orchestration.executors.mesh_executor``): in
process by default, since on two cores each step process of the multiprocess executor costs about
10 s of imports, more than most steps themselves (see README, "Executor"); Celery workers with
``MESH_EXECUTOR=celery``.
"""

from __future__ import annotations

import dagster as dg

MESH_JOB = "mesh"
TRAINING_GROUP = "model_lifecycle"
# the daily path: products, transforms, forecast with the serving champion, plans, governance
DAILY_SELECTION = dg.AssetSelection.all() - dg.AssetSelection.groups(TRAINING_GROUP)

mesh_job = dg.define_asset_job(
    MESH_JOB,
    selection=dg.AssetSelection.all(),
    description="Publish every domain's products, build the transforms, and plan.",
    tags={"supplymesh/writes": "transforms"},  # queued one at a time (dagster.yaml)
)
