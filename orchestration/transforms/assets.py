"""The dbt project as Dagster assets; the tests of its models become asset checks.

The tests declared on the sources (the published products: ``not_null``/``unique`` on their keys)
repeat rules of each product's pandera contract, which its blocking ``contract`` check enforces
before a snapshot is published. dagster-dbt does not model source tests as checks by default, so
a plain ``dbt build`` ran them through dbt's indirect selection and dagster-dbt logged each one as
an ``AssetObservation`` with a warning. Modelling them (``enable_source_tests_as_checks``) would
attach them to the product assets and pull a dbt build into every single-product run (the landing
sensor's too); so the build excludes them and runs exactly the tests Dagster knows as checks.
"""

import json
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.resources import MeshResource
from supplymesh.planning_settings import PlanningSettings
from supplymesh.spark_transforms import copy_marts_to_duckdb, mart_names, spark_dbt_vars
from supplymesh.transforms_project import dbt_target


class MeshDbtTranslator(DagsterDbtTranslator):
    """Sources keep the product's asset key (``sales/orders_v2``); models live under
    ``transforms/`` in one group owned by the platform team."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return dg.AssetKey(["transforms", dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return "transforms"

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str]:
        return ["team:data-platform"]


# what the transforms step runs: every model and its tests, not the tests of the sources
DBT_BUILD_ARGS = ["build", "--exclude", "source:*"]


def transforms_assets(project: DbtProject) -> dg.AssetsDefinition:
    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=MeshDbtTranslator(),
        name="transforms",
    )
    def transforms(
        context: dg.AssetExecutionContext,
        dbt: DbtCliResource,
        mesh: MeshResource,
        planning: dg.ResourceParam[PlanningSettings],
    ):
        """Build the staging, intermediate and mart models and run their tests, with the run's
        planning settings as dbt vars (the horizon the date spine and the lags follow), on the
        target MESH_DBT_TARGET names. On Spark the sources are the published snapshots and the
        marts are copied into transforms.duckdb afterwards, where the planners read them."""
        target, paths = dbt_target(), mesh.paths
        dbt_vars = planning.dbt_vars()
        if target == "spark":
            dbt_vars |= spark_dbt_vars(paths)
        args = [*DBT_BUILD_ARGS, "--target", target, "--vars", json.dumps(dbt_vars)]
        yield from dbt.cli(args, context=context).stream()
        if target == "spark":
            manifest = json.loads(project.manifest_path.read_text())
            copied = copy_marts_to_duckdb(paths, mart_names(manifest))
            context.log.info(f"marts built on Spark, copied into transforms.duckdb: {copied}")

    return transforms
