"""A throwaway Redis server from Debian's ``redis-server``, the Celery broker of a test.

It listens on a free 127.0.0.1 port only, keeps nothing on disk (no RDB snapshot, no append-only
file) in a temporary folder, and is stopped by the PID the test started.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.mesh_world import free_port


def redis_binary() -> str:
    found = shutil.which("redis-server")
    if found is None:
        raise RuntimeError(
            "redis-server is not installed: `make test-celery` installs it "
            "(apt-get install -y redis-server)"
        )
    return found


@dataclass
class RedisServer:
    process: subprocess.Popen
    port: int
    root: Path

    @property
    def url(self) -> str:
        """What ``MESH_CELERY_BROKER`` is set to."""
        return f"redis://127.0.0.1:{self.port}/0"

    def wait_until_ready(self, timeout: float = 30) -> None:
        """Until the server answers PING on its port."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited early:\n{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=2) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"redis-server not ready in {timeout:.0f} s:\n{self.log()}")

    def stop(self, timeout: float = 20) -> None:
        """SIGTERM to the PID we started (Redis shuts down at once, saving nothing)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def log(self) -> str:
        path = self.root / "redis.log"
        return path.read_text() if path.exists() else ""


def start_redis() -> RedisServer:
    root = Path(tempfile.mkdtemp(prefix="mesh-redis-"))
    port = free_port()
    with (root / "redis.log").open("w") as log:
        process = subprocess.Popen(
            [
                redis_binary(),
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(root),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    server = RedisServer(process, port, root)
    try:
        server.wait_until_ready()
    except BaseException:
        server.stop()
        raise
    return server
