from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from tests.celery.redis_server import RedisServer, start_redis


@pytest.fixture(scope="module")
def redis() -> Iterator[RedisServer]:
    """A real Redis broker for the module, stopped by PID and deleted afterwards."""
    server = start_redis()
    try:
        yield server
    finally:
        try:
            server.stop()
        finally:
            shutil.rmtree(server.root, ignore_errors=True)
