"""Every product definition of a project tree, as data: this checkout, or any git ref of it.

The semver gate compares the contracts of two trees. Contracts are Python modules under one
package name (``contracts``), so two trees cannot be imported into one process; another tree is
loaded in a child process whose import path starts at that tree, and comes back as JSON. Broken
definitions (bad YAML, a contract that does not import) are collected as errors, not raised, so
one check run reports all of them.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from supplymesh.governance.contract_changes.spec import ContractSpec, contract_spec, spec_from_dict
from supplymesh.registry import ProductDefinitionError, load_product, product_files
from supplymesh.settings import PROJECT_ROOT

DEFINITION_DIRS = ("data_products", "contracts")
_LOAD_ERRORS = (
    ProductDefinitionError,
    yaml.YAMLError,
    ImportError,
    AttributeError,
    SyntaxError,
    TypeError,
    ValueError,
    KeyError,
)


def _load_errors() -> tuple[type[Exception], ...]:
    """What reading a definition may raise, pandera's included (imported here, as reading the
    contracts imports it anyway: listing the definitions of a tree does not need it)."""
    import pandera.errors

    return (*_LOAD_ERRORS, pandera.errors.SchemaInitError)


class DefinitionsError(RuntimeError):
    """A tree or git ref could not be read at all."""


@dataclass
class ProjectDefinitions:
    """The products of one tree: YAML metadata per product, a spec per version, and errors."""

    products: dict[str, dict[str, Any]] = field(default_factory=dict)
    specs: dict[tuple[str, int], ContractSpec] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(
            {
                "products": self.products,
                "specs": [s.to_dict() for s in self.specs.values()],
                "errors": self.errors,
            },
            default=str,
        )

    @classmethod
    def from_json(cls, text: str) -> ProjectDefinitions:
        raw = json.loads(text)
        specs = [spec_from_dict(s) for s in raw["specs"]]
        return cls(
            raw["products"],
            {(s.product, s.major): s for s in specs},
            [tuple(e) for e in raw["errors"]],
        )


def load_definitions(root: Path = PROJECT_ROOT) -> ProjectDefinitions:
    """Read every ``data_products/<domain>/<name>.yaml`` of ``root`` and its contracts.

    Only valid in a process whose ``contracts`` package is ``root``'s (see ``load_tree``).
    """
    out = ProjectDefinitions()
    load_errors = _load_errors()
    for path in product_files(root / "data_products"):
        where = str(path.relative_to(root))
        try:
            product = load_product(path)
        except load_errors as exc:
            out.errors.append((where, f"cannot read product definition: {exc}"))
            continue
        out.products[product.key] = {
            "path": where,
            "folder": path.parent.name,
            "file": path.stem,
            "domain": product.domain,
            "name": product.name,
            "source_kind": product.source_kind,
            "versions": [
                {
                    "major": v.major,
                    "version": v.version,
                    "status": v.status,
                    "deprecated_on": str(v.deprecated_on) if v.deprecated_on else None,
                    "sunset_on": str(v.sunset_on) if v.sunset_on else None,
                    "contract": v.contract_ref,
                }
                for v in product.versions
            ],
        }
        for v in product.versions:
            try:
                out.specs[(product.key, v.major)] = contract_spec(product, v)
            except load_errors as exc:
                out.errors.append(
                    (f"{product.key} v{v.major}", f"contract {v.contract_ref} fails to load: {exc}")
                )
    return out


def load_tree(root: Path) -> ProjectDefinitions:
    """The definitions of any tree; another tree than this project's loads in a child process."""
    root = root.resolve()
    if root == PROJECT_ROOT:
        return load_definitions(root)
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-m", "supplymesh.governance.contract_changes.project_tree", str(root)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise DefinitionsError(f"cannot load definitions of {root}:\n{done.stderr[-2000:]}")
    return ProjectDefinitions.from_json(done.stdout)


def extract_tree(repo: Path, ref: str, target: Path) -> Path:
    """Write the product definitions of ``ref`` (a commit, branch or tag of ``repo``) to
    ``target``."""
    listed = subprocess.run(
        ["git", "-C", str(repo), "ls-tree", "--name-only", ref, "--", *DEFINITION_DIRS],
        capture_output=True,
        text=True,
        check=False,
    )
    if listed.returncode != 0:
        raise DefinitionsError(f"git ref {ref!r} not found in {repo}: {listed.stderr.strip()}")
    dirs = listed.stdout.split()
    target.mkdir(parents=True, exist_ok=True)
    if not dirs:
        return target  # the ref predates the product definitions: an empty tree
    archive = subprocess.run(
        ["git", "-C", str(repo), "archive", "--format=tar", ref, "--", *dirs],
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        raise DefinitionsError(f"git archive {ref} failed: {archive.stderr.decode()[-500:]}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(target, filter="data")
    return target


def load_ref(repo: Path, ref: str) -> ProjectDefinitions:
    """The definitions as they were at a git ref of ``repo``."""
    with tempfile.TemporaryDirectory(prefix="mesh-ref-") as tmp:
        return load_tree(extract_tree(repo, ref, Path(tmp)))


if __name__ == "__main__":
    tree = Path(sys.argv[1]).resolve()
    sys.path.insert(0, str(tree))
    print(load_definitions(tree).to_json())
