"""``mesh evaluate`` on a materialized world: every section, figures in range (slow: it
materializes a tiny world end to end first)."""

import json

import pytest

from supplymesh.cli import main
from supplymesh.headless import materialize
from tests.mesh_world import generate_tiny_world, mesh_environment


@pytest.mark.slow
def test_evaluate_reports_forecast_inventory_and_logistics(tmp_path, capsys):
    with mesh_environment(tmp_path) as paths:
        generate_tiny_world(paths)
        assert materialize([]).success
        capsys.readouterr()  # the run's own output
        assert main(["evaluate", "--json", "--seeds", "2"]) == 0
    report = json.loads(capsys.readouterr().out)
    f, inv, lg = report["forecast"], report["inventory"], report["logistics"]
    assert f["model_mase"] < f["seasonal_naive_mase"] and 0 < f["p90_coverage"] <= 1
    assert inv["n_series"] == 12 and inv["seeds"] == 2
    assert {c["service_class"] for c in inv["classes"]} >= {"all"}
    assert 0 < inv["policy_fill_rate"] <= 1
    assert lg["invariant_violations"] == 0


def test_evaluate_without_a_model_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("MESH_HOME", str(tmp_path))
    with pytest.raises(SystemExit, match="no champion model yet"):
        main(["evaluate"])
