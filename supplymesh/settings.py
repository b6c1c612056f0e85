"""Where supplymesh keeps its runtime state: one folder, located once.

Everything the mesh writes at run time (landing extracts, published snapshots, the consumer
catalog, dbt's database, Dagster's instance) lives under ``MESH_HOME`` so a clone stays clean and a
test can point the whole mesh at a temporary folder by setting one environment variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TRANSFORMS_DIR = PROJECT_ROOT / "transforms"
DATA_PRODUCTS_DIR = PROJECT_ROOT / "data_products"


@dataclass(frozen=True)
class MeshPaths:
    """The layout of one runtime folder (see docs/architecture.md)."""

    home: Path

    @property
    def landing(self) -> Path:
        return self.home / "landing"

    @property
    def warehouse(self) -> Path:
        return self.home / "warehouse"

    @property
    def quarantine(self) -> Path:
        return self.home / "quarantine"

    @property
    def catalog_dir(self) -> Path:
        return self.home / "catalog"

    @property
    def manifest(self) -> Path:
        return self.catalog_dir / "manifest.json"

    @property
    def leases(self) -> Path:
        """Readers' leases on the snapshots they read (``publishing.history.leases``)."""
        return self.catalog_dir / "leases"

    @property
    def catalog_db(self) -> Path:
        """The consumer DuckDB file: views over the published snapshots."""
        return self.home / "mesh.duckdb"

    @property
    def transforms_db(self) -> Path:
        return self.home / "transforms.duckdb"

    @property
    def dbt_target(self) -> Path:
        return self.home / "dbt_target"

    @property
    def spark_home(self) -> Path:
        """The Spark target's metastore and tables (``MESH_DBT_TARGET=spark``; the ``spark``
        target of transforms/profiles.yml names the same folder)."""
        return self.home / "spark"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster_home"

    @property
    def logs(self) -> Path:
        """What the steps of a headless ``mesh materialize`` printed (dbt's log among it), and
        Dagster's console log of the run."""
        return self.home / "logs"

    @property
    def reports(self) -> Path:
        """Where ``mesh report`` writes the plan report unless told ``--out``."""
        return self.home / "reports"

    @property
    def openlineage(self) -> Path:
        """The OpenLineage events of every run, one JSON Lines file per run (written by
        ``supplymesh.governance.openlineage.emit``, read by ``mesh lineage --openlineage``)."""
        return self.home / "lineage" / "openlineage"

    def landing_dir(self, domain: str) -> Path:
        return self.landing / plain_name(domain, "domain")


def plain_name(value: str, what: str) -> str:
    """``value`` if it names one entry of a folder (a domain, a batch, a model version), else a
    ValueError naming it: a name from the command line or a file must not reach outside the
    folder it is joined to (``../x``, ``/etc``, ``a/b``)."""
    if (
        not value
        or value in {".", ".."}
        or any(sep in value for sep in ("/", "\\", "\0"))
        or Path(value).is_absolute()
    ):
        raise ValueError(f"{what} {value!r} is not a plain name (no path separators, no '..')")
    return value


MESH_HOME_ENV = "MESH_HOME"


class MeshHomeNotSharedError(RuntimeError):
    """``MESH_HOME`` is not set explicitly as an absolute path, so processes on other machines
    (Celery workers) could each resolve a different folder."""


def mesh_home() -> Path:
    """The runtime folder: ``$MESH_HOME`` or ``<repo>/.mesh``."""
    return Path(os.environ.get(MESH_HOME_ENV, PROJECT_ROOT / ".mesh")).resolve()


def shared_mesh_home(who: str) -> Path:
    """``$MESH_HOME`` when ``who`` (a run whose steps go to workers, a worker) must share it.

    On one machine the default ``<repo>/.mesh`` is fine. A run spread over workers is not: each
    worker would resolve its own default (or a relative path against its own working folder) and
    publish into a folder the others never see. So there it must be set, as an absolute path that
    names the same folder on every machine (a shared file system mounted at the same path).
    """
    value = os.environ.get(MESH_HOME_ENV, "")
    if not value or not Path(value).is_absolute():
        raise MeshHomeNotSharedError(
            f"{who} needs {MESH_HOME_ENV} set explicitly to an absolute path every worker reaches "
            f"at the same path (a shared file system); it is {value or 'not set'}"
        )
    return Path(value).resolve()


def mesh_paths() -> MeshPaths:
    """Paths of the current runtime folder, read from the environment at call time."""
    return MeshPaths(mesh_home())
