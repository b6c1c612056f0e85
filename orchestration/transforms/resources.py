"""The dbt project, located once with its manifest in the runtime folder, and the dbt CLI
resource that runs it (read when the definitions are built, never at import)."""

import os

from dagster_dbt import DbtCliResource, DbtProject

from supplymesh.settings import TRANSFORMS_DIR, mesh_paths
from supplymesh.transforms_project import dbt_env, dbt_executable, ensure_manifest


def dbt_project() -> DbtProject:
    """The dbt project with its manifest in the runtime folder (parsed if stale)."""
    paths = mesh_paths()
    os.environ.update(dbt_env(paths))
    ensure_manifest(paths)
    return DbtProject(
        project_dir=TRANSFORMS_DIR, target_path=paths.dbt_target, profiles_dir=TRANSFORMS_DIR
    )


def dbt_resource(project: DbtProject) -> DbtCliResource:
    return DbtCliResource(project_dir=project, dbt_executable=dbt_executable())
