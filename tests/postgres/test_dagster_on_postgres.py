"""The whole mesh runs with its Dagster instance on a real PostgreSQL server.

Runs, their events and the sensor/schedule tables must land in PostgreSQL, not in SQLite files
under the runtime folder.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest

from supplymesh.settings import MeshPaths
from tests.mesh_world import generate_tiny_world
from tests.postgres.pg_server import DATABASE, ROLE, PostgresServer

pytestmark = pytest.mark.postgres

MESH = str(Path(sys.executable).with_name("mesh"))


def mesh_env(home: Path, **extra: str) -> dict[str, str]:
    """The caller's environment without any Dagster or PostgreSQL setting, plus ``extra``."""
    cleared = (
        *("DAGSTER_HOME", "DBT_TARGET_PATH", "DBT_LOG_PATH", "MESH_DAGSTER_CONFIG"),
        *("MESH_DAGSTER_PG_URL", "PGUSER", "PGPASSWORD", "PGHOST", "PGPORT", "PGDATABASE"),
    )
    env = {k: v for k, v in os.environ.items() if k not in cleared}
    return {**env, "MESH_HOME": str(home), **extra}


def run_id_of(stdout: str) -> str:
    found = re.search(r"^run ([0-9a-f-]{36}) succeeded", stdout, re.MULTILINE)
    assert found, stdout
    return found.group(1)


def query(postgres: PostgresServer, sql: str, *params: object) -> list[tuple]:
    with psycopg2.connect(postgres.dsn) as con, con.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def test_mesh_materializes_with_runs_and_events_in_postgres(
    postgres: PostgresServer, tmp_path: Path
) -> None:
    home = tmp_path / "mesh"
    generate_tiny_world(MeshPaths(home))
    env = mesh_env(home, MESH_DAGSTER_PG_URL=postgres.url)

    done = subprocess.run(
        [MESH, "materialize", "--instance", "postgres"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    run_id = run_id_of(done.stdout)

    assert query(postgres, "select status from runs where run_id = %s", run_id) == [("SUCCESS",)]
    events = dict(
        query(
            postgres,
            "select dagster_event_type, count(*) from event_logs where run_id = %s group by 1",
            run_id,
        )
    )
    assert events["ASSET_MATERIALIZATION"] >= 30  # every product, dbt model and plan
    assert events["ASSET_CHECK_EVALUATION"] >= 10
    planned = query(
        postgres,
        "select count(*) from event_logs where run_id = %s and asset_key like %s",
        run_id,
        '%"planning", "demand_forecast_v1"%',
    )
    assert planned[0][0] >= 1
    schedule_tables = query(
        postgres,
        "select table_name from information_schema.tables where table_name in "
        "('instigators', 'jobs', 'job_ticks')",
    )
    assert {t for (t,) in schedule_tables} == {"instigators", "jobs", "job_ticks"}
    dagster_home = MeshPaths(home).dagster_home
    assert not list(dagster_home.rglob("*.db")), "a SQLite storage was created beside PostgreSQL"


def test_standard_pg_variables_are_enough_to_reach_the_instance(
    postgres: PostgresServer, tmp_path: Path
) -> None:
    """A shell set up for psql (PGUSER, PGPASSWORD, ...) needs no Dagster-specific URL."""
    home = tmp_path / "mesh"
    generate_tiny_world(MeshPaths(home))
    env = mesh_env(
        home,
        MESH_DAGSTER_CONFIG="postgres",
        PGUSER=ROLE,
        PGPASSWORD=postgres.password,
        PGHOST="127.0.0.1",
        PGPORT=str(postgres.port),
        PGDATABASE=DATABASE,
    )
    done = subprocess.run(
        [MESH, "materialize", "--select", "catalog.products"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    run_id = run_id_of(done.stdout)
    assert query(postgres, "select status from runs where run_id = %s", run_id) == [("SUCCESS",)]
