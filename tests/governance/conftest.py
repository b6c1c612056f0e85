"""A tiny world published through the real publisher (no Dagster), once per session."""

import pytest

from supplymesh.publishing.publish import publish_landing
from supplymesh.registry import all_products
from supplymesh.settings import MeshPaths
from tests.mesh_world import generate_tiny_world


@pytest.fixture(scope="session")
def published(tmp_path_factory) -> MeshPaths:
    """Every source product of a tiny world, published by run ``test-run``."""
    paths = MeshPaths(tmp_path_factory.mktemp("published"))
    generate_tiny_world(paths)
    for product in all_products():
        if product.source_kind == "landing":
            for result in publish_landing(product.key, paths=paths, run_id="test-run"):
                assert result.published, result.report.summary()
    return paths


@pytest.fixture
def mesh_home(published, monkeypatch) -> MeshPaths:
    """Point the CLI (``MESH_HOME``) at the published mesh for one test."""
    monkeypatch.setenv("MESH_HOME", str(published.home))
    return published
