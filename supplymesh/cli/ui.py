"""``mesh ui``: the Dagster webserver and daemon on 127.0.0.1."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from pathlib import Path

from supplymesh.cli.materialize import add_instance_option, apply_instance_option
from supplymesh.settings import PROJECT_ROOT, mesh_paths


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ui", help="start the Dagster UI (webserver + daemon)")
    p.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=3000)
    add_instance_option(p)
    p.set_defaults(run=run)


CODE_LOCATION = "supplymesh"  # the code location's name in the Dagster UI
DEFINITIONS_MODULE = "orchestration.definitions"


def workspace_yaml(root: Path) -> str:
    """The workspace: one code location named ``supplymesh`` (not the module path), loaded from
    the repository at ``root``."""
    return (
        "# written by `mesh ui`: the mesh's one code location\n"
        "load_from:\n"
        "  - python_module:\n"
        f"      module_name: {DEFINITIONS_MODULE}\n"
        f"      location_name: {CODE_LOCATION}\n"
        f"      working_directory: {json.dumps(str(root))}\n"
    )


def write_workspace(folder: Path, root: Path = PROJECT_ROOT) -> Path:
    """``workspace.yaml`` in ``folder`` (the instance folder, runtime state like the rest)."""
    path = folder / "workspace.yaml"
    path.write_text(workspace_yaml(root))
    return path


def dagster_dev_command(host: str, port: int, workspace: Path) -> list[str]:
    dagster = Path(sys.executable).with_name("dagster")
    return [
        str(dagster) if dagster.exists() else "dagster",
        "dev",
        "-w",
        str(workspace),
        "-h",
        host,
        "-p",
        str(port),
    ]


def restore_default_signals() -> None:
    """SIGINT and SIGTERM back to their defaults before exec.

    A shell starting ``mesh ui &`` without job control sets SIGINT to "ignore", which ``exec``
    keeps; ``dagster dev`` maps SIGTERM onto its SIGINT handler, so it would then ignore both and
    outlive every ``kill``. With the defaults restored, SIGTERM or Ctrl-C stops it in seconds.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def run(args: argparse.Namespace) -> int:
    from supplymesh.dagster_home import InstanceConfigError, prepare_dagster_home
    from supplymesh.transforms_project import dbt_env, ensure_manifest

    apply_instance_option(args)
    paths = mesh_paths()
    try:
        prepare_dagster_home(paths)
    except InstanceConfigError as exc:
        print(f"mesh ui: {exc}", file=sys.stderr)
        return 2
    os.environ.update(dbt_env(paths))
    ensure_manifest(paths)
    # run from the instance folder (the workspace loads the code from the repository): started in the
    # repository, `dagster dev` would warn that the root's dagster.yaml is not the one in use
    os.chdir(paths.dagster_home)
    print(
        f"Dagster UI on http://{args.host}:{args.port} (instance {paths.dagster_home})", flush=True
    )
    command = dagster_dev_command(args.host, args.port, write_workspace(paths.dagster_home))
    # `dagster dev` warns that `dg dev` supersedes it, but `dg` is not installed here
    quiet = "ignore:Function `dev_command` is superseded"
    os.environ["PYTHONWARNINGS"] = ",".join(filter(None, [os.environ.get("PYTHONWARNINGS"), quiet]))
    restore_default_signals()
    os.execvpe(command[0], command, os.environ)
