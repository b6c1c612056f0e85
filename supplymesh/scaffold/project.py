"""Writing a scaffolded product into a project tree, and its landing folder into ``MESH_HOME``.

A scaffold is all or nothing: the name is checked and the sample inferred before anything is
written; then the product YAML, the contract (with its domain package when the domain is new) and
the test are written, and the dbt sources file is regenerated from the tree's definitions the way
``mesh contracts sources --write`` does. If the new definitions do not load, every file written is
removed again and nothing else changed.

The landing folder ``MESH_HOME/landing/<domain>/`` is created. The sample itself is landed as
the first batch only when asked (``land``): a sample is often a hand-picked extract the owner
would not want published as the product's first version.
"""

from __future__ import annotations

import importlib
import keyword
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from supplymesh.files import atomic_write
from supplymesh.governance.contract_changes.project_tree import load_tree
from supplymesh.governance.dbt_sources import write_sources
from supplymesh.publishing.consumer_catalog import RESERVED_SCHEMAS
from supplymesh.publishing.landing import new_batch_id
from supplymesh.scaffold import render
from supplymesh.scaffold.inference import InferredContract, infer_contract
from supplymesh.scaffold.render import ProductName
from supplymesh.scaffold.sample import read_sample
from supplymesh.settings import MeshPaths

NAME = re.compile(r"^([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)$")
# the products' test folder in a project tree (tests mirror data_products/)
TESTS_DIR = Path("tests/data_products")


class ScaffoldError(ValueError):
    """The product cannot be scaffolded; the message says why, and nothing was written."""


@dataclass(frozen=True)
class Scaffold:
    """What a scaffold wrote and what its owner must still decide."""

    product: ProductName
    inferred: InferredContract
    written: tuple[Path, ...]  # in the project tree, the sources file last
    landing_dir: Path
    landed: Path | None


def parse_name(text: str, root: Path) -> ProductName:
    """``<domain>.<name>`` in lower-case identifiers, free of the names the tree already uses."""
    match = NAME.match(text)
    if not match or any(keyword.iskeyword(part) for part in match.groups()):
        raise ScaffoldError(
            f"{text!r} is not a product name: DOMAIN.PRODUCT in lower-case letters, digits and "
            "underscores, each starting with a letter (e.g. yard.dock_appointments)"
        )
    product = ProductName(*match.groups())
    if product.domain in RESERVED_SCHEMAS or (root / "contracts" / f"{product.domain}.py").exists():
        raise ScaffoldError(
            f"{product.domain!r} is taken by the mesh itself; choose another domain"
        )
    return product


def _paths_of(product: ProductName, root: Path) -> dict[str, Path]:
    return {
        "yaml": root / "data_products" / product.domain / f"{product.name}.yaml",
        "contract": root / "contracts" / product.domain / f"{product.name}_v1.py",
        "test": root / TESTS_DIR / f"test_{product.domain}_{product.name}.py",
    }


def _refuse_existing(product: ProductName, files: dict[str, Path]) -> None:
    taken = [str(path) for path in files.values() if path.exists()]
    if taken:
        raise ScaffoldError(f"{product.key} exists already: {', '.join(taken)}")


def _write_new(path: Path, text: str, created: list[Path]) -> None:
    """Write ``path``, recording it and every folder (with its package file) made for it."""
    for folder in reversed(path.parents):
        if not folder.exists():
            folder.mkdir()
            created.append(folder)
    package = path.parent / "__init__.py"
    if path.suffix == ".py" and not package.exists():
        package.write_text(f'"""{_package_doc(path)}"""\n')
        created.append(package)
    path.write_text(text)
    created.append(path)


def _package_doc(path: Path) -> str:
    if path.parent.parent.name == "contracts":
        return f"Contracts of the {path.parent.name} domain's products."
    return "Tests of the data products, one module per product (scaffolded ones among them)."


def _remove(created: list[Path]) -> None:
    for path in reversed(created):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _regenerate_sources(root: Path) -> Path:
    importlib.invalidate_caches()  # a new domain package must be importable in this process
    definitions = load_tree(root)
    if definitions.errors:
        raise ScaffoldError(
            "the definitions do not load with the new product: "
            + "; ".join(f"{subject}: {message}" for subject, message in definitions.errors)
        )
    return write_sources(definitions, root)


def scaffold_product(
    key: str, sample_path: Path, *, root: Path, paths: MeshPaths, land: bool = False
) -> Scaffold:
    """Scaffold ``key`` into the project tree at ``root`` from ``sample_path`` (see the module
    docstring); a ScaffoldError or SampleError (nothing written) when it cannot."""
    product = parse_name(key, root)
    files = _paths_of(product, root)
    _refuse_existing(product, files)
    sample = read_sample(sample_path)
    inferred = infer_contract(sample)
    created: list[Path] = []
    try:
        _write_new(files["yaml"], render.product_yaml(product, inferred, sample_path.name), created)
        _write_new(
            files["contract"],
            render.contract_module(product, inferred, sample_path.name),
            created,
        )
        _write_new(files["test"], render.product_test(product, inferred), created)
        sources = _regenerate_sources(root)
    except BaseException:
        _remove(created)
        raise
    landing_dir = paths.landing_dir(product.domain)
    landing_dir.mkdir(parents=True, exist_ok=True)
    landed = None
    if land:
        landed = landing_dir / f"{product.name}__{new_batch_id()}{sample_path.suffix.lower()}"
        atomic_write(landed, sample_path.read_bytes())
    written = tuple(p for p in created if p.is_file())
    return Scaffold(product, inferred, (*written, sources), landing_dir, landed)
