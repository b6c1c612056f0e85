"""The asset graph's parents, remembered in the runtime folder so the CLI need not build it.

``mesh lineage``, ``mesh products export`` and ``mesh products scorecard`` need only each asset's
parents, yet learning them from the definitions imports Dagster and dagster-dbt and loads the dbt
manifest: about 15 s, for a command a person runs by hand. The definitions stay the one source of
truth: whatever builds them anyway (a headless ``mesh materialize``, or a reader that finds no
usable copy) writes ``asset_parents(...)`` here, tagged with a fingerprint of everything the graph
is built from (the dbt manifest, the product registry's YAML, the Dagster code and the installed
Dagster). A reader uses the copy only when that fingerprint is today's; otherwise, or when the
file is missing, partial or not what this module writes, it builds the definitions and rewrites
the copy. This module imports no Dagster itself: only the rebuild does.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from supplymesh.files import atomic_write
from supplymesh.registry import product_files
from supplymesh.settings import PROJECT_ROOT, MeshPaths
from supplymesh.transforms_project import ensure_manifest

if TYPE_CHECKING:
    import dagster as dg

ORCHESTRATION_DIR = Path(__file__).resolve().parent
# the code that decides the asset keys and their wiring (registry.py turns YAML into products)
GRAPH_CODE = (ORCHESTRATION_DIR, PROJECT_ROOT / "supplymesh" / "registry.py")
# the libraries that turn that code and the manifest into an asset graph
GRAPH_LIBRARIES = ("dagster", "dagster-dbt")
FORMAT = 1  # bumped when the file's layout changes, so an older file is simply rebuilt


def cache_file(paths: MeshPaths) -> Path:
    """Beside the dbt manifest it is derived from (a removed target folder takes both)."""
    return paths.dbt_target / "asset_parents.json"


def _code_files() -> list[Path]:
    return sorted(
        f for root in GRAPH_CODE for f in ([root] if root.is_file() else root.rglob("*.py"))
    )


def graph_fingerprint(paths: MeshPaths) -> str:
    """A digest of what the asset graph is built from: the dbt manifest (re-parsed first if its
    project changed, as building the definitions would), each product YAML, the orchestration
    code and the Dagster libraries' versions. Reads a few dozen small files: milliseconds."""
    digest = hashlib.sha256(f"format {FORMAT}\n".encode())
    for name in GRAPH_LIBRARIES:
        digest.update(f"{name} {metadata.version(name)}\n".encode())
    manifest = ensure_manifest(paths)
    for path in [manifest, *product_files(), *_code_files()]:
        digest.update(f"{path.name} {path.stat().st_size}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def remember_asset_parents(
    paths: MeshPaths, parents: Mapping[str, Iterable[str]], fingerprint: str | None = None
) -> dict[str, list[str]]:
    """Write ``parents`` (from ``asset_parents``) as the copy for ``fingerprint`` (today's when
    not given: pass the one taken before building the definitions, so a file changed meanwhile
    leaves a copy that the next reader rebuilds), atomically: a reader sees the old file or the
    new one, never half of one; a folder it cannot write to only costs the next reader a rebuild.
    Returns the parents (keys in order)."""
    ordered = {key: list(keys) for key, keys in sorted(parents.items())}
    body = {"fingerprint": fingerprint or graph_fingerprint(paths), "parents": ordered}
    # a runtime folder this user may read but not write: answer uncached
    with contextlib.suppress(OSError):
        atomic_write(cache_file(paths), json.dumps(body, indent=1))
    return ordered


def _cached_parents(path: Path, fingerprint: str) -> dict[str, list[str]] | None:
    """The copy's parents if it is whole, well formed and for ``fingerprint``; else None."""
    try:
        body = json.loads(path.read_text())
    except (OSError, ValueError):  # missing, unreadable or cut short
        return None
    if not isinstance(body, dict) or body.get("fingerprint") != fingerprint:
        return None
    parents = body.get("parents")
    if not isinstance(parents, dict) or not all(
        isinstance(keys, list) and all(isinstance(k, str) for k in keys)
        for keys in parents.values()
    ):
        return None
    return parents


def _build_and_remember(
    paths: MeshPaths, fingerprint: str
) -> tuple[dg.Definitions, dict[str, list[str]]]:
    from orchestration.asset_graph import asset_parents
    from orchestration.definitions import build_definitions

    definitions = build_definitions()
    parents = asset_parents(definitions.resolve_asset_graph())
    return definitions, remember_asset_parents(paths, parents, fingerprint)


def remembered_definitions(paths: MeshPaths) -> dg.Definitions:
    """The mesh's definitions (``build_definitions``), their asset parents remembered on the
    way: for a caller that builds them anyway (a headless ``mesh materialize``). The fingerprint
    is taken before they are built, so a file changed meanwhile leaves a copy that the next
    reader rebuilds rather than a stale one it trusts. Their modules are imported before it,
    beside a dbt parse that ``transforms_project.start_manifest`` began (the fingerprint waits
    for the manifest): on a new runtime folder's first run the two overlapped by 8 s."""
    import orchestration.definitions  # noqa: F401 - the imports only, beside the parse

    return _build_and_remember(paths, graph_fingerprint(paths))[0]


def mesh_asset_parents(paths: MeshPaths) -> dict[str, list[str]]:
    """Every asset key (``domain/name``) and its parents' keys, as the definitions wire them:
    from the copy when it is current, else from the definitions themselves (then remembered)."""
    fingerprint = graph_fingerprint(paths)
    parents = _cached_parents(cache_file(paths), fingerprint)
    return parents if parents is not None else _build_and_remember(paths, fingerprint)[1]
