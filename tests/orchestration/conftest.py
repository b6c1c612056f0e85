"""The tiny world materialized end to end through the real Dagster job: once per test session.

A whole-mesh run (the first one trains the demand model) is the costliest step of the fast suite,
so ``test_mesh_run`` and ``test_model_cadence`` share one instead of each paying for its own. A
test that leaves the shared mesh unable to run again (a bad batch as the newest landing) removes
what it landed once its assertions are done.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest

from supplymesh.dagster_home import prepare_dagster_home
from supplymesh.headless import RunOutcome, materialize
from supplymesh.settings import MeshPaths
from tests.mesh_world import generate_tiny_world, mesh_environment


def _materialize_tiny_world(home: Path) -> tuple[MeshPaths, RunOutcome]:
    with mesh_environment(home) as paths:
        generate_tiny_world(paths)
        return paths, materialize([])


@pytest.fixture(scope="session")
def first_materialization(tmp_path_factory) -> tuple[MeshPaths, RunOutcome]:
    """The tiny world's first whole-mesh run (it trains: no champion yet), shared by the session."""
    return _materialize_tiny_world(tmp_path_factory.mktemp("mesh"))


@pytest.fixture(scope="module")
def published_mesh(first_materialization) -> Iterator[tuple[MeshPaths, RunOutcome]]:
    """The session's materialized tiny world as ``MESH_HOME`` and Dagster instance of a module."""
    paths, outcome = first_materialization
    with mesh_environment(paths.home):
        prepare_dagster_home(paths)
        yield paths, outcome


@pytest.fixture(scope="module")
def own_published_mesh(tmp_path_factory) -> Iterator[tuple[MeshPaths, RunOutcome]]:
    """A tiny world materialized for one module alone, for tests that count every run of it."""
    home = tmp_path_factory.mktemp("own_mesh")
    paths, outcome = _materialize_tiny_world(home)
    with mesh_environment(home):
        prepare_dagster_home(paths)
        yield paths, outcome
