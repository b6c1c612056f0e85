"""`mesh report` through the CLI: the end-to-end run on a real mesh is in tests/browser."""

from supplymesh.cli import main
from tests.mesh_world import mesh_environment


def test_report_without_a_published_plan_exits_one_and_says_what_to_run(tmp_path, capsys):
    with mesh_environment(tmp_path / "mesh"):
        assert main(["report", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "no published products yet" in err and "mesh materialize" in err
    assert not (tmp_path / "out").exists()
