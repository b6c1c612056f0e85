"""``mesh worker``: refuses a runtime folder workers cannot share, else becomes ``celery worker``
on the mesh's app (the command line checked here; tests/celery runs real workers)."""

import pytest

from supplymesh.cli import main
from supplymesh.cli.worker import CELERY_APP, celery_command


def test_a_worker_without_an_explicit_mesh_home_does_not_start(monkeypatch, capsys):
    monkeypatch.delenv("MESH_HOME", raising=False)
    assert main(["worker"]) == 2
    assert "mesh worker needs MESH_HOME set explicitly" in capsys.readouterr().err


def test_a_worker_whose_mesh_home_is_missing_does_not_start(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("MESH_HOME", str(tmp_path / "not-mounted"))
    assert main(["worker"]) == 2
    assert "not a folder this worker reaches" in capsys.readouterr().err


@pytest.mark.parametrize("concurrency", [1, 3])
def test_the_worker_runs_the_mesh_app_one_prefetched_step_at_a_time(concurrency):
    command = celery_command("w1", concurrency, "INFO")
    assert command[command.index("-A") + 1] == CELERY_APP
    assert command[command.index("-n") + 1] == "w1@%h"
    assert command[command.index("--concurrency") + 1] == str(concurrency)
    assert command[command.index("--prefetch-multiplier") + 1] == "1"
    assert command[command.index("-Q") + 1] == "dagster"
