"""Choosing the Dagster instance config, and failing early when its variables are missing."""

from __future__ import annotations

import os

import pytest
import yaml

from supplymesh.cli import main
from supplymesh.dagster_home import (
    INSTANCE_CONFIGS,
    POSTGRES_URL_ENV,
    InstanceConfigError,
    check_environment,
    env_references,
    instance_config,
    postgres_url_from_libpq_env,
)
from supplymesh.settings import PROJECT_ROOT

PG_VARS = (POSTGRES_URL_ENV, "PGUSER", "PGPASSWORD", "PGHOST", "PGPORT", "PGDATABASE")


@pytest.fixture
def no_pg_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for key in (*PG_VARS, "MESH_DAGSTER_CONFIG"):
        monkeypatch.delenv(key, raising=False)
    return monkeypatch


def test_config_is_chosen_by_name_or_path(no_pg_env, tmp_path) -> None:
    assert instance_config() == PROJECT_ROOT / "dagster.yaml"
    no_pg_env.setenv("MESH_DAGSTER_CONFIG", "postgres")
    assert instance_config() == PROJECT_ROOT / "dagster.postgres.yaml"
    own = tmp_path / "mine.yaml"
    no_pg_env.setenv("MESH_DAGSTER_CONFIG", str(own))
    assert instance_config() == own


def test_postgres_config_keeps_every_storage_and_no_secret_in_the_file() -> None:
    config = yaml.safe_load(INSTANCE_CONFIGS["postgres"].read_text())
    assert config["storage"]["postgres"]["postgres_url"] == {"env": POSTGRES_URL_ENV}
    assert list(env_references(config)) == [POSTGRES_URL_ENV]
    sqlite = yaml.safe_load(INSTANCE_CONFIGS["sqlite"].read_text())
    assert config["run_coordinator"] == sqlite["run_coordinator"]  # same queueing rules


def test_missing_url_fails_before_dagster_starts_naming_the_variable(no_pg_env) -> None:
    with pytest.raises(InstanceConfigError, match=POSTGRES_URL_ENV):
        check_environment(INSTANCE_CONFIGS["postgres"])
    check_environment(INSTANCE_CONFIGS["sqlite"])  # nothing to read, nothing missing


def test_cli_reports_the_missing_url_and_exits_two(no_pg_env, tmp_path, capsys) -> None:
    no_pg_env.setenv("MESH_HOME", str(tmp_path))
    assert main(["materialize", "--instance", "postgres"]) == 2
    assert POSTGRES_URL_ENV in capsys.readouterr().err


def test_url_is_built_from_libpq_variables_with_the_password_quoted(no_pg_env) -> None:
    env = {"PGUSER": "mesh", "PGPASSWORD": "p@ss/w:rd", "PGDATABASE": "dagster", "PGPORT": "6543"}
    assert (
        postgres_url_from_libpq_env(env)
        == "postgresql+psycopg2://mesh:p%40ss%2Fw%3Ard@127.0.0.1:6543/dagster"
    )
    assert postgres_url_from_libpq_env({"PGUSER": "mesh"}) is None
    for key, value in env.items():
        no_pg_env.setenv(key, value)
    no_pg_env.setenv(POSTGRES_URL_ENV, "")  # empty counts as unset; restored after the test
    check_environment(INSTANCE_CONFIGS["postgres"])
    assert os.environ[POSTGRES_URL_ENV].endswith("@127.0.0.1:6543/dagster")
