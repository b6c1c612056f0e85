"""``mesh ui``: the Dagster webserver and daemon on 127.0.0.1."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from supplymesh.dagster_home import prepare_dagster_home
from supplymesh.settings import PROJECT_ROOT, mesh_paths
from supplymesh.transforms_project import dbt_env, ensure_manifest


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ui", help="start the Dagster UI (webserver + daemon)")
    p.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=3000)
    p.set_defaults(run=run)


def dagster_dev_command(host: str, port: int) -> list[str]:
    dagster = Path(sys.executable).with_name("dagster")
    return [
        str(dagster) if dagster.exists() else "dagster",
        "dev",
        "-m",
        "orchestration.definitions",
        "-h",
        host,
        "-p",
        str(port),
    ]


def run(args: argparse.Namespace) -> int:
    paths = mesh_paths()
    prepare_dagster_home(paths)
    os.environ.update(dbt_env(paths))
    ensure_manifest(paths)
    os.chdir(PROJECT_ROOT)
    print(f"Dagster UI on http://{args.host}:{args.port} (instance {paths.dagster_home})")
    command = dagster_dev_command(args.host, args.port)
    os.execvpe(command[0], command, os.environ)
