"""The Dagster instance folder: created under the runtime folder from the repository's config."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from supplymesh.settings import PROJECT_ROOT, MeshPaths


def instance_config() -> Path:
    """``dagster.yaml`` at the root, or the file named by ``MESH_DAGSTER_CONFIG``."""
    return Path(os.environ.get("MESH_DAGSTER_CONFIG", PROJECT_ROOT / "dagster.yaml")).resolve()


def prepare_dagster_home(paths: MeshPaths) -> Path:
    """Create ``DAGSTER_HOME`` with the chosen instance config and point the environment at it."""
    home = paths.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(instance_config(), home / "dagster.yaml")
    os.environ["DAGSTER_HOME"] = str(home)
    os.environ["MESH_HOME"] = str(paths.home)
    return home
