"""``MESH_HOME`` where processes must share it: set, absolute, or an error saying so."""

import pytest

from supplymesh.settings import MeshHomeNotSharedError, shared_mesh_home


def test_workers_need_mesh_home_set_explicitly(monkeypatch):
    monkeypatch.delenv("MESH_HOME", raising=False)
    with pytest.raises(MeshHomeNotSharedError, match="mesh worker needs MESH_HOME set"):
        shared_mesh_home("mesh worker")


def test_a_relative_mesh_home_is_refused(monkeypatch):
    monkeypatch.setenv("MESH_HOME", ".mesh")  # each worker would resolve its own working folder
    with pytest.raises(MeshHomeNotSharedError, match="absolute path"):
        shared_mesh_home("mesh worker")


def test_an_absolute_mesh_home_is_the_shared_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("MESH_HOME", str(tmp_path))
    assert shared_mesh_home("mesh worker") == tmp_path.resolve()
