"""Fixtures of the whole suite."""

import pytest

from supplymesh.settings import MeshPaths
from supplymesh.transforms_project import ensure_manifest


@pytest.fixture(scope="session")
def dbt_manifest(tmp_path_factory: pytest.TempPathFactory) -> MeshPaths:
    """A runtime folder whose dbt manifest was parsed once for the session (a real `dbt parse`
    of transforms/), for ``mesh_environment`` to copy into the folders of the tests that load the
    definitions or the lineage but do not test the parse."""
    paths = MeshPaths(tmp_path_factory.mktemp("dbt_manifest"))
    ensure_manifest(paths)
    return paths


# Under `pytest -n` (make test), every test that uses the session's materialized tiny world runs
# on one worker (`--dist loadgroup`), so that world is built once, not once per worker.
SHARED_WORLD_FIXTURE = "first_materialization"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SHARED_WORLD_FIXTURE in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("tiny_world"))
