"""Jobs: the whole mesh in one run (the model's training job is ``orchestration.ml.cadence``'s).

``mesh`` selects every asset, so one in-process run can train and then forecast with the new
champion; ``mesh materialize`` leaves the training group out of the run's selection unless a
training is due or asked for (``DAILY_SELECTION``).

The mesh job runs in process: on two cores each step process of the multiprocess executor costs
about 10 s of imports, more than most steps themselves (see README, "Executor").
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
    executor_def=dg.in_process_executor,
    description="Publish every domain's products, build the transforms, and plan.",
    tags={"supplymesh/writes": "transforms"},  # queued one at a time (dagster.yaml)
)
