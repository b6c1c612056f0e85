"""Celery workers for a test: ``mesh worker`` processes, each stopped by the PID we started.

``mesh worker`` restores the default SIGINT/SIGTERM handlers and execs ``celery worker``, so the
PID started here is the worker's main process and SIGTERM gives Celery's warm shutdown; its
prefork child (the process that runs the steps) is its child. Each worker has its own session,
whose process group is checked empty afterwards.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Worker:
    name: str
    process: subprocess.Popen
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_until_ready(self, timeout: float) -> None:
        """Until Celery logs ``<name>@<host> ready.`` (connected to the broker, consuming)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker {self.name} exited early:\n{self.log.read_text()}")
            if f"{self.name}@" in self.log.read_text() and " ready." in self.log.read_text():
                return
            time.sleep(0.5)
        raise TimeoutError(f"worker {self.name} not ready in {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self) -> str:
        return self.log.read_text()[-4000:] if self.log.exists() else ""

    def stop(self, timeout: float = 60) -> None:
        """SIGTERM to the PID we started, then make sure its process group is gone."""
        if self.process.poll() is None:
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.pid, signal.SIGKILL)
                self.process.wait(10)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.killpg(self.pid, 0)  # the prefork child still alive?
            except ProcessLookupError:
                return
            time.sleep(0.5)
        os.killpg(self.pid, signal.SIGKILL)


def start_worker(name: str, env: dict[str, str], log: Path) -> Worker:
    """``mesh worker --name NAME`` with ``env`` (MESH_HOME, MESH_CELERY_BROKER, ...)."""
    mesh = str(Path(sys.executable).with_name("mesh"))
    with log.open("w") as out:
        process = subprocess.Popen(
            [mesh, "worker", "--name", name],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    return Worker(name, process, log)


def parent_pid(pid: int) -> int | None:
    """The parent of a live process (``/proc``), or None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])
