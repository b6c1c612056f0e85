"""DuckDB's memory budget: every mesh connection and dbt's profile hold the same limit."""

from pathlib import Path

import yaml

from supplymesh import duckdb_limits
from supplymesh.settings import TRANSFORMS_DIR


def _setting(con, name: str) -> str:
    return con.execute(f"SELECT current_setting('{name}')").fetchone()[0]


def test_a_mesh_connection_holds_the_budget_and_spills_under_mesh_home(tmp_path, monkeypatch):
    monkeypatch.setenv("MESH_HOME", str(tmp_path))
    monkeypatch.setenv(duckdb_limits.MEMORY_LIMIT_ENV, "300MB")
    with duckdb_limits.connect() as con:
        assert _setting(con, "memory_limit") in {"286.1 MiB", "300.0 MB"}
        spill = Path(_setting(con, "temp_directory"))
        assert spill.parent == tmp_path / "tmp"
        assert spill.name.startswith(duckdb_limits.SPILL_PREFIX)
        # a table larger than the budget lives partly in that folder instead of failing
        con.execute("SET threads = 1")
        con.execute("CREATE TABLE t AS SELECT range AS i, random() AS r FROM range(30000000)")
        assert con.execute("SELECT count(*) FROM t").fetchone()[0] == 30_000_000
        spilled = con.execute("SELECT path FROM duckdb_temporary_files()").fetchall()
        assert spilled and all(Path(path).parent == spill for (path,) in spilled)
    assert not spill.exists()  # DuckDB removes its spill folder on close


def test_dbt_profile_defaults_to_the_same_budget():
    profile = yaml.safe_load((TRANSFORMS_DIR / "profiles.yml").read_text())
    settings = profile["supplymesh"]["outputs"]["dev"]["settings"]
    expected = f"{{{{ env_var('{duckdb_limits.MEMORY_LIMIT_ENV}', '{duckdb_limits.DEFAULT_MEMORY_LIMIT}') }}}}"
    assert settings["memory_limit"] == expected
