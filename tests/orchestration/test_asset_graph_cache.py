"""The asset graph's remembered copy: the definitions' own parents, read without Dagster while
current, rebuilt from the real definitions (dbt manifest and all) when what they are built from
changes or the file is damaged."""

import json
import shutil

import pytest

from orchestration.asset_graph import asset_parents
from orchestration.asset_graph_cache import (
    cache_file,
    graph_fingerprint,
    mesh_asset_parents,
    remembered_definitions,
)
from supplymesh.registry import product_files
from tests.cli.test_startup import run_verb
from tests.mesh_world import mesh_environment


@pytest.fixture(scope="module")
def mesh(tmp_path_factory):
    """A runtime folder whose definitions were built once (dbt parse included), remembering
    their graph the way a headless ``mesh materialize`` does."""
    with mesh_environment(tmp_path_factory.mktemp("asset_graph")) as paths:
        definitions = remembered_definitions(paths)
        yield paths, asset_parents(definitions.resolve_asset_graph())


def written(paths) -> dict:
    return json.loads(cache_file(paths).read_text())


def test_the_copy_is_the_definitions_graph_for_todays_fingerprint(mesh):
    paths, graph = mesh
    body = written(paths)
    assert body["fingerprint"] == graph_fingerprint(paths)
    assert body["parents"] == graph
    assert mesh_asset_parents(paths) == graph
    assert "sales/orders_v2" in graph["transforms/stg_sales__orders"]  # the manifest's wiring


def test_a_current_copy_answers_mesh_lineage_without_importing_dagster(mesh):
    paths, _ = mesh
    code, modules, out = run_verb(paths, "lineage", "sales.orders", "--json")
    assert code == 0
    assert "transforms/stg_sales__orders" in json.loads(out)["dbt_models"]
    assert not {"dagster", "dagster_dbt", "dbt"} & modules


def test_a_changed_manifest_rebuilds_and_rewrites_the_copy(mesh):
    paths, graph = mesh
    before = graph_fingerprint(paths)
    manifest = paths.dbt_target / "manifest.json"
    manifest.write_text(manifest.read_text() + "\n")  # the same graph, another file
    after = graph_fingerprint(paths)
    assert after != before
    assert mesh_asset_parents(paths) == graph
    assert written(paths)["fingerprint"] == after


def test_a_changed_product_yaml_changes_the_fingerprint(mesh, tmp_path, monkeypatch):
    """The registry is read from the project tree; a copy of one product's YAML stands in for
    an edit, so the test never writes into the working tree."""
    paths, _ = mesh
    original = product_files()
    edited = tmp_path / "sales" / original[0].name
    edited.parent.mkdir()
    shutil.copy(original[0], edited)
    monkeypatch.setattr(
        "orchestration.asset_graph_cache.product_files", lambda: [edited, *original[1:]]
    )
    same = graph_fingerprint(paths)
    assert same == written(paths)["fingerprint"]  # same bytes, same name: same fingerprint
    edited.write_text(edited.read_text() + "# edited\n")
    assert graph_fingerprint(paths) != same


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda text: text[: len(text) // 2], id="cut-short"),
        pytest.param(lambda text: "", id="empty"),
        pytest.param(lambda text: "[1, 2]", id="not-an-object"),
        pytest.param(
            lambda text: json.dumps({**json.loads(text), "parents": {"a/b": "c/d"}}),
            id="parents-not-lists",
        ),
    ],
)
def test_a_damaged_copy_is_ignored_and_rewritten(mesh, damage):
    paths, graph = mesh
    cache_file(paths).write_text(damage(cache_file(paths).read_text()))
    assert mesh_asset_parents(paths) == graph
    assert written(paths) == {"fingerprint": graph_fingerprint(paths), "parents": graph}


def test_a_copy_that_cannot_be_written_still_answers(mesh):
    paths, graph = mesh
    cache_file(paths).unlink()
    cache_file(paths).mkdir()  # neither readable nor replaceable as a file, even for root
    try:
        assert mesh_asset_parents(paths) == graph
    finally:
        cache_file(paths).rmdir()
    assert mesh_asset_parents(paths) == graph
    assert written(paths)["parents"] == graph
