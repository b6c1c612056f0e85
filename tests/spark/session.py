"""A Spark session configured exactly as the dbt ``spark`` target's, for the tests to read with.

The target's ``server_side_parameters`` in transforms/profiles.yml are the one description of the
local session (master, shuffle partitions, warehouse and metastore under ``MESH_HOME/spark``);
the tests render that profile with ``MESH_HOME`` rather than repeat it, so they read the very
tables and metastore dbt wrote.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
import yaml

from supplymesh.settings import TRANSFORMS_DIR

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def spark_target_parameters(home: Path) -> dict[str, str]:
    """The ``spark`` target's session settings, rendered for the runtime folder ``home``."""
    env = {**os.environ, "MESH_HOME": str(home)}
    text = jinja2.Template((TRANSFORMS_DIR / "profiles.yml").read_text()).render(
        env_var=lambda name, default=None: env.get(name, default)
    )
    target = yaml.safe_load(text)["supplymesh"]["outputs"]["spark"]
    return {k: str(v) for k, v in target["server_side_parameters"].items()}


def start_spark(home: Path) -> SparkSession:
    """A local Spark session on ``home``'s Spark metastore (one process at a time may hold it:
    start it only once no dbt run on the Spark target is running)."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("supplymesh-tests").enableHiveSupport()
    for key, value in spark_target_parameters(home).items():
        builder = builder.config(key, value)
    return builder.getOrCreate()
