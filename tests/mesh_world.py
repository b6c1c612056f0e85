"""A tiny generated world, published end to end in a temporary runtime folder (shared helpers)."""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Iterator
from pathlib import Path

from supplymesh.settings import MeshPaths
from supplymesh.world.generate import generate_world

MESH_ENV = ("MESH_HOME", "DAGSTER_HOME", "DBT_TARGET_PATH", "DBT_LOG_PATH", "DBT_PROFILES_DIR")


@contextlib.contextmanager
def mesh_environment(home: Path) -> Iterator[MeshPaths]:
    """Point the whole mesh (settings, dbt, Dagster) at ``home`` and restore the env after."""
    saved = {k: os.environ.get(k) for k in MESH_ENV}
    os.environ["MESH_HOME"] = str(home)
    try:
        yield MeshPaths(home)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def generate_tiny_world(paths: MeshPaths, seed: int = 11) -> None:
    generate_world(paths, scale="tiny", seed=seed, batch_id="20261127T230000Z")


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on right now (for servers a test starts)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
