"""The dbt project, located once with its manifest in the runtime folder, and the dbt CLI
resource that runs it (read when the definitions are built, never at import)."""

import os
import sys
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any

from dagster_dbt import DbtCliResource, DbtProject
from packaging import version

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


class MeshDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt CLI resource without two costs it pays before every build, about 8 s
    of the transforms step on 2 cores, neither of which the mesh needs: ``dbt --version`` in a
    subprocess (a whole dbt start-up) to learn the version of the dbt next to this Python,
    which is the installed dbt-core's; and a dbt adapter opened in this process, which serves
    only ``fetch_row_counts`` / ``fetch_column_metadata`` (the mesh calls neither: the
    products' row counts come from their publishes)."""

    @cached_property
    def _cli_version(self) -> version.Version:
        if Path(self.dbt_executable).parent == Path(sys.executable).parent:
            return version.parse(installed_version("dbt-core"))
        return DbtCliResource._cli_version.func(self)  # another dbt: ask it

    def _initialize_dbt_core_adapter(self, args: Any) -> None:
        return None


def dbt_resource(project: DbtProject) -> DbtCliResource:
    return MeshDbtCliResource(project_dir=project, dbt_executable=dbt_executable())
