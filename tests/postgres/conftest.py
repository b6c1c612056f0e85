from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from tests.postgres.pg_server import PostgresServer, new_server


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for the session, stopped and deleted afterwards."""
    server = new_server()
    try:
        server.start()
        yield server
    finally:
        try:
            server.stop()
        finally:
            shutil.rmtree(server.root, ignore_errors=True)
