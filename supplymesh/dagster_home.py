"""The Dagster instance folder: created under the runtime folder from the repository's config.

Two instance configurations ship with the repository: ``dagster.yaml`` (SQLite files under
``$MESH_HOME/dagster_home``, the default) and ``dagster.postgres.yaml`` (run, event-log and
schedule storage on PostgreSQL). ``MESH_DAGSTER_CONFIG`` (or ``mesh ... --instance``) picks one
by name (``sqlite``, ``postgres``) or names any other file.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import yaml

from supplymesh.settings import PROJECT_ROOT, MeshPaths

INSTANCE_CONFIGS = {
    "sqlite": PROJECT_ROOT / "dagster.yaml",
    "postgres": PROJECT_ROOT / "dagster.postgres.yaml",
}
POSTGRES_URL_ENV = "MESH_DAGSTER_PG_URL"
# Dagster writes the planned events of a new run (one per asset and check: 226 in a daily run)
# as one batch when this is above zero, instead of one write each.
EVENT_BATCH_SIZE_ENV = "DAGSTER_EVENT_BATCH_SIZE"
EVENT_BATCH_SIZE = "1000"


class InstanceConfigError(RuntimeError):
    """The chosen instance configuration cannot be used as it stands (e.g. an unset variable)."""


def instance_config() -> Path:
    """``dagster.yaml`` at the root, or the config named by ``MESH_DAGSTER_CONFIG``."""
    chosen = os.environ.get("MESH_DAGSTER_CONFIG", "sqlite")
    return Path(INSTANCE_CONFIGS.get(chosen, chosen)).resolve()


def env_references(config: object) -> Iterator[str]:
    """Every ``{env: NAME}`` the instance config reads, wherever it sits."""
    if isinstance(config, dict):
        if set(config) == {"env"}:
            yield str(config["env"])
        else:
            for value in config.values():
                yield from env_references(value)
    elif isinstance(config, list):
        for value in config:
            yield from env_references(value)


def postgres_url_from_libpq_env(env: dict[str, str]) -> str | None:
    """``postgresql+psycopg2://`` URL from the standard ``PGUSER``/``PGPASSWORD``/``PGHOST``/
    ``PGPORT``/``PGDATABASE`` variables, so a shell already set up for psql needs nothing more."""
    if not env.get("PGUSER") or not env.get("PGDATABASE"):
        return None
    password = env.get("PGPASSWORD")
    auth = quote(env["PGUSER"], safe="") + (f":{quote(password, safe='')}" if password else "")
    host = env.get("PGHOST", "127.0.0.1")
    port = env.get("PGPORT", "5432")
    return f"postgresql+psycopg2://{auth}@{host}:{port}/{quote(env['PGDATABASE'], safe='')}"


def check_environment(config_path: Path) -> None:
    """Fail before Dagster starts, naming the variable, when the config reads an unset one."""
    config = yaml.safe_load(config_path.read_text()) or {}
    if POSTGRES_URL_ENV in set(env_references(config)) and not os.environ.get(POSTGRES_URL_ENV):
        url = postgres_url_from_libpq_env(dict(os.environ))
        if url:
            os.environ[POSTGRES_URL_ENV] = url
    missing = sorted(name for name in set(env_references(config)) if not os.environ.get(name))
    if missing:
        raise InstanceConfigError(
            f"{config_path.name} reads {', '.join(missing)}, which is not set. For PostgreSQL "
            f"export {POSTGRES_URL_ENV}=postgresql+psycopg2://USER:PASSWORD@HOST:5432/DB "
            "(or PGUSER, PGPASSWORD, PGHOST, PGPORT and PGDATABASE)."
        )


def prepare_dagster_home(paths: MeshPaths) -> Path:
    """Create ``DAGSTER_HOME`` with the chosen instance config and point the environment at it."""
    config = instance_config()
    if not config.exists():
        raise InstanceConfigError(f"no Dagster instance config at {config}")
    check_environment(config)
    home = paths.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(config, home / "dagster.yaml")
    os.environ["DAGSTER_HOME"] = str(home)
    os.environ["MESH_HOME"] = str(paths.home)
    os.environ.setdefault(EVENT_BATCH_SIZE_ENV, EVENT_BATCH_SIZE)
    return home
