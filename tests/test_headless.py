"""What a headless run records in its config for every step to read."""

from supplymesh.headless import mesh_config
from supplymesh.settings import MeshPaths


def test_every_run_records_its_mesh_home_for_the_steps_to_check(tmp_path):
    assert mesh_config(MeshPaths(tmp_path), ()) == {"config": {"home": str(tmp_path)}}


def test_allow_shrink_is_recorded_with_who_asked(tmp_path, monkeypatch):
    monkeypatch.setenv("USER", "ada")
    config = mesh_config(MeshPaths(tmp_path), ["sales.orders"])["config"]
    assert config["allow_shrink"] == ["sales.orders"]
    assert config["requested_by"] == "cli:ada (mesh materialize --allow-shrink)"
    assert config["home"] == str(tmp_path)
