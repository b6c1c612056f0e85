"""The real Dagster UI (``mesh ui``: webserver + daemon) on a free loopback port, for a test.

``mesh ui`` restores the default SIGINT/SIGTERM handlers before it execs ``dagster dev``, so a
SIGTERM to the PID we started stops it; its own session keeps every child in one process group
that is checked empty afterwards.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from supplymesh.cli.ui import CODE_LOCATION
from tests.mesh_world import free_port

LOCATION_QUERY = """
{ workspaceOrError { ... on Workspace { locationEntries {
    name loadStatus locationOrLoadError { __typename ... on PythonError { message } } } } } }
"""

ACTIVE_RUNS_QUERY = """
{ runsOrError(filter: {statuses: [QUEUED, NOT_STARTED, STARTING, STARTED, CANCELING]}) {
    ... on Runs { count } } }
"""
SENSOR_TICKS_QUERY = """
{ workspaceOrError { ... on Workspace { locationEntries { locationOrLoadError {
    ... on RepositoryLocation { repositories { sensors { name sensorState {
        status ticks(limit: 1) { status } } } } } } } } } }
"""


@dataclass
class DagsterUI:
    process: subprocess.Popen
    url: str
    log: Path

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        request = urllib.request.Request(
            f"{self.url}/graphql", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def wait_until_loaded(self, timeout: float) -> None:
        """Until the webserver answers and the code location has loaded (or failed to)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mesh ui exited early:\n{self.log.read_text()[-4000:]}")
            try:
                entries = self.graphql(LOCATION_QUERY)["data"]["workspaceOrError"][
                    "locationEntries"
                ]
            except (urllib.error.URLError, ConnectionError, TimeoutError, KeyError):
                time.sleep(1)
                continue
            if entries and all(e["loadStatus"] == "LOADED" for e in entries):
                errors = [
                    e["locationOrLoadError"]
                    for e in entries
                    if e["locationOrLoadError"]["__typename"] == "PythonError"
                ]
                if errors:
                    raise RuntimeError(f"code location failed to load: {errors}")
                names = [e["name"] for e in entries]
                if names != [CODE_LOCATION]:
                    raise RuntimeError(f"expected one code location {CODE_LOCATION!r}: {names}")
                return
            time.sleep(1)
        raise TimeoutError(
            f"Dagster UI not ready in {timeout:.0f} s:\n{self.log.read_text()[-4000:]}"
        )

    def wait_until_idle(self, timeout: float = 600) -> None:
        """Until every running sensor has ticked and no run is queued or in progress.

        On its first tick the landing sensor publishes every product whose newest batch no run
        has published or refused yet (none, after a headless ``mesh materialize``), and a test
        may launch a run from the UI; pages checked while runs are in flight would show their
        progress, not the outcome under test.
        """
        deadline = time.monotonic() + timeout
        quiet_polls = 0
        while quiet_polls < 2:
            if time.monotonic() > deadline:
                raise TimeoutError(f"Dagster still busy after {timeout:.0f} s")
            time.sleep(2)
            active = self.graphql(ACTIVE_RUNS_QUERY)["data"]["runsOrError"]["count"]
            locations = self.graphql(SENSOR_TICKS_QUERY)["data"]["workspaceOrError"]
            sensors = [
                sensor
                for entry in locations["locationEntries"]
                for repository in entry["locationOrLoadError"]["repositories"]
                for sensor in repository["sensors"]
                if sensor["sensorState"]["status"] == "RUNNING"
            ]
            ticked = all(sensor["sensorState"]["ticks"] for sensor in sensors)
            quiet_polls = quiet_polls + 1 if active == 0 and ticked else 0

    def stop(self, timeout: float = 60) -> None:
        """SIGTERM to the PID we started, then make sure its process group is gone."""
        pid = self.process.pid
        if self.process.poll() is None:
            os.kill(pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(pid, signal.SIGKILL)
                self.process.wait(10)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.killpg(pid, 0)  # children (webserver, daemon, code server) still alive?
            except ProcessLookupError:
                return
            time.sleep(0.5)
        os.killpg(pid, signal.SIGKILL)


def start_ui(mesh_home: Path, log: Path, timeout: float = 300) -> DagsterUI:
    """``mesh ui`` over ``mesh_home`` on a free port, returned once the workspace has loaded."""
    port = free_port()
    mesh = str(Path(sys.executable).with_name("mesh"))
    env = {**os.environ, "MESH_HOME": str(mesh_home)}
    for key in ("DAGSTER_HOME", "DBT_TARGET_PATH", "DBT_LOG_PATH"):
        env.pop(key, None)  # derived from MESH_HOME by `mesh ui` itself
    with log.open("w") as out:
        process = subprocess.Popen(
            [mesh, "ui", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    ui = DagsterUI(process, f"http://127.0.0.1:{port}", log)
    try:
        ui.wait_until_loaded(timeout)
    except BaseException:
        ui.stop()
        raise
    return ui
