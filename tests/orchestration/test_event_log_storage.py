"""The mesh's SQLite event log stores what Dagster's own stores, through fewer connections, and a
live run can still be followed."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from pathlib import Path

import dagster as dg
import pytest
import yaml
from dagster._core.storage.event_log import EventLogStorage
from sqlalchemy import event as event_api
from sqlalchemy.pool import Pool

from orchestration.event_log_storage import MeshSqliteEventLogStorage
from supplymesh.dagster_home import EVENT_BATCH_SIZE, EVENT_BATCH_SIZE_ENV
from supplymesh.settings import PROJECT_ROOT


@dg.asset
def parts() -> int:
    return 3


@dg.asset_check(asset=parts)
def parts_are_positive() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


@dg.asset(deps=[parts])
def assembled() -> None:
    return None


JOB = dg.Definitions(
    assets=[parts, assembled], asset_checks=[parts_are_positive]
).get_implicit_global_asset_job_def()


def _instance(home: Path, config: dict) -> dg.DagsterInstance:
    """The instance of ``home`` as `DagsterInstance.get()` loads it (DAGSTER_HOME set)."""
    home.mkdir()
    (home / "dagster.yaml").write_text(yaml.safe_dump(config))
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DAGSTER_HOME", str(home))
        return dg.DagsterInstance.get()


def _mesh_config() -> dict:
    config = yaml.safe_load((PROJECT_ROOT / "dagster.yaml").read_text())
    return {"telemetry": config["telemetry"], "event_log_storage": config["event_log_storage"]}


def _connections_to_store(storage: EventLogStorage, event: dg.EventLogEntry) -> int:
    """How many database connections storing ``event`` (once more) opens."""
    opened = []

    def count(*_args) -> None:
        opened.append(1)

    event_api.listen(Pool, "connect", count)
    try:
        storage.store_event(event)
    finally:
        event_api.remove(Pool, "connect", count)
    return len(opened)


def _stored(instance: dg.DagsterInstance, run_id: str) -> dict:
    check = dg.AssetCheckKey(dg.AssetKey("parts"), "parts_are_positive")
    storage = instance.event_log_storage
    return {
        "events": [e.dagster_event_type for e in instance.all_logs(run_id)],
        "materialized": sorted(
            key.to_user_string()
            for key in (dg.AssetKey("parts"), dg.AssetKey("assembled"))
            if instance.get_latest_materialization_event(key)
        ),
        "planned": sorted(
            key.to_user_string()
            for key in (dg.AssetKey("parts"), dg.AssetKey("assembled"))
            if storage.get_latest_planned_materialization_info(key)
        ),
        "check": [
            (r.run_id, r.status.value)
            for r in storage.get_asset_check_execution_history(check, limit=5)
        ],
    }


def test_the_instance_of_the_mesh_uses_it(tmp_path) -> None:
    instance = _instance(tmp_path / "home", _mesh_config())
    assert isinstance(instance.event_log_storage, MeshSqliteEventLogStorage)
    assert Path(instance.event_log_storage._base_dir) == tmp_path / "home" / "history" / "runs"


def test_it_stores_what_dagsters_storage_stores_with_fewer_connections(
    tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv(EVENT_BATCH_SIZE_ENV, EVENT_BATCH_SIZE)  # as `mesh` sets it
    stored, connections = {}, {}
    for name, config in {"dagster": {}, "mesh": _mesh_config()}.items():
        with _instance(tmp_path / name, {"telemetry": {"enabled": False}, **config}) as instance:
            run_id = str(uuid.uuid4())
            assert JOB.execute_in_process(instance=instance, run_id=run_id).success
            stored[name] = _stored(instance, run_id)
            stored[name]["check"] = [(r == run_id, status) for r, status in stored[name]["check"]]
            evaluation = instance.all_logs(
                run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
            )[0]
            connections[name] = _connections_to_store(instance.event_log_storage, evaluation)

    assert stored["mesh"] == stored["dagster"]
    assert stored["mesh"]["check"] == [(True, "SUCCEEDED")]
    assert stored["mesh"]["materialized"] == ["assembled", "parts"]
    # a check's evaluation: one connection to the run's file and one to the index
    assert connections == {"dagster": 4, "mesh": 2}


def test_a_failed_write_stores_nothing_of_the_event(tmp_path) -> None:
    with _instance(tmp_path / "home", _mesh_config()) as instance:
        storage = instance.event_log_storage
        run_id = str(uuid.uuid4())
        assert JOB.execute_in_process(instance=instance, run_id=run_id).success
        before = len(instance.all_logs(run_id))
        event = instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)[0]

        def broken_index_write(*_args, **_kwargs) -> None:
            raise sqlite3.OperationalError("disk I/O error")

        storage._store_asset_event = broken_index_write
        with pytest.raises(sqlite3.OperationalError):
            storage.store_event(event)
        assert len(instance.all_logs(run_id)) == before  # the run's file rolled back too


def test_a_live_run_can_be_followed(tmp_path) -> None:
    """The webserver follows a run by watching its file: every event must still reach it."""
    with _instance(tmp_path / "home", _mesh_config()) as instance:
        run_id = str(uuid.uuid4())
        seen: list[dg.DagsterEventType | None] = []
        finished = threading.Event()

        def follow(entry: dg.EventLogEntry, _cursor: str) -> None:
            seen.append(entry.dagster_event_type)
            if entry.dagster_event_type == dg.DagsterEventType.RUN_SUCCESS:
                finished.set()

        instance.event_log_storage.watch(run_id, None, follow)
        assert JOB.execute_in_process(instance=instance, run_id=run_id).success
        assert finished.wait(timeout=30)
        assert seen == [e.dagster_event_type for e in instance.all_logs(run_id)]
