"""A temporary copy of the project tree, so a scaffold never writes into the real one."""

from __future__ import annotations

import shutil
from pathlib import Path

from supplymesh.settings import PROJECT_ROOT

# runtime state, caches and the environment: nothing a scaffold reads or writes
IGNORED = shutil.ignore_patterns(
    ".git",
    ".venv",
    ".mesh",
    "target",
    "dbt_packages",
    "logs",
    "artifacts",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".grimp_cache",
    ".import_linter_cache",
    "*.duckdb",
)


def copy_project(target: Path) -> Path:
    """Copy this checkout's tree (code, definitions, transforms) to ``target``; returns it."""
    shutil.copytree(PROJECT_ROOT, target, ignore=IGNORED)
    return target
