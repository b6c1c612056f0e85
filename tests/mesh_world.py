"""A tiny generated world, published end to end in a temporary runtime folder (shared helpers)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

from supplymesh.settings import MeshPaths
from supplymesh.transforms_project import parse_stamp
from supplymesh.world.generate import generate_world

MESH_ENV = ("MESH_HOME", "DAGSTER_HOME", "DBT_TARGET_PATH", "DBT_LOG_PATH", "DBT_PROFILES_DIR")


@contextlib.contextmanager
def mesh_environment(home: Path, dbt_manifest: MeshPaths | None = None) -> Iterator[MeshPaths]:
    """Point the whole mesh (settings, dbt, Dagster) at ``home`` and restore the env after;
    with ``dbt_manifest`` (the session's ``dbt_manifest`` fixture), ``home`` starts with its
    parsed manifest."""
    saved = {k: os.environ.get(k) for k in MESH_ENV}
    os.environ["MESH_HOME"] = str(home)
    if dbt_manifest is not None:
        seed_dbt_manifest(MeshPaths(home), dbt_manifest)
    try:
        yield MeshPaths(home)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def seed_dbt_manifest(paths: MeshPaths, parsed: MeshPaths) -> None:
    """Copy the manifest ``dbt parse`` wrote for ``parsed`` into ``paths``: it names no runtime
    folder (two parses differ only in their metadata), so a test's first load of the Dagster
    definitions or the lineage skips a `dbt parse` of its own (about 10 s each). Only dbt's
    partial-parse state names the folder, and it is not copied: a test's build parses whole."""
    paths.dbt_target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(parsed.dbt_target / "manifest.json", paths.dbt_target / "manifest.json")
    (paths.dbt_target / "manifest.target").write_text(parse_stamp(paths))


def generate_tiny_world(paths: MeshPaths, seed: int = 11) -> None:
    generate_world(paths, scale="tiny", seed=seed, batch_id="20261127T230000Z")


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on right now (for servers a test starts)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
