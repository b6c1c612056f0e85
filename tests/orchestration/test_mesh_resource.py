"""A step refuses to run in a process whose ``MESH_HOME`` is not its run's (a Celery worker
started with another folder, or none) instead of publishing somewhere no one reads."""

import dagster as dg

from orchestration.resources import MeshResource


@dg.asset
def uses_the_mesh(mesh: MeshResource) -> None:
    """A step that needs the runtime folder."""


def test_a_step_in_another_mesh_home_fails_naming_both_folders(tmp_path, monkeypatch):
    run_home, worker_home = tmp_path / "shared", tmp_path / "local"
    monkeypatch.setenv("MESH_HOME", str(worker_home))
    result = dg.materialize(
        [uses_the_mesh], resources={"mesh": MeshResource(home=str(run_home))}, raise_on_error=False
    )
    assert not result.success
    failure = next(e for e in result.all_events if e.is_failure)
    message = str(failure.event_specific_data.error)
    assert str(run_home) in message and str(worker_home) in message


def test_outside_a_run_there_is_no_step_to_refuse(tmp_path, monkeypatch):
    """A sensor's evaluation initialises the resource with no run: nothing is checked."""
    monkeypatch.setenv("MESH_HOME", str(tmp_path / "local"))
    MeshResource(home=str(tmp_path / "shared")).setup_for_execution(
        dg.build_init_resource_context()
    )


def test_a_step_in_the_run_s_mesh_home_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("MESH_HOME", str(tmp_path))
    MeshResource(home=str(tmp_path)).setup_for_execution(dg.build_init_resource_context())
    MeshResource().setup_for_execution(dg.build_init_resource_context())  # the UI's runs
