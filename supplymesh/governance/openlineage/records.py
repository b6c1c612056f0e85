"""What one orchestrator run did, as the OpenLineage events need it, in the mesh's own terms.

The orchestration layer fills these from Dagster's event log
(``orchestration.openlineage.run_log``); this package turns them into events without knowing
Dagster, so the event shapes are tested on plain values and the wiring on a real run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Assertion:
    """One rule or check a materialization was held to, and whether it held."""

    name: str
    passed: bool
    column: str | None = None
    severity: str | None = None  # "error" blocks the publish, "warn" reports
    expected: str | None = None
    actual: str | None = None  # e.g. the number of rows breaking the rule


@dataclass(frozen=True)
class AssetRun:
    """One asset's part in a run: from its step's start to its materialization or failure."""

    asset: (
        str  # the asset key as ``domain/name`` (``sales/orders_v2``, ``transforms/dim_products``)
    )
    started: dt.datetime
    ended: dt.datetime
    succeeded: bool
    parents: tuple[str, ...] = ()  # upstream asset keys, read by this asset
    error: str | None = None
    rows: int | None = None
    snapshot_id: str | None = None  # the published snapshot: the output's dataset version
    source_file: str | None = None  # the landing extract a source product was published from
    assertions: tuple[Assertion, ...] = ()


@dataclass(frozen=True)
class MeshRun:
    """One orchestrator run (a Dagster run): the parent of every asset's run."""

    run_id: str  # a UUID: Dagster's run id
    job: str  # the orchestrator's job name (``mesh``, ``model_training``)
    started: dt.datetime
    ended: dt.datetime
    succeeded: bool
    error: str | None = None
    assets: tuple[AssetRun, ...] = field(default_factory=tuple)
