"""Resources: where the mesh lives and the run's planning settings, read when the resource is
built (never at import)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dagster as dg
import pydantic
from pydantic import BaseModel

from supplymesh.governance.volume import allowed
from supplymesh.planning_settings import PlanningSettings, PlanningSettingsError
from supplymesh.settings import MeshPaths, mesh_home


class MeshResource(dg.ConfigurableResource):
    """The runtime folder of the mesh (``MESH_HOME``), and the products a steward lets shrink in
    this run (``mesh materialize --allow-shrink``; in the UI, the launchpad's ``resources: mesh:
    config:``)."""

    home: str = ""
    allow_shrink: list[str] = pydantic.Field(
        default_factory=list,
        description="products (sales.orders, or all) whose publish may empty or shrink them past "
        "their volume bound in this run; each override is recorded in the audit log",
    )
    requested_by: str = pydantic.Field(
        default="", description="who asked for allow_shrink (recorded in the audit log)"
    )

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        """Refuse to run a step in a process whose ``MESH_HOME`` is not the run's own.

        A run records its runtime folder as ``home`` (``mesh materialize`` does). A step on a
        Celery worker started with another ``MESH_HOME`` (or none) would read and publish
        elsewhere, and part of it (dbt, DuckDB's spill folder) follows the environment, not this
        resource: it fails here instead, naming both folders. Outside a run (a sensor's
        evaluation, a test's own resource) there is no step to protect.
        """
        if context.dagster_run is None:
            return
        if self.home and Path(self.home).resolve() != mesh_home():
            raise dg.Failure(
                description=f"this step's process has MESH_HOME={mesh_home()}, but its run "
                f"publishes to {self.home}: start every worker with the run's MESH_HOME (the "
                "same shared folder at the same path)"
            )

    def allows_shrink(self, product_key: str) -> bool:
        return allowed(product_key, set(self.allow_shrink))

    @property
    def paths(self) -> MeshPaths:
        return MeshPaths(Path(self.home) if self.home else mesh_home())


def _config_fields(values: dict[str, Any], model: type[BaseModel]) -> dict[str, dg.Field]:
    """Dagster config fields of a settings group: its keys and types, ``values`` as defaults."""
    fields: dict[str, dg.Field] = {}
    for name, info in model.model_fields.items():
        kind = info.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            group = _config_fields(values[name], kind)
            fields[name] = dg.Field(group, default_value=values[name], is_required=False)
        else:
            fields[name] = dg.Field(kind, default_value=values[name], is_required=False)
    return fields


def planning_resource(settings: PlanningSettings) -> dg.ResourceDefinition:
    """The run's planning settings, one object every step reads (the dbt build included).

    The run config shows every key under ``resources: planning: config:`` with ``settings``
    (``planning.yaml`` of the repository and of ``MESH_HOME``) as defaults; a run that changes
    one changes it for every step. An invalid value fails the run naming the key.
    """

    def run_settings(context: dg.InitResourceContext) -> PlanningSettings:
        try:
            return settings.updated(context.resource_config, "run config resources.planning")
        except PlanningSettingsError as exc:
            raise dg.Failure(description=str(exc)) from None

    return dg.ResourceDefinition(
        resource_fn=run_settings,
        config_schema=_config_fields(settings.as_dict(), PlanningSettings),
        description="The planning settings of the run (planning.yaml; README, Planning settings).",
    )
