"""The whole mesh runs end to end, and a contract violation stops it without losing data."""

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from orchestration.asset_graph_cache import cache_file, graph_fingerprint
from supplymesh.consumer import connect, run_query
from supplymesh.files import LockOwner, read_owner
from supplymesh.headless import materialize
from supplymesh.product_listing import catalog_entries
from supplymesh.publishing.landing import latest_batch, new_batch_id
from supplymesh.publishing.manifest import current_snapshot, read_manifest
from supplymesh.registry import all_products
from supplymesh.run_guard import RUN_LOCK
from tests.chaos.invariants import land_changed_orders


def test_whole_mesh_materializes_every_product(published_mesh):
    paths, outcome = published_mesh
    assert outcome.success, outcome.errors
    assert outcome.failed_checks == 0
    con = connect(paths)
    for product in all_products():
        for version in product.versions:
            view = f"{product.domain}.{version.table}"
            rows = run_query(con, f"select count(*) n from {view}")["n"][0]
            # a day with no purchase order due has an empty (but published) shipment plan
            if product.domain != "planning" or product.name == "demand_forecast":
                assert rows > 0, f"{view} is empty"
    due = run_query(con, "select count(*) n from planning.inventory_plan where order_due")["n"][0]
    planned = run_query(con, "select count(*) n from planning.shipment_plan")["n"][0]
    assert planned == due
    forecast = run_query(con, "select * from planning.demand_forecast")
    assert forecast["horizon_day"].between(1, 28).all()
    assert (forecast["p90"] >= forecast["p50"]).all()


def test_the_run_leaves_its_asset_graph_for_mesh_lineage(published_mesh):
    """``mesh lineage`` and the products commands read this copy instead of building the
    definitions again (``orchestration/asset_graph_cache.py``)."""
    paths, _ = published_mesh
    body = json.loads(cache_file(paths).read_text())
    assert body["fingerprint"] == graph_fingerprint(paths)
    assert "sales/orders_v2" in body["parents"]["transforms/stg_sales__orders"]


def test_every_dbt_test_the_build_runs_is_an_asset_check(published_mesh):
    """No dbt test result ends up as an ``AssetObservation`` with dagster-dbt's "executed due to
    dbt indirect selection" warning (the source tests did, one per test and run)."""
    _, outcome = published_mesh
    with dg.DagsterInstance.get() as instance:
        observations = instance.all_logs(
            outcome.run_id, of_type=dg.DagsterEventType.ASSET_OBSERVATION
        )
        checks = instance.all_logs(
            outcome.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
        )
    stray = [
        o.dagster_event.asset_key.to_user_string()
        for o in observations
        if "instead of an `AssetCheckResult`"
        in (o.dagster_event.event_specific_data.asset_observation.description or "")
    ]
    assert stray == [], f"dbt tests run outside Dagster's check selection, on {sorted(set(stray))}"
    dbt_checks = [
        c for c in checks if c.dagster_event.event_specific_data.asset_key.path[0] == "transforms"
    ]
    assert len(dbt_checks) > 20  # the models' tests still run, as checks


def test_catalog_lists_every_product_with_its_promises(published_mesh):
    paths, _ = published_mesh
    entries = {e["product"]: e for e in catalog_entries(paths)}
    assert len([e for e in entries.values() if e["domain"] != "planning"]) >= 7
    assert {"planning.demand_forecast", "planning.inventory_plan", "planning.shipment_plan"} <= set(
        entries
    )
    for e in entries.values():
        for field in (
            "domain",
            "name",
            "version",
            "versions",
            "owner",
            "status",
            "access",
            "freshness_sla",
            "columns",
            "last_published",
        ):
            assert e[field], f"{e['product']} lacks {field}"
        assert all(c["classification"] for c in e["columns"])
    assert entries["sales.orders"]["versions"] == [1, 2]


