"""Publishing never loses or corrupts data: bad batches are refused, consumers keep the last good
version, rejected rows are quarantined with the rule they broke, landing files stay."""

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from supplymesh.consumer import connect, run_query
from supplymesh.publishing.manifest import read_manifest
from supplymesh.publishing.publish import publish_frame, publish_landing
from supplymesh.settings import MeshPaths
from tests.validation.test_engine import orders_frame


@pytest.fixture
def paths(tmp_path) -> MeshPaths:
    return MeshPaths(tmp_path / "mesh")


def land(paths: MeshPaths, frame: pd.DataFrame, batch: str) -> Path:
    folder = paths.landing_dir("sales") / f"orders__{batch}"
    folder.mkdir(parents=True)
    frame.to_parquet(folder / "part-00000.parquet", index=False)
    return folder


def test_publish_serves_both_majors_and_latest_alias(paths):
    land(paths, orders_frame(30), "20260101T000000Z")
    results = publish_landing("sales.orders", paths=paths)
    assert [r.published for r in results] == [True, True]
    con = connect(paths)
    assert run_query(con, "select count(*) n from sales.orders_v2")["n"][0] == 30
    v1 = run_query(con, "select * from sales.orders_v1 limit 1")
    assert {"qty", "price"} <= set(v1.columns) and "quantity" not in v1.columns
    latest = run_query(con, "select * from sales.orders limit 1")
    assert "quantity" in latest.columns  # the alias points at the newest active major
    meta = run_query(
        con,
        "select major, status from mesh_meta.products where product = 'sales.orders' order by major",
    )
    assert meta.to_dict("records") == [
        {"major": 1, "status": "deprecated"},
        {"major": 2, "status": "active"},
    ]


def test_failed_batch_keeps_last_good_version_and_quarantines(paths):
    land(paths, orders_frame(30), "20260101T000000Z")
    good = {r.major: r.snapshot_id for r in publish_landing("sales.orders", paths=paths)}
    bad = orders_frame(40)
    bad.loc[7, "quantity"] = -3
    bad_folder = land(paths, bad, "20260102T000000Z")
    results = publish_landing("sales.orders", paths=paths)
    for r in results:
        assert not r.published
        assert r.serving_snapshot_id == good[r.major]
        quarantined = pd.read_parquet(r.quarantine_path)
        assert len(quarantined) == 1
        assert quarantined["order_id"][0] == "SO-000007"
        assert "greater_than_or_equal_to(0)" in quarantined["_violations"][0][0]
    assert bad_folder.exists()  # landing files are never deleted
    con = connect(paths)
    assert run_query(con, "select count(*) n from sales.orders")["n"][0] == 30
    manifest = read_manifest(paths)
    assert (
        manifest["products"]["sales.orders"]["versions"]["2"]["last_validation"]["passed"] is False
    )


def test_missing_column_publishes_nothing(paths):
    land(paths, orders_frame(10).drop(columns=["quantity"]), "20260101T000000Z")
    results = publish_landing("sales.orders", paths=paths)
    assert not any(r.published for r in results)
    assert all(r.serving_snapshot_id is None for r in results)
    assert results[0].report.schema_failures[0].column in {"quantity", "qty"}
    assert not paths.catalog_db.exists()


def test_missing_column_keeps_serving_the_previous_version(paths):
    land(paths, orders_frame(12), "20260101T000000Z")
    good = {r.major: r.snapshot_id for r in publish_landing("sales.orders", paths=paths)}
    land(paths, orders_frame(20).drop(columns=["unit_price"]), "20260102T000000Z")
    results = publish_landing("sales.orders", paths=paths)
    for r in results:
        assert not r.published and r.serving_snapshot_id == good[r.major]
        [failure] = r.report.schema_failures
        assert failure.rule == "column_present"
        assert failure.column == {1: "price", 2: "unit_price"}[r.major]
        assert f"sales.orders v{r.major}" in r.report.summary()
    assert connect(paths).execute("select count(*) from sales.orders").fetchone()[0] == 12


def test_consumer_connection_is_read_only(paths):
    land(paths, orders_frame(5), "20260101T000000Z")
    publish_landing("sales.orders", paths=paths)
    con = connect(paths)
    with pytest.raises(PermissionError, match="read-only"):
        run_query(con, "create table sales.hack as select 1")


def test_reader_keeps_its_catalog_while_a_new_version_is_published(paths):
    """An open reader never sees a lock or a half-published product, and new readers see the
    new snapshot."""
    land(paths, orders_frame(5), "20260101T000000Z")
    publish_landing("sales.orders", paths=paths)
    reader = connect(paths)
    land(paths, orders_frame(8), "20260102T000000Z")
    publish_landing("sales.orders", paths=paths)
    assert reader.execute("select count(*) from sales.orders").fetchone()[0] == 5
    assert connect(paths).execute("select count(*) from sales.orders").fetchone()[0] == 8


def test_asset_frames_must_match_the_contract_exactly(paths):
    frame = pd.DataFrame(
        {
            "load_id": ["L1"],
            "lane_id": ["LANE"],
            "ship_date": [pd.Timestamp("2026-01-01").date()],
            "arrival_date": [pd.Timestamp("2026-01-03").date()],
            "n_orders": [1],
            "weight_kg": [10.0],
            "volume_m3": [1.0],
            "pallets": [1],
            "weight_utilization": [0.1],
            "volume_utilization": [0.1],
            "pallet_utilization": [0.1],
            "mode": ["LTL"],
            "cost": [50.0],
            "lower_bound_trucks": [1],
            "solver": ["ffd"],
            "debug": [1],
        }
    )
    result = publish_frame("planning.truck_loads", frame, paths=paths)
    assert not result.published
    assert result.report.schema_failures[0].rule == "no_extra_columns"
    result = publish_frame("planning.truck_loads", frame.drop(columns="debug"), paths=paths)
    assert result.published
    assert duckdb.connect(str(paths.catalog_db), read_only=True).execute(
        "select mode from planning.truck_loads"
    ).fetchone() == ("LTL",)
