"""``mesh materialize --set``: a bad key or value stops before any run and names the key."""

from supplymesh.cli import main


def test_an_unknown_setting_stops_before_the_run_and_names_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MESH_HOME", str(tmp_path))
    assert main(["materialize", "--set", "forecast.horizon=42"]) == 2
    err = capsys.readouterr().err
    assert "unknown planning setting 'forecast.horizon'" in err
    assert not (tmp_path / "dagster_home").exists()  # nothing ran


def test_a_bad_value_names_the_key_and_the_value(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MESH_HOME", str(tmp_path))
    assert main(["materialize", "--set", "inventory.service_targets.AX=1.2"]) == 2
    assert "inventory.service_targets.AX: Input should be less than 1 (got 1.2)" in (
        capsys.readouterr().err
    )
