"""The dbt CLI resource of the transforms step knows the dbt version without starting dbt."""

import re
import subprocess

from orchestration.transforms.resources import MeshDbtCliResource
from supplymesh.settings import TRANSFORMS_DIR
from supplymesh.transforms_project import dbt_executable


def test_the_dbt_version_is_the_one_dbt_reports() -> None:
    resource = MeshDbtCliResource(project_dir=str(TRANSFORMS_DIR), dbt_executable=dbt_executable())
    reported = subprocess.run(
        [dbt_executable(), "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert str(resource._cli_version) == re.search(r"(\d+\.\d+\.\d+)", reported).group(1)
