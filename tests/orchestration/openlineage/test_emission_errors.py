"""A run whose lineage cannot be emitted keeps its own result: the error becomes one line of the
run's summary naming the run, and no events file is left, so a later emitter can write it."""

import dagster as dg
import pytest

from orchestration.openlineage.emission import run_lineage_line
from supplymesh.settings import MeshPaths


@dg.asset
def answer() -> int:
    return 42


@pytest.fixture
def paths(tmp_path, monkeypatch) -> MeshPaths:
    monkeypatch.setenv("MESH_HOME", str(tmp_path))
    monkeypatch.delenv("OPENLINEAGE_DISABLED", raising=False)
    paths = MeshPaths(tmp_path)
    paths.dbt_target.write_text("not a folder")  # the dbt manifest cannot be prepared
    return paths


def test_a_lineage_error_after_a_run_is_one_line_naming_the_run(paths, caplog):
    defs = dg.Definitions(assets=[answer])
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize([answer], instance=instance)
        line = run_lineage_line(instance, result.run_id, defs.resolve_asset_graph())
    assert result.success
    assert line.startswith(f"  lineage NOT emitted for run {result.run_id}: FileExistsError")
    assert "\n" not in line
    logged = [r.getMessage() for r in caplog.records if r.name == "supplymesh.openlineage"]
    assert logged == [line.strip()]
    assert not paths.openlineage.exists()
