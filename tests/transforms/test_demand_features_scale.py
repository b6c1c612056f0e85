"""fct_demand_features stays fast at medium scale (about 3 million spine rows)."""

from __future__ import annotations

import json

import duckdb
import pytest

from tests.transforms.mesh_fixture import (
    HORIZON_DAYS,
    TRANSFORMS_DIR,
    run_dbt,
    write_scaled_mesh_catalog,
)

N_SKUS, N_DCS, HISTORY_DAYS = 1000, 4, 730


@pytest.mark.slow
def test_demand_features_at_medium_scale(tmp_path) -> None:
    home = tmp_path / "mesh_home"
    home.mkdir()
    write_scaled_mesh_catalog(home / "mesh.duckdb", N_SKUS, N_DCS, HISTORY_DAYS)
    target = home / "dbt_target"
    result = run_dbt(["run", "--select", "+fct_demand_features"], TRANSFORMS_DIR, home, target)
    assert result.returncode == 0, result.stdout[-5000:]

    timings = {
        r["unique_id"]: r["execution_time"]
        for r in json.loads((target / "run_results.json").read_text())["results"]
    }
    seconds = timings["model.supplymesh.fct_demand_features"]
    print(
        f"\nfct_demand_features at {N_SKUS * N_DCS * (HISTORY_DAYS + HORIZON_DAYS):,} rows: "
        f"{seconds:.1f} s"
    )
    assert seconds < 120

    with duckdb.connect(str(home / "transforms.duckdb"), read_only=True) as con:
        (n_rows,) = con.execute("select count(*) from marts.fct_demand_features").fetchall()[0]
    assert n_rows == N_SKUS * N_DCS * (HISTORY_DAYS + HORIZON_DAYS)
