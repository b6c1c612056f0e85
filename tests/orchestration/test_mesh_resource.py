"""A step refuses to run in a process whose ``MESH_HOME`` is not its run's (a Celery worker
started with another folder, or none) instead of publishing somewhere no one reads."""

import dagster as dg
import pytest

from orchestration.resources import MeshResource


def test_a_step_in_another_mesh_home_fails_naming_both_folders(tmp_path, monkeypatch):
    run_home, worker_home = tmp_path / "shared", tmp_path / "local"
    monkeypatch.setenv("MESH_HOME", str(worker_home))
    with pytest.raises(dg.Failure) as failed:
        MeshResource(home=str(run_home)).setup_for_execution(dg.build_init_resource_context())
    assert str(run_home) in failed.value.description
    assert str(worker_home) in failed.value.description


def test_a_step_in_the_run_s_mesh_home_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("MESH_HOME", str(tmp_path))
    MeshResource(home=str(tmp_path)).setup_for_execution(dg.build_init_resource_context())
    MeshResource().setup_for_execution(dg.build_init_resource_context())  # the UI's runs
