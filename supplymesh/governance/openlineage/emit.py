"""Where a run's OpenLineage events go: a JSON Lines file under ``MESH_HOME``, always, and the
lineage server the environment names, when it names one.

The file (``MESH_HOME/lineage/openlineage/<run_id>.jsonl``, ``MeshPaths.openlineage``) is the
mesh's own record: readable offline, validated by the tests. A server is configured the way every
OpenLineage client is (``OPENLINEAGE_URL`` and ``OPENLINEAGE_API_KEY`` for HTTP, an
``openlineage.yml`` named by ``OPENLINEAGE_CONFIG``, or ``OPENLINEAGE__TRANSPORT__*``
variables); the client resolves it. A server that cannot be reached does not fail the run whose
lineage it is: the data is already published, so the error is reported and the file keeps the
events (nothing resends them; a lineage server that must have them reads the file).

Each run's events are written once, and whole: the client's file transport writes them to a
temporary name (``files.temp_name``, carrying this process's pid), which is then linked to the
run's file only if that does not exist yet. A crash midway leaves no run file (the temporary one
is a dead writer's leftover, which the next ``mesh materialize`` removes), so the next emitter
writes it; of a headless run and the Dagster UI's sensor watching the same instance only one
publishes the file, and only that one sends to the server. The file gets the mode a plain
``open`` gives, like the other governance files that hold no PII: the events carry no row values.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import RunEvent
from openlineage.client.transport.file import FileConfig, FileTransport

from supplymesh.files import fsync_directory, temp_name
from supplymesh.settings import MeshPaths

_SERVER_VARIABLES = ("OPENLINEAGE_URL", "OPENLINEAGE_CONFIG", "OPENLINEAGE__TRANSPORT")


def run_file(paths: MeshPaths, run_id: str) -> Path:
    """The file of one run's events."""
    return paths.openlineage / f"{run_id}.jsonl"


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


def _write_once(path: Path, events: list[RunEvent]) -> bool:
    """Write ``events`` to ``path`` unless it exists, all at once: False if it already did.

    The client's file transport writes a temporary file, which is fsynced and hard-linked to
    ``path`` (``os.link`` fails on an existing name, where a rename would replace it) and then
    removed; if anything fails, ``path`` does not exist and the error goes to the caller.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(temp_name(path.name))
    try:
        local = FileTransport(FileConfig(log_file_path=str(tmp), append=True))
        client = OpenLineageClient(transport=local)
        for event in events:
            client.emit(event)
        client.close(timeout=10.0)
        with open(tmp, "rb") as written:
            os.fsync(written.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    fsync_directory(path.parent)
    return True


def emit_events(paths: MeshPaths, run_id: str, events: list[RunEvent]) -> Emitted | None:
    """Write ``events`` to the run's file, then send them to the configured server; None if the
    file was already written, or the environment turns OpenLineage off
    (``OPENLINEAGE_DISABLED=true``). An error writing the file is raised, a server's is kept in
    ``Emitted.errors``."""
    if os.environ.get("OPENLINEAGE_DISABLED", "").strip().lower() == "true":
        return None  # the client's own off switch (it would turn every transport into a no-op)
    path = run_file(paths, run_id)
    if path.exists() or not _write_once(path, events):
        return None
    outcome = Emitted(path, len(events), transports=[FileTransport.kind])
    if not server_configured():
        return outcome
    client = OpenLineageClient()  # the client's own resolution of the environment
    try:
        for event in events:
            client.emit(event)
        client.close(timeout=10.0)
    except Exception as exc:  # the server's client raises its transport's own errors
        outcome.errors.append(f"{client.transport.kind}: {exc}")
    else:
        outcome.transports.append(client.transport.kind)
    return outcome
