"""``mesh ui`` starts ``dagster dev`` on a workspace whose one code location is named
``supplymesh`` (what the UI shows), loaded from the repository's definitions module."""

from dagster._core.workspace.load import location_origins_from_yaml_paths

from supplymesh.cli.ui import CODE_LOCATION, dagster_dev_command, write_workspace
from supplymesh.settings import PROJECT_ROOT


def test_the_workspace_names_the_code_location_supplymesh(tmp_path):
    workspace = write_workspace(tmp_path)
    [origin] = location_origins_from_yaml_paths([str(workspace)])
    assert origin.location_name == CODE_LOCATION == "supplymesh"
    target = origin.loadable_target_origin
    assert target.module_name == "orchestration.definitions"
    assert target.working_directory == str(PROJECT_ROOT)


def test_dagster_dev_loads_the_workspace_file(tmp_path):
    workspace = write_workspace(tmp_path)
    command = dagster_dev_command("127.0.0.1", 3001, workspace)
    assert command[1:4] == ["dev", "-w", str(workspace)]
    assert "-m" not in command and "-d" not in command
    assert command[-4:] == ["-h", "127.0.0.1", "-p", "3001"]


def test_mesh_ui_binds_the_loopback_address_unless_told_otherwise(tmp_path):
    """The Dagster UI can launch runs and shows samples of rejected rows: by default it
    answers on this machine only."""
    from supplymesh.cli import build_parser

    args = build_parser(["ui"]).parse_args(["ui"])
    assert (args.host, args.port) == ("127.0.0.1", 3000)
    command = dagster_dev_command(args.host, args.port, write_workspace(tmp_path))
    assert command[command.index("-h") + 1] == "127.0.0.1"


def test_make_docs_serves_on_the_loopback_address():
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    [serve] = [line for line in makefile.splitlines() if "dbt docs serve" in line]
    assert "--host 127.0.0.1" in serve
