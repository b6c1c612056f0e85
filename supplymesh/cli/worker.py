"""``mesh worker``: a Celery worker that runs the mesh job's steps (``MESH_EXECUTOR=celery``)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from supplymesh.cli.materialize import add_instance_option, apply_instance_option

CELERY_APP = "orchestration.celery_app"
QUEUE = "dagster"  # dagster-celery's default queue: every step of the mesh job goes there


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "worker",
        help="run a Celery worker for the mesh job's steps (MESH_EXECUTOR=celery; the celery extra)",
    )
    p.add_argument("--name", default="mesh", help="the worker's name before @host (default mesh)")
    p.add_argument(
        "--concurrency", type=int, default=1, help="steps this worker runs at once (default 1)"
    )
    p.add_argument("--loglevel", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    add_instance_option(p)
    p.set_defaults(run=run)


def celery_command(name: str, concurrency: int, loglevel: str) -> list[str]:
    """``celery worker`` on the mesh's app: one step per process at a time (prefetch 1), so a
    long step never holds back steps another worker could take."""
    celery = Path(sys.executable).with_name("celery")
    return [
        str(celery) if celery.exists() else "celery",
        "-A",
        CELERY_APP,
        "worker",
        "-Q",
        QUEUE,
        "-n",
        f"{name}@%h",
        "--concurrency",
        str(concurrency),
        "--prefetch-multiplier",
        "1",
        "--loglevel",
        loglevel,
    ]


def run(args: argparse.Namespace) -> int:
    """Check the worker's environment as a run would, then become ``celery worker``.

    The worker must see what the run's process sees: the same ``MESH_HOME`` (explicit, shared),
    the same Dagster instance config and dbt target; it reads the broker from
    ``MESH_CELERY_BROKER``. Like ``mesh ui`` it restores the default signal handlers before exec,
    so a SIGTERM to its PID stops it (Celery's warm shutdown) even when started in the background.
    """
    from supplymesh.cli.ui import restore_default_signals
    from supplymesh.dagster_home import InstanceConfigError, prepare_dagster_home
    from supplymesh.settings import MeshHomeNotSharedError, MeshPaths, shared_mesh_home
    from supplymesh.transforms_project import dbt_env

    apply_instance_option(args)
    try:
        home = shared_mesh_home("mesh worker")
        if not home.is_dir():
            raise MeshHomeNotSharedError(f"MESH_HOME {home} is not a folder this worker reaches")
        paths = MeshPaths(home)
        prepare_dagster_home(paths)
    except (MeshHomeNotSharedError, InstanceConfigError) as exc:
        print(f"mesh worker: {exc}", file=sys.stderr)
        return 2
    os.environ.update(dbt_env(paths))
    os.environ["MESH_EXECUTOR"] = "celery"  # the job the worker loads must be the run's
    os.chdir(paths.home)  # Celery's own files (none by default) never land in the repository
    print(f"mesh worker {args.name}: MESH_HOME {paths.home}, queue {QUEUE}", flush=True)
    command = celery_command(args.name, args.concurrency, args.loglevel)
    restore_default_signals()
    os.execvpe(command[0], command, os.environ)