def test_readers_query_while_a_materialization_runs_in_another_process(published_mesh):
    """The consumer catalog never blocks: `mesh query` and a plain DuckDB client keep answering
    while `mesh materialize` republishes products in another process, the one `mesh query`
    reads among them (each publish swaps in new catalog files)."""
    paths, _ = published_mesh
    env = {**os.environ, "MESH_HOME": str(paths.home)}
    mesh = str(Path(sys.executable).with_name("mesh"))
    selection = ["--select", "sales.orders", "--select", "planning/demand_forecast_v1"]
    run = subprocess.Popen(
        [mesh, "materialize", *selection],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    cli_reads = client_reads = 0
    try:
        while run.poll() is None:
            query = subprocess.run(
                [mesh, "query", "select count(*) as n from sales.orders", "--format", "csv"],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert query.returncode == 0, query.stderr
            assert int(query.stdout.splitlines()[1]) > 0
            cli_reads += 1
            with duckdb.connect(str(paths.catalog_db), read_only=True) as con:
                assert con.execute("select count(*) from planning.inventory_plan").fetchone()[0] > 0
            client_reads += 1
        output = run.stdout.read()
    finally:
        run.kill()
    assert run.returncode == 0, output
    assert "succeeded" in output
    assert cli_reads >= 3 and client_reads >= 3


def _start(paths, *args: str) -> subprocess.Popen:
    env = {**os.environ, "MESH_HOME": str(paths.home)}
    mesh = str(Path(sys.executable).with_name("mesh"))
    return subprocess.Popen(
        [mesh, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _wait_for_holder(paths, runs: list[subprocess.Popen]) -> LockOwner:
    """The owner record of the run lock, once one of ``runs`` holds it."""
    deadline = time.monotonic() + 120
    while (owner := read_owner(paths.home / RUN_LOCK)) is None or owner.pid not in {
        run.pid for run in runs
    }:
        assert time.monotonic() < deadline, "no run took the run lock"
        time.sleep(0.05)
    return owner


def test_two_runs_started_at_once_take_turns_and_a_third_refuses(published_mesh):
    """One `mesh materialize` per MESH_HOME: a second one started while the first holds the run
    lock waits, naming the first, then publishes after it (never interleaved); one started with
    --no-wait refuses, naming the holder. (The second starts once the first holds the lock:
    started together, on loaded cores the first could finish before the second reached it.)"""
    paths, _ = published_mesh
    first = _start(paths, "materialize", "--select", "sales.orders")
    holder = _wait_for_holder(paths, [first])
    second = _start(paths, "materialize", "--select", "sales.orders")
    refused = _start(paths, "materialize", "--select", "sales.orders", "--no-wait")
    refusal = refused.communicate(timeout=120)[0]
    outputs = {run.pid: run.communicate(timeout=600)[0] for run in (first, second)}
    assert (first.returncode, second.returncode) == (0, 0), outputs
    assert refused.returncode == 3, refusal
    assert f"not started (--no-wait): MESH_HOME {paths.home}" in refusal
    assert any(f"is held by pid {run.pid} on " in refusal for run in (first, second))
    waiter = [out for out in outputs.values() if "waiting for pid" in out]
    assert len(waiter) == 1 and f"waiting for pid {holder.pid} on " in waiter[0]
    run_ids = [
        line.split()[1]
        for out in outputs.values()
        for line in out.splitlines()
        if line.startswith("run ")
    ]
    for major in (1, 2):
        history = [
            s["run_id"]
            for s in read_manifest(paths)["products"]["sales.orders"]["versions"][str(major)][
                "history"
            ]
        ]
        mine = [r for r in history if r in run_ids]
        assert len(mine) == 2 and mine[0] != mine[1]  # one snapshot per run, one after the other


def _read_orders_cli(paths) -> tuple[int, int]:
    query = subprocess.run(
        [
            str(Path(sys.executable).with_name("mesh")),
            "query",
            ORDERS_FINGERPRINT,
            "--format",
            "csv",
        ],
        env={**os.environ, "MESH_HOME": str(paths.home)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert query.returncode == 0, query.stderr
    n, total = query.stdout.splitlines()[1].split(",")
    return int(n), int(float(total))


def _read_orders_duckdb(paths) -> tuple[int, int]:
    with duckdb.connect(str(paths.catalog_db), read_only=True) as con:
        n, total = con.execute(ORDERS_FINGERPRINT).fetchone()
    return int(n), int(total)


ORDERS_FINGERPRINT = "select count(*) as n, sum(quantity) as q from sales.orders_v2"
RUNS, READERS = 10, 4


@pytest.mark.slow
def test_four_readers_over_ten_runs_that_change_the_data_never_fail_or_see_a_torn_product(
    published_mesh,
):
    """Two `mesh query` readers and two plain DuckDB clients read sales.orders in a loop while
    ten runs in a row each publish a changed orders batch: every read answers, and every answer
    is exactly one of the batches published (row count and quantity total), never a mix."""
    paths, _ = published_mesh
    published = {_read_orders_duckdb(paths)}
    stop = threading.Event()
    reads: list[tuple[int, int]] = []
    failures: list[str] = []

    def reader(read) -> None:
        while not stop.is_set():
            try:
                reads.append(read(paths))
            except Exception as exc:  # every failed read is counted and shown, none hidden
                failures.append(repr(exc))

    threads = [
        threading.Thread(target=reader, args=(read,))
        for read in [_read_orders_cli, _read_orders_cli, _read_orders_duckdb, _read_orders_duckdb]
    ]
    for thread in threads:
        thread.start()
    try:
        for trial in range(RUNS):
            published.add(land_changed_orders(paths, trial))
            run = _start(paths, "materialize", "--select", "sales.orders")
            output = run.communicate(timeout=600)[0]
            assert run.returncode == 0, output
    finally:
        stop.set()
        for thread in threads:
            thread.join(180)
    assert failures == []
    torn = [r for r in reads if r not in published]
    assert torn == [], f"{len(torn)} reads matched no published batch"
    assert len(reads) >= RUNS * READERS
    assert len({r for r in reads}) > 2  # the readers saw the data change


def _bad_orders_batch(paths) -> Path:
    """A copy of the latest orders extract with one negative quantity, as a new batch (its
    folder)."""
    source = latest_batch(paths.landing_dir("sales"), "orders")
    frame = pd.read_parquet(source)
    frame.loc[5, "quantity"] = -7
    target = paths.landing_dir("sales") / f"orders__{new_batch_id()}"
    target.mkdir()
    frame.to_parquet(target / "part-00000.parquet", index=False)
    return target


def test_contract_violation_blocks_downstream_and_keeps_last_good_version(
    published_mesh, capfd, request
):
    paths, _ = published_mesh
    before = {
        m: current_snapshot(read_manifest(paths), "sales.orders", m)["snapshot_id"] for m in (1, 2)
    }
    planning_before = current_snapshot(read_manifest(paths), "planning.demand_forecast", 1)[
        "snapshot_id"
    ]
    landed = len(list(paths.landing_dir("sales").glob("orders__*")))
    bad_batch = _bad_orders_batch(paths)
    # the mesh is shared with test_model_cadence (conftest.py), whose runs need good orders
    request.addfinalizer(lambda: shutil.rmtree(bad_batch))

    outcome = materialize(['key:"sales/orders_v2"+', 'key:"sales/orders_v1"'])

    assert not outcome.success
    assert outcome.failed_checks == 2  # v1 and v2 both refuse the negative quantity
    # the failed checks explain the failure: Dagster's stack traces stay in the run's log
    stderr = capfd.readouterr().err
    assert "STEP_FAILURE" not in stderr and "Stack Trace" not in stderr
    assert outcome.errors == [] and not outcome.dagster_log_shown
    assert "STEP_FAILURE" in outcome.output_log.read_text()
    failed = [line for line in outcome.lines if "check FAILED" in line]
    assert any(
        "sales/orders_v2:contract" in line
        and "'quantity'" in line
        and "greater_than_or_equal_to(0)" in line
        for line in failed
    )
    assert not any(
        "transforms/" in line or "planning/" in line
        for line in outcome.lines
        if "materialized" in line
    )
    manifest = read_manifest(paths)
    assert {
        m: current_snapshot(manifest, "sales.orders", m)["snapshot_id"] for m in (1, 2)
    } == before
    assert (
        current_snapshot(manifest, "planning.demand_forecast", 1)["snapshot_id"] == planning_before
    )
    quarantined = list((paths.quarantine / "sales" / "orders").rglob("*.parquet"))
    assert quarantined and pd.read_parquet(quarantined[0])["quantity"].min() == -7
    assert len(list(paths.landing_dir("sales").glob("orders__*"))) == landed + 1  # none deleted
    with duckdb.connect(str(paths.catalog_db), read_only=True) as con:
        assert con.execute("select min(quantity) from sales.orders").fetchone()[0] >= 0


def test_an_unexpected_step_error_still_shows_dagsters_log(published_mesh, monkeypatch, capfd):
    import orchestration.products.assets

    def broken(*args, **kwargs):
        raise RuntimeError("landing folder unreadable")

    monkeypatch.setattr(orchestration.products.assets, "publish_landing", broken)

    outcome = materialize(["market.calendar"])

    assert not outcome.success and outcome.dagster_log_shown
    assert any("landing folder unreadable" in e for e in outcome.errors)
    stderr = capfd.readouterr().err
    assert "STEP_FAILURE" in stderr and "landing folder unreadable" in stderr
