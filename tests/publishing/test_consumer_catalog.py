"""A publish updates each role's catalog one product at a time, to exactly what a whole
rebuild writes; a catalog built from another layout (a changed contract or grant) is rebuilt
whole."""

from pathlib import Path

import duckdb
import pytest

from supplymesh.governance.access import catalog_path
from supplymesh.governance.access_requests import roles_with_grants
from supplymesh.publishing import consumer_catalog
from supplymesh.publishing.consumer_catalog import rebuild_catalog
from supplymesh.publishing.manifest import read_manifest
from supplymesh.publishing.publish import publish_landing
from supplymesh.registry import get_product
from supplymesh.settings import MeshPaths
from tests.publishing.test_publish import land
from tests.validation.test_engine import orders_frame

META_TABLES = ("products", "columns", "snapshots")


def contents(path: Path) -> tuple:
    """Everything a catalog serves but the time it was built."""
    with duckdb.connect(str(path), read_only=True) as con:
        views = con.sql(
            "select schema_name, view_name, sql, comment from duckdb_views() "
            "where not internal order by all"
        ).fetchall()
        tables = [
            con.sql(f"select * from mesh_meta.{t} order by all").fetchall() for t in META_TABLES
        ]
        catalog = con.sql("select role, clearance, description, layout from mesh_meta.catalog")
        return views, tables, catalog.fetchall()


@pytest.fixture
def paths(tmp_path) -> MeshPaths:
    paths = MeshPaths(tmp_path / "mesh")
    land(paths, orders_frame(30), "20260101T000000Z")
    publish_landing("sales.orders", paths=paths)  # no catalog yet: each built whole
    return paths


@pytest.fixture
def whole_builds(monkeypatch) -> list[str]:
    """The roles whose catalog was built whole since the fixture started."""
    built: list[str] = []
    build_views = consumer_catalog.build_views

    def counted(con, role, manifest):
        built.append(role.name)
        build_views(con, role, manifest)

    monkeypatch.setattr(consumer_catalog, "build_views", counted)
    return built


def test_a_publish_updates_each_catalog_as_a_whole_rebuild_would(paths, whole_builds):
    land(paths, orders_frame(40), "20260102T000000Z")
    assert all(r.published for r in publish_landing("sales.orders", paths=paths))
    assert whole_builds == []
    roles = roles_with_grants(paths).values()
    updated = {role.name: contents(catalog_path(paths, role)) for role in roles}
    assert len(updated["analyst"][1][2]) == 4  # history: two snapshots of each major

    rebuild_catalog(paths, read_manifest(paths))
    assert {role.name: contents(catalog_path(paths, role)) for role in roles} == updated


def test_a_catalog_of_another_layout_is_rebuilt_whole(paths, whole_builds):
    analyst = catalog_path(paths, "analyst")
    with duckdb.connect(str(analyst)) as con:
        con.execute("update mesh_meta.catalog set layout = 'a contract ago'")
    land(paths, orders_frame(40), "20260102T000000Z")
    publish_landing("sales.orders", paths=paths)
    assert whole_builds == ["analyst"]
    with duckdb.connect(str(analyst), read_only=True) as con:
        layout = con.execute("select layout from mesh_meta.catalog").fetchone()[0]
    assert layout == consumer_catalog.catalog_layout(roles_with_grants(paths)["analyst"])


def test_a_catalog_behind_the_manifest_for_another_product_is_rebuilt_whole(paths, whole_builds):
    """A kill between a manifest write and the catalog swap leaves a catalog behind for that
    product; the next publish of any other product brings the whole catalog back in step."""
    analyst = catalog_path(paths, "analyst")
    with duckdb.connect(str(analyst)) as con:
        con.execute(
            "update mesh_meta.products set snapshot_id = 'behind' where product = 'sales.orders'"
        )
    rebuild_catalog(paths, read_manifest(paths), get_product("market.calendar"))
    assert "analyst" in whole_builds
    with duckdb.connect(str(analyst), read_only=True) as con:
        served = con.execute("select count(*) from mesh_meta.products where snapshot_id = 'behind'")
        assert served.fetchone()[0] == 0
