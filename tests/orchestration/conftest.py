import pytest

from supplymesh.headless import materialize
from tests.mesh_world import generate_tiny_world, mesh_environment


@pytest.fixture(scope="module")
def published_mesh(tmp_path_factory):
    """A tiny world materialized once, end to end, through the real Dagster job."""
    with mesh_environment(tmp_path_factory.mktemp("mesh")) as paths:
        generate_tiny_world(paths)
        outcome = materialize([])
        yield paths, outcome
