"""``mesh materialize`` over refused batches: a header-only orders batch and a malformed stock
snapshot end in one paragraph each and exit 1 (no traceback), the products keep their rows and
the landing files stay; ``--allow-shrink`` lets a shrink through, recorded in the run and the
audit log."""

from __future__ import annotations

import dagster as dg
import pytest

from supplymesh.cli import main
from supplymesh.consumer import connect, run_query
from supplymesh.governance import audit
from supplymesh.publishing.publish import publish_landing
from tests.mesh_world import generate_tiny_world, mesh_environment
from tests.validation.malformed_extracts import HEADER_ONLY, KINDS, valid_extracts

NEW_BATCH = "29990101T000000Z"  # newer than the tiny world's batch
TRUNCATED = next(k for k in KINDS if k.name == "truncated_last_row")


@pytest.fixture(scope="module")
def mesh(tmp_path_factory):
    """The tiny world's orders and stock snapshots, published; then a header-only orders batch
    and a stock snapshot with its last row cut short land."""
    with mesh_environment(tmp_path_factory.mktemp("mesh")) as paths:
        generate_tiny_world(paths)
        for product in ("sales.orders", "inventory.stock_snapshots"):
            assert all(r.published for r in publish_landing(product, paths=paths))
        orders, stock = (
            valid_extracts()["sales.orders"],
            valid_extracts()["inventory.stock_snapshots"],
        )
        landed = {
            paths.landing_dir("sales") / f"orders__{NEW_BATCH}.csv": HEADER_ONLY.make(orders),
            paths.landing_dir("inventory") / f"stock_snapshot__{NEW_BATCH}.csv": TRUNCATED.make(
                stock
            ),
        }
        for path, data in landed.items():
            path.write_bytes(data)
        yield paths, landed


def _rows(paths, view: str) -> int:
    return int(run_query(connect(paths), f"select count(*) n from {view}")["n"][0])


@pytest.mark.slow
def test_refused_batches_fail_the_run_with_one_paragraph_each_and_no_traceback(mesh, capfd):
    paths, landed = mesh
    before = {v: _rows(paths, v) for v in ("sales.orders_v2", "inventory.stock_snapshots_v1")}

    code = main(
        ["materialize", "--select", "sales.orders", "--select", "inventory.stock_snapshots"]
    )

    out, err = capfd.readouterr()
    assert code == 1
    assert "Traceback" not in out + err and "STEP_FAILURE" not in err
    failed = [line for line in out.splitlines() if "check FAILED" in line]
    [orders] = [line for line in failed if "sales/orders_v2:contract" in line]
    assert "a new version of 0 rows where" in orders and "--allow-shrink sales.orders" in orders
    [stock] = [line for line in failed if "inventory/stock_snapshots_v1:contract" in line]
    assert f"stock_snapshot__{NEW_BATCH}.csv, line 2,001:" in stock and "truncated" in stock
    assert {v: _rows(paths, v) for v in before} == before
    assert all(path.read_bytes() == data for path, data in landed.items())


@pytest.mark.slow
def test_allow_shrink_lets_the_steward_through_recorded_in_the_run_and_the_audit_log(mesh, capfd):
    paths, _ = mesh

    code = main(["materialize", "--select", "sales.orders", "--allow-shrink", "sales.orders"])

    assert code == 0, capfd.readouterr()
    assert _rows(paths, "sales.orders_v2") == 0
    overrides = [e for e in audit.read_entries(paths) if e["action"] == "volume_override"]
    assert {e["subject"] for e in overrides} == {"sales.orders v1", "sales.orders v2"}
    run_id = overrides[0]["actor"].removeprefix("run:")
    assert overrides[0]["details"]["requested_by"].endswith("(mesh materialize --allow-shrink)")
    with dg.DagsterInstance.get() as instance:
        run = instance.get_run_by_id(run_id)
    assert run.tags["supplymesh/allow_shrink"] == "sales.orders"
    assert run.run_config["resources"]["mesh"]["config"]["allow_shrink"] == ["sales.orders"]


def test_allow_shrink_of_a_product_not_published_from_landing_stops_before_the_run(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("MESH_HOME", str(tmp_path))
    assert main(["materialize", "--allow-shrink", "planning.truck_loads"]) == 2
    assert "--allow-shrink planning.truck_loads: not a product published from landing" in (
        capsys.readouterr().err
    )
    assert not (tmp_path / "dagster_home").exists()  # nothing ran
