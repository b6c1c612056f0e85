"""Where a run's OpenLineage events go: a JSON Lines file under ``MESH_HOME``, always, and the
lineage server the environment names, when it names one.

The file (``MESH_HOME/lineage/openlineage/<run_id>.jsonl``, the client's file transport in append
mode) is the mesh's own record: readable offline, validated by the tests. A server is configured
the way every OpenLineage client is (``OPENLINEAGE_URL`` and ``OPENLINEAGE_API_KEY`` for HTTP,
an ``openlineage.yml`` named by ``OPENLINEAGE_CONFIG``, or ``OPENLINEAGE__TRANSPORT__*``
variables); the client resolves it. A server that cannot be reached does not fail the run whose
lineage it is: the data is already published, so the error is reported and the file keeps the
events for a replay.

Each run's events are written once: the run's file is created exclusively before any event is
sent, so a headless run and the Dagster UI's sensor watching the same instance never both emit.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import RunEvent
from openlineage.client.transport.file import FileConfig, FileTransport

from supplymesh.settings import MeshPaths

_SERVER_VARIABLES = ("OPENLINEAGE_URL", "OPENLINEAGE_CONFIG", "OPENLINEAGE__TRANSPORT")


def lineage_dir(paths: MeshPaths) -> Path:
    """The OpenLineage events of every run in this runtime folder, one file per run."""
    return paths.home / "lineage" / "openlineage"


def run_file(paths: MeshPaths, run_id: str) -> Path:
    return lineage_dir(paths) / f"{run_id}.jsonl"


def server_configured() -> bool:
    """Whether the environment names a lineage server (or any transport) for the client."""
    return any(k.startswith(_SERVER_VARIABLES) for k in os.environ)


@dataclass
class Emitted:
    """What became of one run's events."""

    path: Path
    events: int
    transports: list[str] = field(default_factory=list)  # the kinds that took them
    errors: list[str] = field(default_factory=list)  # a server that refused or was unreachable

    def line(self) -> str:
        """One line for a run's summary: how many events, where, and what was not sent."""
        sent = ", ".join(self.transports) or "nowhere"
        text = f"  lineage: {self.events} OpenLineage events ({sent}) -> {self.path}"
        return text + "".join(f"\n  lineage NOT sent to {e}" for e in self.errors)


def _claim(path: Path) -> bool:
    """Create the run's file, unless it exists: then this run's events are (being) written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        path.open("x").close()
    except FileExistsError:
        return False
    return True


def emit_events(paths: MeshPaths, run_id: str, events: list[RunEvent]) -> Emitted | None:
    """Send ``events`` to the run's file and to the configured server; None if they were already
    sent, or the environment turns OpenLineage off (``OPENLINEAGE_DISABLED=true``)."""
    if os.environ.get("OPENLINEAGE_DISABLED", "").strip().lower() == "true":
        return None  # the client's own off switch (it would turn every transport into a no-op)
    path = run_file(paths, run_id)
    if not _claim(path):
        return None
    local = FileTransport(FileConfig(log_file_path=str(path), append=True))
    clients = [OpenLineageClient(transport=local)]
    if server_configured():
        clients.append(OpenLineageClient())  # the client's own resolution of the environment
    outcome = Emitted(path, len(events))
    for client in clients:
        try:
            for event in events:
                client.emit(event)
            client.close(timeout=10.0)
        except Exception as exc:  # the server's client raises its transport's own errors
            if client.transport is local:
                raise
            outcome.errors.append(f"{client.transport.kind}: {exc}")
            continue
        outcome.transports.append(client.transport.kind)
    return outcome
