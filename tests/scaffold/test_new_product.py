"""``mesh products new`` in a temporary copy of the project tree (never the real one): what it
writes, what it refuses (writing nothing), and a scaffolded product landed, materialized by a
real ``mesh materialize`` and read from the steward's catalog, its generated test passing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from supplymesh.scaffold.project import ScaffoldError, scaffold_product
from supplymesh.scaffold.sample import SampleError
from supplymesh.settings import MeshPaths
from tests.scaffold.project_copy import copy_project
from tests.scaffold.test_inference import appointments, write


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return copy_project(tmp_path_factory.mktemp("scaffold") / "project")


def _tree(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if "__pycache__" not in p.parts}


def test_a_scaffold_writes_the_definition_contract_test_and_sources(project, tmp_path):
    paths = MeshPaths(tmp_path / "home")
    sample = write(appointments(), tmp_path / "dock_appointments.csv")

    done = scaffold_product("yard.dock_appointments", sample, root=project, paths=paths)

    assert [p.relative_to(project).as_posix() for p in done.written] == [
        "data_products/yard/dock_appointments.yaml",
        "contracts/yard/__init__.py",
        "contracts/yard/dock_appointments_v1.py",
        "tests/data_products/__init__.py",
        "tests/data_products/test_yard_dock_appointments.py",
        "transforms/models/staging/__sources.yml",
    ]
    definition = yaml.safe_load(done.written[0].read_text())
    assert (definition["access"], definition["source"]) == (
        "restricted",
        {"kind": "landing", "extract": "dock_appointments"},
    )
    contract = done.written[2].read_text()
    assert "appointment_id: Series[str] = column(" in contract and "unique=True" in contract
    assert "pallets: Series[int] = column(" in contract and "gt=0, nullable=True" in contract
    described = 'column("Driver email (scaffolded: describe it).", "pii")'
    assert f"driver_email: Series[str] = {described}" in contract
    sources = yaml.safe_load(done.written[-1].read_text())
    [yard] = [s for s in sources["sources"] if s["name"] == "yard"]
    assert [t["name"] for t in yard["tables"]] == ["dock_appointments_v1"]
    assert paths.landing_dir("yard").is_dir() and done.landed is None
    assert not list(paths.landing_dir("yard").iterdir())  # the sample lands only when asked


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("sales.orders", "sales.orders exists already"),
        ("Yard.docks", "is not a product name"),
        ("docks", "is not a product name"),
        ("yard.class", "is not a product name"),
        ("checks.docks", "is taken by the mesh itself"),
        ("mesh_meta.docks", "is taken by the mesh itself"),
        ("history.docks", "is taken by the mesh itself"),  # every catalog's history schema
    ],
)
def test_a_taken_or_invalid_name_is_refused_and_nothing_written(project, tmp_path, name, message):
    sample = write(appointments(), tmp_path / "s.csv")
    before = _tree(project)
    with pytest.raises(ScaffoldError, match=message):
        scaffold_product(name, sample, root=project, paths=MeshPaths(tmp_path / "home"))
    assert _tree(project) == before and not (tmp_path / "home").exists()


def test_an_unreadable_sample_is_refused_and_nothing_written(project, tmp_path):
    sample = tmp_path / "s.parquet"
    sample.write_bytes(b"not parquet at all")
    before = _tree(project)
    with pytest.raises(SampleError, match="is unreadable"):
        scaffold_product("yard.gates", sample, root=project, paths=MeshPaths(tmp_path / "home"))
    assert _tree(project) == before


def _mesh(project: Path, home: Path, *argv: str) -> subprocess.CompletedProcess:
    """``mesh *argv`` running the copy's code on its own tree (its import path starts there)."""
    return subprocess.run(
        [str(Path(sys.executable).with_name("mesh")), *argv],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(project), "MESH_HOME": str(home)},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.slow
def test_a_scaffolded_product_lands_materializes_and_passes_its_own_test(tmp_path):
    project, home = copy_project(tmp_path / "project"), tmp_path / "home"
    sample = write(appointments(), tmp_path / "dock_appointments.parquet")

    scaffold = ["products", "new", "yard.dock_appointments", "--from", str(sample), "--land"]
    new = _mesh(project, home, *scaffold)
    assert new.returncode == 0, new.stderr
    assert "The owner must still decide:" in new.stdout and "landed the sample as" in new.stdout

    run = _mesh(project, home, "materialize", "--select", "yard.dock_appointments")
    assert run.returncode == 0, run.stdout + run.stderr
    query = "select count(*) n, count(pallets) pallets from yard.dock_appointments"
    read = _mesh(project, home, "query", "--role", "steward", "--format", "json", query)
    assert json.loads(read.stdout) == [{"n": 6, "pallets": 5}], read.stderr
    hidden = _mesh(project, home, "query", query)  # restricted: not the analyst's
    assert hidden.returncode == 1 and "cannot see yard.dock_appointments" in hidden.stderr

    test = project / "tests/data_products/test_yard_dock_appointments.py"
    own = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test)],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(project)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert own.returncode == 0 and "2 passed" in own.stdout, own.stdout
