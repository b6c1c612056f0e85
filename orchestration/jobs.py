"""Jobs: the whole mesh in one run.

The mesh job runs in process: on two cores each step process of the multiprocess executor costs
about 10 s of imports, more than most steps themselves (see README, "Executor").
"""

from __future__ import annotations

import dagster as dg

MESH_JOB = "mesh"

mesh_job = dg.define_asset_job(
    MESH_JOB,
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description="Publish every domain's products, build the transforms, and plan.",
    tags={"supplymesh/writes": "transforms"},  # queued one at a time (dagster.yaml)
)
