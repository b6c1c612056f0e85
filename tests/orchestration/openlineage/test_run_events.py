"""A real tiny-world ``mesh materialize``, then one whose orders break their contract: every
OpenLineage event both runs emitted is valid by the official schemas, and says what happened."""

import http.server
import json
import os
import threading

import dagster as dg
import pytest

from orchestration.definitions import build_definitions
from orchestration.openlineage.emission import emit_run_lineage
from orchestration.openlineage.sensors import openlineage_on_failure
from supplymesh.governance.openlineage.emit import run_file
from supplymesh.governance.openlineage.events import asset_run_id
from supplymesh.governance.openlineage.schemas import file_errors
from supplymesh.headless import materialize
from supplymesh.publishing.landing import latest_batch
from supplymesh.registry import get_product
from tests.mesh_world import free_port
from tests.orchestration.test_mesh_run import _bad_orders_batch

# `make test-slow`: two tiny-world runs: about two minutes; the events' schema checks and a real run's failure message stay in the fast suite
pytestmark = pytest.mark.slow


def read_events(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture(scope="module")
def runs(own_published_mesh):
    """The published tiny world's run, and a run refusing a batch of orders with a negative
    quantity (the contract check fails, the step fails, downstream never starts)."""
    paths, good = own_published_mesh
    assert good.success, good.errors
    _bad_orders_batch(paths)
    bad = materialize(['key:"sales/orders_v2"+', 'key:"sales/orders_v1"'])
    assert not bad.success
    return paths, good, bad


def test_every_event_of_a_good_and_a_failed_run_is_valid_openlineage(runs):
    paths, good, bad = runs
    files = sorted(paths.openlineage.glob("*.jsonl"))
    assert [f.stem for f in files] == sorted([good.run_id, bad.run_id])
    for path in files:
        assert read_events(path), path
        assert file_errors(path) == []
    assert any(line.startswith("  lineage: ") for line in good.lines)


def test_each_asset_run_starts_ends_and_names_the_dagster_run_as_its_parent(runs):
    paths, good, _ = runs
    events = read_events(run_file(paths, good.run_id))
    mesh = [e for e in events if e["job"]["name"] == "supplymesh.mesh"]
    assert [e["eventType"] for e in mesh] == ["START", "COMPLETE"]
    assert {e["run"]["runId"] for e in mesh} == {good.run_id}
    assets = [e for e in events if e["job"]["name"] != "supplymesh.mesh"]
    by_run: dict[str, list[str]] = {}
    for e in assets:
        by_run.setdefault(e["run"]["runId"], []).append(e["eventType"])
        assert e["run"]["facets"]["parent"]["run"]["runId"] == good.run_id
    assert set(map(tuple, by_run.values())) == {("START", "COMPLETE")}
    assert len(by_run) == good.materialized  # one asset run per materialized asset
    assert asset_run_id(good.run_id, "sales/orders_v2") in by_run


def _final(events: list[dict], job: str) -> dict:
    return next(
        e for e in events if e["job"]["name"] == job and e["eventType"] in ("COMPLETE", "FAIL")
    )


def test_a_product_carries_its_contract_columns_source_file_and_passed_rules(runs):
    paths, good, _ = runs
    orders = _final(read_events(run_file(paths, good.run_id)), "sales.orders_v2")
    output = orders["outputs"][0]
    assert (output["namespace"], output["name"]) == (
        f"duckdb://{paths.catalog_db}",
        "sales.orders_v2",
    )
    contract = [c.name for c in get_product("sales.orders").version(2).columns]
    assert [f["name"] for f in output["facets"]["schema"]["fields"]] == contract
    assertions = output["facets"]["dataQualityAssertions"]["assertions"]
    assert len(assertions) > 10 and all(a["success"] for a in assertions)
    assert output["outputFacets"]["outputStatistics"]["rowCount"] > 0
    assert [i["namespace"] for i in orders["inputs"]] == ["file"]
    assert "/landing/sales/orders__" in orders["inputs"][0]["name"]


def test_a_dbt_model_carries_column_lineage_from_the_manifest(runs):
    paths, good, _ = runs
    staged = _final(read_events(run_file(paths, good.run_id)), "transforms.stg_sales__orders")
    assert {(i["name"]) for i in staged["inputs"]} == {"sales.orders_v2"}
    output = staged["outputs"][0]
    assert output["name"] == "staging.stg_sales__orders"
    fields = output["facets"]["columnLineage"]["fields"]
    sources = [(f["namespace"], f["name"], f["field"]) for f in fields["sku"]["inputFields"]]
    assert sources == [(f"duckdb://{paths.catalog_db}", "sales.orders_v2", "sku")]


def test_a_broken_contract_emits_fail_with_the_failing_rule_and_the_error(runs):
    paths, _, bad = runs
    events = read_events(run_file(paths, bad.run_id))
    failed = {e["job"]["name"]: e for e in events if e["eventType"] == "FAIL"}
    assert {"sales.orders_v2", "sales.orders_v1", "supplymesh.mesh"} <= set(failed)
    orders = failed["sales.orders_v2"]
    assert "quantity" in orders["run"]["facets"]["errorMessage"]["message"]
    assertions = orders["outputs"][0]["facets"]["dataQualityAssertions"]["assertions"]
    broken = [a for a in assertions if not a["success"]]
    assert [(a["column"], a["name"], a["severity"], a["actual"]) for a in broken] == [
        ("quantity", "greater_than_or_equal_to(0)", "error", "1 failing rows")
    ]
    refused = latest_batch(paths.landing_dir("sales"), "orders")  # the batch with -7
    assert [(i["namespace"], i["name"]) for i in orders["inputs"]] == [("file", str(refused))]
    assert not any(e["job"]["name"].startswith("transforms.") for e in events)  # never started


def test_the_failure_sensor_emits_a_run_nothing_emitted_yet_and_only_once(runs):
    paths, _, bad = runs
    path = run_file(paths, bad.run_id)
    emitted = path.read_text()
    path.unlink()
    defs = build_definitions()
    with dg.DagsterInstance.get() as instance:
        run = instance.get_run_by_id(bad.run_id)
        failure = instance.all_logs(bad.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)[0]
        context = dg.build_run_status_sensor_context(
            sensor_name="openlineage_on_failure",
            dagster_instance=instance,
            dagster_run=run,
            dagster_event=failure.dagster_event,
            repository_def=defs.get_repository_def(),
        ).for_run_failure()
        first = openlineage_on_failure(context)
        second = openlineage_on_failure(context)
    assert "OpenLineage events" in first.skip_message
    assert "already emitted" in second.skip_message
    assert path.read_text() == emitted  # the same events, from the same event log


class Collector(http.server.BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self) -> None:  # http.server calls a handler by this name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Collector.received.append({"path": self.path, "event": json.loads(body)})
        self.send_response(201)
        self.end_headers()

    def log_message(self, *args) -> None:  # keep the test's output quiet
        pass


def test_openlineage_url_sends_the_same_events_to_a_lineage_server(runs, monkeypatch):
    paths, good, _ = runs
    path = run_file(paths, good.run_id)
    path.unlink()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv("OPENLINEAGE_URL", f"http://127.0.0.1:{server.server_port}")
        with dg.DagsterInstance.get() as instance:
            emitted = emit_run_lineage(
                instance, good.run_id, build_definitions().resolve_asset_graph()
            )
    finally:
        server.shutdown()
        for key in [k for k in os.environ if k.startswith("OPENLINEAGE__")]:
            del os.environ[key]  # the client aliases OPENLINEAGE_URL into these, for good
    assert emitted is not None and emitted.errors == []
    assert emitted.transports == ["file", "http"]
    assert {r["path"] for r in Collector.received} == {"/api/v1/lineage"}
    assert [r["event"] for r in Collector.received] == read_events(path)
