"""A run record becomes OpenLineage events the official schemas accept, and the validator rejects
events that break them (so the integration tests' "every event is valid" can fail)."""

import copy
import datetime as dt
import uuid

import pytest
from openlineage.client.serde import Serde

from supplymesh.governance.openlineage.datasets import DatasetCatalog, DatasetInfo, Field
from supplymesh.governance.openlineage.events import asset_run_id, run_events
from supplymesh.governance.openlineage.records import Assertion, AssetRun, MeshRun
from supplymesh.governance.openlineage.schemas import event_errors

T0 = dt.datetime(2026, 11, 27, 23, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)
ORDERS = DatasetInfo(
    "duckdb:///mesh/mesh.duckdb",
    "sales.orders_v2",
    (Field("order_id", "VARCHAR", "Order."), Field("quantity", "BIGINT", "Units.")),
    description="Customer order lines.",
)
STAGED = DatasetInfo(
    "duckdb:///mesh/transforms.duckdb",
    "staging.stg_sales__orders",
    (Field("order_id", "VARCHAR"), Field("quantity", "BIGINT")),
    column_inputs={"quantity": (("duckdb:///mesh/mesh.duckdb", "sales.orders_v2", "quantity"),)},
)
CATALOG = DatasetCatalog({"sales/orders_v2": ORDERS, "transforms/stg_sales__orders": STAGED})


def broken_orders_run() -> MeshRun:
    """The orders fail their contract; the staging model, downstream, never starts."""
    orders = AssetRun(
        asset="sales/orders_v2",
        started=T0,
        ended=T0 + MINUTE,
        succeeded=False,
        error="sales.orders v2: 1 of 33 rules failing",
        source_file="/mesh/landing/sales/orders__20261127T230000Z",
        assertions=(
            Assertion("greater_than_or_equal_to(0)", False, "quantity", "error", "0", "1"),
            Assertion("unique", True, "order_id", "error"),
        ),
    )
    return MeshRun(str(uuid.uuid4()), "mesh", T0, T0 + 2 * MINUTE, False, "step failed", (orders,))


def good_run() -> MeshRun:
    orders = AssetRun("sales/orders_v2", T0, T0 + MINUTE, True, rows=10, snapshot_id="s1")
    staged = AssetRun(
        "transforms/stg_sales__orders", T0 + MINUTE, T0 + 2 * MINUTE, True, ("sales/orders_v2",)
    )
    return MeshRun(str(uuid.uuid4()), "mesh", T0, T0 + 3 * MINUTE, True, None, (orders, staged))


def as_json(run: MeshRun) -> list[dict]:
    return [Serde.to_dict(e) for e in run_events(run, CATALOG)]


def test_every_event_of_a_good_and_a_failed_run_is_valid():
    for run in (good_run(), broken_orders_run()):
        for event in as_json(run):
            assert event_errors(event) == [], event


def test_a_run_is_the_parent_of_each_asset_run_and_both_start_and_end():
    run = good_run()
    events = as_json(run)
    assert [(e["eventType"], e["job"]["name"]) for e in events] == [
        ("START", "supplymesh.mesh"),
        ("START", "sales.orders_v2"),
        ("COMPLETE", "sales.orders_v2"),
        ("START", "transforms.stg_sales__orders"),
        ("COMPLETE", "transforms.stg_sales__orders"),
        ("COMPLETE", "supplymesh.mesh"),
    ]
    staged = events[4]
    assert staged["run"]["runId"] == asset_run_id(run.run_id, "transforms/stg_sales__orders")
    assert staged["run"]["facets"]["parent"]["run"]["runId"] == run.run_id
    assert [(i["namespace"], i["name"]) for i in staged["inputs"]] == [
        (ORDERS.namespace, ORDERS.name)
    ]
    lineage = staged["outputs"][0]["facets"]["columnLineage"]["fields"]
    sources = lineage["quantity"]["inputFields"]
    assert [(f["namespace"], f["name"], f["field"]) for f in sources] == [
        (ORDERS.namespace, ORDERS.name, "quantity")
    ]
    assert list(lineage) == ["quantity"]  # a column with no known input gets no entry
    published = events[2]["outputs"][0]
    assert published["facets"]["version"]["datasetVersion"] == "s1"
    assert published["outputFacets"]["outputStatistics"]["rowCount"] == 10
    assert [f["name"] for f in published["facets"]["schema"]["fields"]] == ["order_id", "quantity"]


def test_a_broken_contract_fails_the_asset_run_with_its_failing_rule():
    run = broken_orders_run()
    events = as_json(run)
    failed = [e for e in events if e["eventType"] == "FAIL"]
    assert [e["job"]["name"] for e in failed] == ["sales.orders_v2", "supplymesh.mesh"]
    orders = failed[0]
    assert "rules failing" in orders["run"]["facets"]["errorMessage"]["message"]
    assertions = orders["outputs"][0]["facets"]["dataQualityAssertions"]["assertions"]
    assert {(a["column"], a["success"]) for a in assertions} == {
        ("quantity", False),
        ("order_id", True),
    }
    assert "version" not in orders["outputs"][0]["facets"]  # nothing was published
    assert ("file", "/mesh/landing/sales/orders__20261127T230000Z") in [
        (i["namespace"], i["name"]) for i in orders["inputs"]
    ]


def _break(event: dict, how: str) -> dict:
    bad = copy.deepcopy(event)
    if how == "no event time":
        del bad["eventTime"]
    elif how == "run id not a uuid":
        bad["run"]["runId"] = "run-1"
    elif how == "unknown event type":
        bad["eventType"] = "DONE"
    elif how == "time without zone":
        bad["eventTime"] = "2026-11-27T23:00:00"
    elif how == "schema fields not a list":
        bad["outputs"][0]["facets"]["schema"]["fields"] = {"order_id": "VARCHAR"}
    elif how == "assertion without success":
        del bad["outputs"][0]["facets"]["dataQualityAssertions"]["assertions"][0]["success"]
    elif how == "facet without producer":
        del bad["run"]["facets"]["parent"]["_producer"]
    elif how == "facet no schema declares":
        bad["run"]["facets"]["madeUp"] = {"_producer": "urn:x", "_schemaURL": "urn:y"}
    return bad


@pytest.mark.parametrize(
    ("how", "where"),
    [
        ("no event time", "eventTime"),
        ("run id not a uuid", "runId"),
        ("unknown event type", "eventType"),
        ("time without zone", "eventTime"),
        ("schema fields not a list", "schema"),
        ("assertion without success", "dataQualityAssertions"),
        ("facet without producer", "parent"),
        ("facet no schema declares", "madeUp"),
    ],
)
def test_a_malformed_event_is_rejected(how, where):
    failed_orders = next(
        e for e in as_json(broken_orders_run()) if e["eventType"] == "FAIL" and e["outputs"]
    )
    assert event_errors(failed_orders) == []
    errors = event_errors(_break(failed_orders, how))
    assert errors and any(where in e for e in errors), errors
