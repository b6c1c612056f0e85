"""``mesh forecast``: backtest a user's file, and the registry's approval gate from the CLI."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from supplymesh.cli import main
from supplymesh.planning.forecasting.backtest import P90_COLUMN
from supplymesh.planning.forecasting.peers import NOT_PEERS, PEERS
from supplymesh.planning.model_lifecycle import model_registry as reg
from supplymesh.planning_inputs import published_model_registry
from supplymesh.publishing.publish import publish_frame
from supplymesh.settings import MeshPaths
from tests.planning.model_lifecycle.test_model_registry import registry_with
from tests.test_progress import frames_drawn, run_on_terminal


@pytest.fixture
def history_file(tmp_path):
    rng = np.random.default_rng(0)
    days = pd.date_range("2025-01-01", periods=300)
    weekly = np.array([1.2, 1.0, 1.0, 1.1, 1.3, 0.8, 0.4])
    rows = [
        pd.DataFrame(
            {
                "item_id": f"I{i}",
                "location_id": "S1",
                "date": days,
                "quantity": rng.poisson(level * weekly[days.dayofweek]),
            }
        )
        for i, level in enumerate([5, 12, 30])
    ]
    path = tmp_path / "history.csv"
    pd.concat(rows).to_csv(path, index=False)
    return path


def test_backtest_json_has_model_and_baselines(history_file, capsys):
    code = main(
        [
            "forecast",
            "backtest",
            "--input",
            str(history_file),
            "--freq",
            "D",
            "--horizon",
            "14",
            "--origins",
            "2",
            "--json",
        ]
    )
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) >= {"model", "baselines", "origins", "horizon"}
    assert report["horizon"] == 14 and len(report["origins"]) == 2
    for section in (report["model"], *report["baselines"].values()):
        assert {"mase", "wape", "bias"} <= set(section)
    assert report["model"]["p90_coverage"] is not None


def test_known_future_inputs_let_the_model_forecast_planned_promotions(tmp_path, capsys):
    """Demand jumps by 30 units on promotion days, planned at random and given in --inputs:
    with them the model forecasts the jumps; without, it cannot."""
    rng = np.random.default_rng(1)
    days = pd.date_range("2025-01-01", periods=300)
    promo = pd.DataFrame(
        [(f"I{i}", d, float(rng.random() < 0.15)) for i in range(4) for d in days],
        columns=["item_id", "date", "on_promotion"],
    )
    promo["location_id"] = "S1"
    history = promo.assign(quantity=rng.poisson(10 + 30 * promo["on_promotion"]))
    history[["item_id", "location_id", "date", "quantity"]].to_csv(tmp_path / "h.csv", index=False)
    promo.to_parquet(tmp_path / "promo.parquet")
    base = ["forecast", "backtest", "--input", str(tmp_path / "h.csv"), "--horizon", "14"]
    base += ["--origins", "2", "--peers", "none", "--json"]
    mase = {}
    for name, extra in (("without", []), ("with", ["--inputs", str(tmp_path / "promo.parquet")])):
        assert main([*base, *extra]) == 0
        report = json.loads(capsys.readouterr().out)
        mase[name] = report["model"]["mase"]
        assert report["inputs"] == (["on_promotion"] if extra else [])
    assert mase["with"] < 0.6 * mase["without"]
    dataset = ["forecast", "backtest", "--dataset", "m3-monthly", "--inputs", "promo.parquet"]
    assert main(dataset) == 2
    assert "--inputs goes with --input" in capsys.readouterr().err


def test_backtest_text_names_every_method(history_file, capsys):
    assert (
        main(
            ["forecast", "backtest", "--input", str(history_file), "--freq", "W", "--horizon", "2"]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "model" in out and "seasonal_naive" in out and "moving_average" in out


def test_backtest_of_a_dataset_reports_every_method_the_forecaster_and_the_best_peer(capsys):
    argv = ["forecast", "backtest", "--dataset", "m3-quarterly", "--series", "6", "--json"]
    assert main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["dataset"], report["horizon"], report["freq"]) == ("m3-quarterly", 8, "Q")
    # the official split last, two rolling origins before it; the earliest is warm-up
    assert len(report["origins"]) == 3 and report["origins"][-1] == report["official_split"]
    assert report["warm_up_origins"] == report["origins"][:1]
    assert report["scored_origins"] == report["origins"][1:]
    assert list(report["peers"]) == list(PEERS)
    assert list(report["candidates"]) == list(NOT_PEERS)
    others = {**report["baselines"], **report["peers"]}
    methods = {"model": report["model"], **others, "forecaster": report["forecaster"]}
    for name, section in methods.items():
        assert {"mase", "wape", "bias", "seconds"} <= set(section), name
        with_p90 = name in P90_COLUMN or name == "forecaster"
        assert ("p90_coverage" in section) == with_p90, name
    # like-for-like: every method on the same rows
    assert len({section["n_rows"] for section in methods.values()}) == 1
    best = min(others, key=lambda m: others[m]["mase"])
    assert report["best_peer"] == best
    ratio = report["model"]["mase"] / others[best]["mase"]
    assert report["mase_vs_best_peer"] == pytest.approx(ratio, abs=1e-3)
    ratio = report["forecaster"]["mase"] / others[best]["mase"]
    assert report["forecaster_vs_best_peer"] == pytest.approx(ratio, abs=1e-3)
    assert {c["origin"] for c in report["choices"]} == set(report["scored_origins"])
    assert "all" in {c["demand_class"] for c in report["final_choice"]}


def test_backtest_of_a_dataset_prints_a_table_of_methods(capsys):
    argv = ["forecast", "backtest", "--dataset", "tourism-quarterly", "--series", "4"]
    assert main([*argv, "--peers", "auto_theta,tsb"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[2].split() == ["method", "MASE", "WAPE", "bias", "P90", "cover", "seconds"]
    assert lines[1].startswith("  scored on origins ") and "(warm-up " in lines[1]
    names = [line.split()[0] for line in lines[3:9]]
    assert names == ["model", "seasonal_naive", "moving_average", "auto_theta", "tsb", "forecaster"]
    assert "x the best peer" in lines[-2]
    assert "x the best single method of all" in lines[-1]


def test_an_unknown_dataset_or_peer_exits_2(capsys):
    assert main(["forecast", "backtest", "--dataset", "m5"]) == 2
    assert "unknown dataset 'm5'" in capsys.readouterr().err
    assert main(["forecast", "backtest", "--dataset", "m3-monthly", "--peers", "arima"]) == 2
    assert "unknown peers ['arima']" in capsys.readouterr().err


def test_backtest_shows_origins_live_on_a_terminal_and_nothing_in_a_log(history_file, tmp_path):
    mesh = str(Path(sys.executable).with_name("mesh"))
    env = {**os.environ, "MESH_HOME": str(tmp_path / "mesh")}
    command = [mesh, "forecast", "backtest", "--input", str(history_file), "--freq", "W"]
    command += ["--horizon", "2", "--origins", "2", "--json"]

    logged = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    assert logged.stderr == ""  # a CI log gets no progress line, no carriage return
    origins = json.loads(logged.stdout)["origins"]

    stdout, shown = run_on_terminal(command, env)
    frames = frames_drawn(shown)
    stages = [f.split(":")[1].split("[")[0].strip() for f in frames]
    assert stages == ["features", *(f"origin {o}" for o in origins), "origins done"]
    assert frames[1].startswith("backtest: origin") and " 0/2  " in frames[1]
    assert " 2/2  " in frames[-1] and frames[-1].endswith(" s")  # count and elapsed time
    assert json.loads(stdout)["origins"] == origins  # stdout stays clean for pipes


@pytest.fixture
def waiting_registry(tmp_path, monkeypatch):
    monkeypatch.setenv("MESH_HOME", str(tmp_path))
    paths = MeshPaths(tmp_path)
    registry = registry_with(("m1", "promote"), ("m2", "await_approval"))
    assert publish_frame(reg.PRODUCT, registry, paths=paths).published
    return paths


def test_approve_makes_the_candidate_champion_and_records_who(waiting_registry, capsys):
    assert main(["forecast", "approve", "m2", "--by", "Grace Hopper"]) == 0
    registry = published_model_registry(waiting_registry).set_index("model_version")
    assert registry.at["m2", "status"] == "champion"
    assert registry.at["m2", "approved_by"] == "Grace Hopper"
    assert pd.notna(registry.at["m2", "approved_at"])
    assert registry.at["m1", "status"] == "retired"
    from supplymesh.governance.audit import read_entries

    entry = read_entries(waiting_registry)[-1]
    assert entry["action"] == "model_approval" and entry["actor"] == "human:Grace Hopper"


def test_approving_anything_but_a_waiting_candidate_fails(waiting_registry, capsys):
    assert main(["forecast", "approve", "m1", "--by", "Grace"]) == 1
    assert "not awaiting approval" in capsys.readouterr().err
    assert reg.champion(published_model_registry(waiting_registry))["model_version"] == "m1"


def test_reject_retires_the_waiting_candidate(waiting_registry):
    assert main(["forecast", "reject", "m2", "--by", "Ann", "--reason", "too biased in EAST"]) == 0
    row = published_model_registry(waiting_registry).set_index("model_version").loc["m2"]
    assert (row["status"], row["decision"]) == ("retired", "rejected")
    assert main(["forecast", "approve", "m2", "--by", "Ann"]) == 1


def test_models_lists_the_registry(waiting_registry, capsys):
    assert main(["forecast", "models", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["model_version"] for r in rows] == ["m1", "m2"]
