"""The landing sensor requests one run per new extract batch, once, and none for a batch a run
outside it already published or refused."""

import json
import shutil

import dagster as dg
import pandas as pd
import pytest

from orchestration.landing.sensors import landing_sensor
from orchestration.resources import MeshResource
from supplymesh.publishing.landing import latest_batch
from supplymesh.publishing.publish import publish_landing
from supplymesh.registry import all_products
from supplymesh.settings import MeshPaths
from tests.mesh_world import generate_tiny_world, mesh_environment


def test_new_batch_requests_a_run_for_its_product_once(tmp_path):
    paths = MeshPaths(tmp_path)
    (paths.landing_dir("catalog")).mkdir(parents=True)
    (paths.landing_dir("catalog") / "item_master__20261201T000000Z.csv").write_text("sku\n")
    mesh = MeshResource(home=str(tmp_path))

    context = dg.build_sensor_context(resources={"mesh": mesh})
    requests = list(landing_sensor(context))
    assert [r.run_key for r in requests] == ["catalog.products:item_master__20261201T000000Z.csv"]
    assert requests[0].asset_selection == [dg.AssetKey(["catalog", "products_v1"])]

    again = dg.build_sensor_context(resources={"mesh": mesh}, cursor=context.cursor)
    assert list(landing_sensor(again)) == []
    assert json.loads(context.cursor) == {"catalog.products": "item_master__20261201T000000Z.csv"}

    (paths.landing_dir("catalog") / "item_master__20261202T000000Z.csv").write_text("sku\n")
    newer = dg.build_sensor_context(resources={"mesh": mesh}, cursor=context.cursor)
    assert [r.run_key for r in landing_sensor(newer)] == [
        "catalog.products:item_master__20261202T000000Z.csv"
    ]


@pytest.fixture(scope="module")
def published_world(tmp_path_factory):
    """A tiny world whose every landing product was published outside the sensor (as by
    ``mesh materialize`` before ``mesh ui`` starts)."""
    with mesh_environment(tmp_path_factory.mktemp("sensor_mesh")) as paths:
        generate_tiny_world(paths)
        for product in all_products():
            if product.source_kind == "landing":
                assert all(r.published for r in publish_landing(product.key, paths=paths))
        yield paths


def tick(paths: MeshPaths, cursor: str | None = None) -> tuple[list[dg.RunRequest], str | None]:
    context = dg.build_sensor_context(
        resources={"mesh": MeshResource(home=str(paths.home))}, cursor=cursor
    )
    return list(landing_sensor(context)), context.cursor


def test_a_world_published_before_the_ui_started_launches_nothing(published_world):
    requests, cursor = tick(published_world)
    assert requests == []
    # the batches are remembered, so later ticks do not even look them up again
    assert set(json.loads(cursor)) == {p.key for p in all_products() if p.source_kind == "landing"}


def test_a_batch_landing_after_the_publish_still_gets_its_run(published_world):
    _, cursor = tick(published_world)
    item_master = latest_batch(published_world.landing_dir("catalog"), "item_master")
    newer = item_master.with_name("item_master__20261128T060000Z.csv")
    shutil.copyfile(item_master, newer)
    try:
        requests, _ = tick(published_world, cursor)
        assert [r.run_key for r in requests] == [f"catalog.products:{newer.name}"]
        fresh_start, _ = tick(published_world)  # a sensor with no cursor sees it as new too
        assert [r.run_key for r in fresh_start] == [f"catalog.products:{newer.name}"]
    finally:
        newer.unlink()


def test_a_batch_a_run_already_refused_is_not_launched_again(published_world):
    lanes = latest_batch(published_world.landing_dir("logistics"), "lanes")
    frame = pd.read_csv(lanes)
    frame.loc[0, "lane_id"] = frame.loc[1, "lane_id"]  # a duplicate key: the contract refuses it
    bad = lanes.with_name("lanes__20261128T070000Z.csv")
    frame.to_csv(bad, index=False)
    try:
        assert not publish_landing("logistics.lanes", paths=published_world)[0].published
        requests, _ = tick(published_world)
        assert requests == []
    finally:
        bad.unlink()
