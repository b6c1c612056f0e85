"""The dbt project in ``transforms/``: located once, its manifest prepared on demand.

dagster-dbt builds assets from ``manifest.json``, so a headless load needs ``dbt parse`` first.
The manifest lives in the runtime folder and is re-parsed whenever a file of the project is newer
than it, so an edited model never runs against a stale graph. A run starts that parse in the
background (``manifest_in_background``) and imports its definitions meanwhile.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from supplymesh.planning_settings import PlanningSettingsError, load_planning_settings
from supplymesh.settings import TRANSFORMS_DIR, MeshPaths, mesh_paths

PROJECT_FILES = ("*.yml", "*.sql", "*.csv")
# Which target of transforms/profiles.yml the mesh's dbt step runs on: `dev` (DuckDB, the
# default) or `spark` (a local Spark session; the `spark` extra and Java 17).
TARGET_ENV = "MESH_DBT_TARGET"
DBT_TARGETS = ("dev", "spark")


def dbt_target() -> str:
    """The dbt target of this run: ``$MESH_DBT_TARGET`` or ``dev``; a ValueError naming the
    choices for any other value, before dbt starts."""
    target = os.environ.get(TARGET_ENV) or DBT_TARGETS[0]
    if target not in DBT_TARGETS:
        raise ValueError(
            f"{TARGET_ENV}={target!r} is not a target of transforms/profiles.yml; "
            f"choose one of {', '.join(DBT_TARGETS)}"
        )
    return target


def dbt_env(paths: MeshPaths) -> dict[str, str]:
    """The environment dbt needs: the runtime folder, the target and no telemetry."""
    return {
        "MESH_HOME": str(paths.home),
        "DBT_TARGET": dbt_target(),
        "DBT_TARGET_PATH": str(paths.dbt_target),
        "DBT_LOG_PATH": str(paths.dbt_target / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_PROFILES_DIR": str(TRANSFORMS_DIR),
    }


def dbt_executable() -> str:
    """The dbt of this environment (next to the running Python), whatever PATH says."""
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def _newest_project_file() -> float:
    return max(
        (
            p.stat().st_mtime
            for pattern in PROJECT_FILES
            for p in TRANSFORMS_DIR.rglob(pattern)
            if "target" not in p.parts and "dbt_packages" not in p.parts
        ),
        default=0.0,
    )


def transforms_vars(paths: MeshPaths) -> dict[str, Any]:
    """The vars the transforms step passes to ``dbt build`` when a run sets none of its own:
    the runtime folder's planning settings'. An unreadable settings file gives none here; the
    run itself reports it."""
    try:
        return load_planning_settings(paths.home).dbt_vars()
    except PlanningSettingsError:
        return {}


def _profile_env_names() -> list[str]:
    return sorted(
        set(re.findall(r"env_var\(\s*'(\w+)'", (TRANSFORMS_DIR / "profiles.yml").read_text()))
    )


def parse_stamp(paths: MeshPaths) -> str:
    """What a saved parse is valid for: the target, the vars the transforms step passes and the
    values ``profiles.yml`` reads from the environment (the runtime folder, the memory budget).
    dbt parses the whole project again (about 10 s) when a build's vars or its rendered
    connection (the DuckDB file's path) differ from those of the saved ``partial_parse.msgpack``
    that dagster-dbt copies into each build's target folder: a moved runtime folder did that in
    every run."""
    env = {**os.environ, **dbt_env(paths)}
    return json.dumps(
        {
            "target": env["DBT_TARGET"],
            "vars": transforms_vars(paths),
            "profile_env": {name: env.get(name) for name in _profile_env_names()},
        },
        sort_keys=True,
    )


def _manifest_path(paths: MeshPaths) -> Path:
    return paths.dbt_target / "manifest.json"


def _stamp_path(paths: MeshPaths) -> Path:
    return paths.dbt_target / "manifest.target"


def _manifest_is_current(paths: MeshPaths, stamp: str) -> bool:
    manifest, parsed_for = _manifest_path(paths), _stamp_path(paths)
    return (
        manifest.exists()
        and manifest.stat().st_mtime >= _newest_project_file()
        and parsed_for.exists()
        and parsed_for.read_text() == stamp
    )


@dataclass
class _Parse:
    """A ``dbt parse`` under way for one runtime folder's target and stamp."""

    stamp: str
    process: subprocess.Popen
    output: IO[bytes]  # dbt's stdout and stderr (a file: a full pipe would stall dbt)


_PARSES: dict[Path, _Parse] = {}  # manifest path -> the parse started by ``start_manifest``


def start_manifest(paths: MeshPaths | None = None) -> None:
    """Start ``dbt parse`` in the background when the manifest is stale (the first run of a
    runtime folder: 10-15 s on two cores), so that a run's imports overlap it;
    ``ensure_manifest`` waits for it. Nothing starts when the manifest is current."""
    paths = paths or mesh_paths()
    stamp = parse_stamp(paths)
    if _manifest_path(paths) not in _PARSES and not _manifest_is_current(paths, stamp):
        _start_parse(paths, stamp)


def _start_parse(paths: MeshPaths, stamp: str) -> _Parse:
    """`dbt parse` for ``stamp`` in its own process, recorded for ``ensure_manifest``."""
    paths.dbt_target.mkdir(parents=True, exist_ok=True)
    output = tempfile.TemporaryFile()  # noqa: SIM115 - ensure_manifest closes it
    process = subprocess.Popen(
        [
            dbt_executable(),
            "parse",
            "--project-dir",
            str(TRANSFORMS_DIR),
            "--profiles-dir",
            str(TRANSFORMS_DIR),
            "--target-path",
            str(paths.dbt_target),
            "--vars",
            json.dumps(transforms_vars(paths), sort_keys=True),
            "--quiet",
        ],
        env={**os.environ, **dbt_env(paths)},
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    _PARSES[_manifest_path(paths)] = parse = _Parse(stamp, process, output)
    return parse


def ensure_manifest(paths: MeshPaths | None = None) -> Path:
    """The manifest, parsed first (or the parse ``start_manifest`` began waited for) when it is
    missing, older than the project's files, or parsed for another ``parse_stamp`` (another
    target: the sources differ per engine, see macros/mesh_sources.sql; other vars; another
    runtime folder)."""
    paths = paths or mesh_paths()
    manifest = _manifest_path(paths)
    stamp = parse_stamp(paths)
    parse = _PARSES.get(manifest)
    if parse is not None and parse.stamp != stamp:  # the settings changed since it started
        _stop_parse(manifest)
        parse = None
    if parse is None:
        if _manifest_is_current(paths, stamp):
            return manifest
        parse = _start_parse(paths, stamp)
    try:
        parse.process.wait()
        parse.output.seek(0)
        output = parse.output.read().decode(errors="replace")
    finally:
        del _PARSES[manifest]
        parse.output.close()
    if parse.process.returncode != 0 or not manifest.exists():
        raise RuntimeError(f"dbt parse failed:\n{output}")
    _stamp_path(paths).write_text(stamp)
    return manifest


def _stop_parse(manifest: Path) -> None:
    """Stop the parse ``start_manifest`` began for ``manifest``, if nobody waited for it."""
    parse = _PARSES.pop(manifest, None)
    if parse is not None:
        parse.process.kill()
        parse.process.wait()
        parse.output.close()


@contextmanager
def manifest_in_background(paths: MeshPaths) -> Iterator[None]:
    """Within the block a stale manifest parses in the background (``start_manifest``) for
    ``ensure_manifest`` to wait for; a parse the block did not wait for (it raised first) is
    stopped on leaving, so none outlives the block."""
    start_manifest(paths)
    try:
        yield
    finally:
        _stop_parse(_manifest_path(paths))


def load_dbt_manifest(paths: MeshPaths | None = None) -> dict:
    """The parsed dbt manifest (prepared first when missing or stale)."""
    return json.loads(ensure_manifest(paths).read_text())
