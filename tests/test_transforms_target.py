"""Which dbt target the mesh's dbt step runs on, and what the step on Spark hands back: checked
without Spark (the Spark build itself is `make test-spark`)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from supplymesh.planning_settings import load_planning_settings
from supplymesh.settings import TRANSFORMS_DIR, MeshPaths
from supplymesh.spark_transforms import copy_marts_to_duckdb, mart_names, spark_table_folder
from supplymesh.transforms_project import (
    _PARSES,
    TARGET_ENV,
    dbt_env,
    dbt_executable,
    dbt_target,
    ensure_manifest,
    manifest_in_background,
    parse_stamp,
    start_manifest,
    transforms_vars,
)


def test_the_dbt_step_runs_on_duckdb_unless_told(monkeypatch) -> None:
    monkeypatch.delenv(TARGET_ENV, raising=False)
    assert dbt_target() == "dev"
    monkeypatch.setenv(TARGET_ENV, "spark")
    assert dbt_env(MeshPaths(Path("/mesh")))["DBT_TARGET"] == "spark"


def test_an_unknown_target_is_refused_naming_the_choices(monkeypatch) -> None:
    monkeypatch.setenv(TARGET_ENV, "trino")
    with pytest.raises(ValueError, match="choose one of dev, spark"):
        dbt_target()


def test_the_marts_are_the_models_of_the_marts_schema() -> None:
    manifest = {
        "nodes": {
            "model.x.fct_a": {"resource_type": "model", "name": "fct_a", "schema": "marts"},
            "model.x.stg_b": {"resource_type": "model", "name": "stg_b", "schema": "staging"},
            "test.x.t": {"resource_type": "test", "name": "t", "schema": "marts"},
        }
    }
    assert mart_names(manifest) == ["fct_a"]


def test_spark_marts_replace_the_duckdb_marts_with_their_rows_and_types(tmp_path) -> None:
    paths = MeshPaths(tmp_path)
    with duckdb.connect(str(paths.transforms_db)) as con:
        con.execute("create schema marts; create table marts.fct_a as select 'old' as sku")
        con.execute("create table marts.kept as select 1 as n")
    folder = spark_table_folder(paths, "marts", "fct_a")
    folder.mkdir(parents=True)
    for part, sku in enumerate(["SKU-1", "SKU-2"]):  # Spark writes a table as part files
        duckdb.sql(
            f"copy (select '{sku}' as sku, cast({part} as integer) as day_of_week, "
            f"date '2026-12-0{part + 1}' as demand_date) to '{folder}/part-{part:05d}.parquet'"
        )
    (folder / "_SUCCESS").touch()

    assert copy_marts_to_duckdb(paths, ["fct_a"]) == {"fct_a": 2}
    with duckdb.connect(str(paths.transforms_db), read_only=True) as con:
        assert con.sql("select sku from marts.fct_a order by sku").fetchall() == [
            ("SKU-1",),
            ("SKU-2",),
        ]
        types = dict(con.sql("describe marts.fct_a").fetchall()[i][:2] for i in range(3))
        assert types == {"sku": "VARCHAR", "day_of_week": "INTEGER", "demand_date": "DATE"}
        assert con.sql("select n from marts.kept").fetchall() == [(1,)]


def _parse_like_the_build(paths: MeshPaths) -> str:
    """The output of a `dbt parse` with the transforms step's vars, on ``paths``'s saved parse."""
    return subprocess.run(
        [
            dbt_executable(),
            "parse",
            "--vars",
            json.dumps(transforms_vars(paths)),
            "--target-path",
            str(paths.dbt_target),
        ],
        cwd=TRANSFORMS_DIR,
        env={**os.environ, **dbt_env(paths)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_the_manifest_is_parsed_with_the_vars_the_build_passes(dbt_manifest) -> None:
    """dbt parses the whole project again (about 10 s) when a build's vars differ from those
    of the saved parse: the prepared one must carry the transforms step's."""
    assert transforms_vars(dbt_manifest) == load_planning_settings(dbt_manifest.home).dbt_vars()
    output = _parse_like_the_build(dbt_manifest)
    assert "Unable to do partial parsing" not in output
    assert "Starting full parse" not in output


def test_a_moved_runtime_folder_is_parsed_again_once(dbt_manifest, tmp_path) -> None:
    """The saved parse records the DuckDB file's path: in a moved folder dbt parsed the whole
    project in every run ("profile has changed") until the manifest was prepared there."""
    moved = MeshPaths(tmp_path / "moved")
    shutil.copytree(dbt_manifest.dbt_target, moved.dbt_target)
    assert parse_stamp(moved) != parse_stamp(dbt_manifest)
    before = (moved.dbt_target / "manifest.json").stat().st_mtime_ns

    ensure_manifest(moved)

    assert (moved.dbt_target / "manifest.json").stat().st_mtime_ns > before
    assert "Unable to do partial parsing" not in _parse_like_the_build(moved)


def test_a_parse_started_early_is_the_one_the_manifest_waits_for(dbt_manifest, tmp_path) -> None:
    """``start_manifest`` parses while a run imports; ``ensure_manifest`` then waits for that
    parse instead of starting another, and a current manifest starts nothing."""
    moved = MeshPaths(tmp_path / "moved")
    shutil.copytree(dbt_manifest.dbt_target, moved.dbt_target)
    start_manifest(moved)
    started = _PARSES[moved.dbt_target / "manifest.json"].process

    assert ensure_manifest(moved) == moved.dbt_target / "manifest.json"

    assert started.returncode == 0 and moved.dbt_target / "manifest.json" not in _PARSES
    assert (moved.dbt_target / "manifest.target").read_text() == parse_stamp(moved)
    start_manifest(moved)
    assert moved.dbt_target / "manifest.json" not in _PARSES


def test_a_failed_parse_raises_with_dbt_output(tmp_path, monkeypatch) -> None:
    fake_dbt = tmp_path / "dbt"
    fake_dbt.write_text(
        "#!/bin/sh\necho 'Compilation Error in model int_demand__daily' >&2\nexit 2\n"
    )
    fake_dbt.chmod(0o755)
    monkeypatch.setattr("supplymesh.transforms_project.dbt_executable", lambda: str(fake_dbt))
    paths = MeshPaths(tmp_path / "home")
    start_manifest(paths)
    with pytest.raises(RuntimeError, match=r"(?s)dbt parse failed.*int_demand__daily"):
        ensure_manifest(paths)
    assert paths.dbt_target / "manifest.json" not in _PARSES
    assert not (paths.dbt_target / "manifest.target").exists()


def test_a_parse_nobody_waited_for_stops_with_its_block(tmp_path) -> None:
    """A run that fails between starting the parse and loading its definitions leaves no dbt
    running behind it."""
    paths = MeshPaths(tmp_path / "home")
    with pytest.raises(RuntimeError, match="instance"), manifest_in_background(paths):
        process = _PARSES[paths.dbt_target / "manifest.json"].process
        raise RuntimeError("no Dagster instance")
    assert paths.dbt_target / "manifest.json" not in _PARSES
    assert process.poll() is not None
