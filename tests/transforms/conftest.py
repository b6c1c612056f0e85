"""One `dbt build` of `transforms/` per test session over the hand-made mesh catalog.

The world and the helpers live in `mesh_fixture.py`; every test reads the same built
`MESH_HOME/transforms.duckdb`.
"""

from __future__ import annotations

import time

import pytest

from tests.transforms.mesh_fixture import (
    TRANSFORMS_DIR,
    BuiltMesh,
    dbt_env,
    run_dbt,
    write_mesh_catalog,
)


@pytest.fixture(scope="session")
def built_mesh(tmp_path_factory: pytest.TempPathFactory) -> BuiltMesh:
    home = tmp_path_factory.mktemp("mesh_home")
    write_mesh_catalog(home / "mesh.duckdb")
    target_path = home / "dbt_target"
    started = time.perf_counter()
    result = run_dbt(["build"], TRANSFORMS_DIR, home, target_path)
    seconds = time.perf_counter() - started
    print(f"\ndbt build on the fixture mesh took {seconds:.1f} s")
    return BuiltMesh(
        home=home, target_path=target_path, build=result, build_seconds=seconds, env=dbt_env(home)
    )
