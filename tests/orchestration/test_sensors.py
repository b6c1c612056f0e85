"""The landing sensor requests one run per new extract batch, once."""

import json

import dagster as dg

from orchestration.resources import MeshResource
from orchestration.sensors import landing_sensor
from supplymesh.settings import MeshPaths


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
