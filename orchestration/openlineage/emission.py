"""A finished run's OpenLineage events, built from its event log and sent (``supplymesh``'s
``governance.openlineage``): called by ``mesh materialize`` after its run and by the run status
sensors for every other run (the UI's, the landing sensor's, the training schedule's)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg

from orchestration.asset_graph import asset_parents
from orchestration.openlineage.run_log import mesh_run
from supplymesh.governance.lineage import data_parents
from supplymesh.governance.openlineage.datasets import DatasetCatalog
from supplymesh.settings import MeshPaths, mesh_paths
from supplymesh.transforms_project import load_dbt_manifest

if TYPE_CHECKING:
    from supplymesh.governance.openlineage.emit import Emitted

LOG = logging.getLogger("supplymesh.openlineage")


def run_home(run: dg.DagsterRun) -> MeshPaths:
    """The runtime folder the run published into: its ``mesh`` resource's ``home`` when the
    run config records one (every ``mesh materialize`` run), else this process's ``MESH_HOME``."""
    config = (run.run_config or {}).get("resources", {}).get("mesh", {}).get("config", {})
    return MeshPaths(Path(config["home"])) if "home" in config else mesh_paths()


def emit_run_lineage(
    instance: dg.DagsterInstance, run_id: str, asset_graph: dg.BaseAssetGraph
) -> Emitted | None:
    """Emit the events of the finished run ``run_id`` once (None if they already were).

    The OpenLineage client (about 0.5 s of imports on two busy cores) is imported here, when a
    run ends, so loading the definitions (the UI's code server, every ``mesh`` run) never pays it.
    """
    from supplymesh.governance.openlineage.emit import emit_events
    from supplymesh.governance.openlineage.events import run_events

    run = instance.get_run_by_id(run_id)
    paths = run_home(run)
    record = mesh_run(instance, run_id, data_parents(asset_parents(asset_graph)))
    catalog = DatasetCatalog.of_mesh(paths, load_dbt_manifest(paths))
    return emit_events(paths, run_id, run_events(record, catalog))


def run_lineage_line(
    instance: dg.DagsterInstance, run_id: str, asset_graph: dg.BaseAssetGraph
) -> str | None:
    """Emit the run's events and say so in one line for the run's summary (None if they
    already were emitted).

    The run has published by now, so a failure here (the dbt manifest, the file, the server's
    client) must not turn it into a crashed ``mesh materialize``: it is logged and returned as
    one line naming the run and the error, and the run keeps its own result. No file was
    written, so the next emitter of the run (the UI's sensor) can still write it.
    """
    try:
        emitted = emit_run_lineage(instance, run_id, asset_graph)
    except Exception as exc:  # any error of the lineage record, not of the run it records
        said = " ".join(str(exc).split())[:300]  # one line (`dbt parse failed:` + its output)
        line = f"lineage NOT emitted for run {run_id}: {type(exc).__name__}: {said}"
        LOG.warning(line)
        return f"  {line}"
    return emitted.line() if emitted is not None else None
