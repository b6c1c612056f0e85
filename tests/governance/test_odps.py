"""Every product exports to an ODPS v1.0.0 descriptor that the official JSON Schema accepts,
with an output port per major version naming its ODCS contract and input ports from lineage."""

import json

import jsonschema
import pytest
import yaml

from supplymesh.cli import main
from supplymesh.governance import odps
from supplymesh.governance.contract_changes.spec import contract_spec
from supplymesh.governance.lineage import LineageGraph
from supplymesh.governance.odcs import to_odcs
from supplymesh.registry import all_products, get_product
from tests.mesh_world import mesh_environment


def official_validator():
    """The vendored official schema, used directly (not through our helper)."""
    schema = json.loads(odps.SCHEMA_PATH.read_text())
    return jsonschema.Draft201909Validator(schema)


@pytest.fixture(scope="module")
def graph(tmp_path_factory, dbt_manifest) -> LineageGraph:
    """The mesh's real lineage: its Dagster asset graph and dbt manifest."""
    from supplymesh.cli.lineage import mesh_lineage

    with mesh_environment(tmp_path_factory.mktemp("odps"), dbt_manifest) as paths:
        yield mesh_lineage(paths)


@pytest.fixture
def exported(graph, tmp_path, monkeypatch):
    """``mesh products export`` into a fresh folder, on the lineage built once above."""
    monkeypatch.setattr("supplymesh.cli.lineage.mesh_lineage", lambda paths: graph)
    out = tmp_path / "odps"

    def run(*extra: str) -> int:
        return main(["products", "export", "--format", "odps", "--out", str(out), *extra])

    return run, out


def test_vendored_schema_is_the_official_odps_v1_0_0():
    schema = json.loads(odps.SCHEMA_PATH.read_text())
    assert "v1.0.0" in schema["properties"]["apiVersion"]["enum"]
    assert schema["title"] == "Open Data Product Standard (ODPS)"
    assert "odps-json-schema-v1.0.0.json" in (odps.SCHEMA_PATH.parent / "NOTICE").read_text()


def test_cli_export_writes_one_valid_descriptor_per_product_beside_its_contracts(exported, capsys):
    run, out = exported
    assert run() == 0
    descriptors = sorted(out.glob("*.odps.yaml"))
    assert len(descriptors) == len(all_products())
    validator = official_validator()
    for path in descriptors:
        document = yaml.safe_load(path.read_text())
        errors = list(validator.iter_errors(document))
        assert not errors, f"{path.name}: {errors[0].message}"
        for port in document["outputPorts"]:
            files = {c["property"]: c["value"] for c in port["customProperties"]}
            contract = yaml.safe_load((out / files["contractFile"]).read_text())
            assert contract["id"] == port["contractId"]  # the ODCS export's own id
            assert contract["version"] == port["version"]
    assert "INVALID" not in capsys.readouterr().out


def test_orders_descriptor_carries_owner_sla_access_and_a_port_per_major(graph):
    orders = get_product("sales.orders")
    document = odps.to_odps(orders, graph)
    assert document["team"]["members"] == [{"username": orders.owner_email, "role": "owner"}]
    custom = {c["property"]: c["value"] for c in document["customProperties"]}
    assert custom["freshnessSlaHours"] == orders.freshness_sla_hours
    assert custom["access"] == "internal" and "public" not in custom["readableBy"]
    ports = {p["contractId"]: p for p in document["outputPorts"]}
    assert set(ports) == {"sales.orders.v1", "sales.orders.v2"}
    assert ports["sales.orders.v1"]["tags"] == ["deprecated"]
    v1 = {c["property"]: c["value"] for c in ports["sales.orders.v1"]["customProperties"]}
    assert v1["sunsetOn"] == str(orders.version(1).sunset_on)
    assert (
        ports["sales.orders.v2"]["contractId"]
        == to_odcs(contract_spec(orders, orders.version(2)))["id"]
    )


def test_a_source_product_reads_its_landing_extract(graph):
    document = odps.to_odps(get_product("sales.orders"), graph)
    assert {p["name"] for p in document["inputPorts"]} == {"landing/sales/orders"}
    assert {p["contractId"] for p in document["inputPorts"]} == {
        "sales.orders.v1",
        "sales.orders.v2",
    }


def test_a_planning_product_reads_the_products_nearest_upstream(graph):
    document = odps.to_odps(get_product("planning.inventory_plan"), graph)
    inputs = {p["contractId"] for p in document["inputPorts"]}
    assert "planning.demand_forecast.v1" in inputs
    assert "sales.orders.v2" in inputs  # through the dbt marts
    assert not any(i.startswith("planning.inventory_plan") for i in inputs)
    port = document["outputPorts"][0]
    assert {c["id"] for c in port["inputContracts"]} == inputs


def test_the_upstream_walk_stops_at_the_first_product():
    graph = LineageGraph(
        parents={
            "planning/plan_v1": {"transforms/fct", "planning/forecast_v1"},
            "transforms/fct": {"transforms/stg"},
            "transforms/stg": {"sales/orders_v2"},
            "planning/forecast_v1": {"sales/orders_v2"},
            "sales/orders_v2": set(),
        },
        products={
            "planning/plan_v1": ("planning.plan", 1),
            "planning/forecast_v1": ("planning.forecast", 1),
            "sales/orders_v2": ("sales.orders", 2),
        },
        columns={},
    )
    assert odps.nearest_upstream(graph, "planning/plan_v1") == [
        ("planning.forecast", 1),
        ("sales.orders", 2),
    ]
    assert odps.nearest_upstream(graph, "sales/orders_v2") == []


@pytest.mark.parametrize(
    "breakage",
    [
        lambda d: d.pop("id"),
        lambda d: d.update(kind="DataContract"),
        lambda d: d["outputPorts"][0].pop("version"),
        lambda d: d["outputPorts"][0].update(sla="26h"),  # ODPS has no such field
    ],
    ids=["no-id", "wrong-kind", "port-without-version", "unknown-port-field"],
)
def test_a_broken_descriptor_is_rejected(graph, breakage):
    document = odps.to_odps(get_product("sales.orders"), graph)
    assert odps.validation_errors(document) == []
    breakage(document)
    assert odps.validation_errors(document)
    assert list(official_validator().iter_errors(document))


def test_the_export_fails_when_a_descriptor_breaks_the_schema(exported, monkeypatch, capsys):
    build = odps.to_odps

    def broken(product, graph):
        return {**build(product, graph), "owner": "someone"}  # not an ODPS field

    monkeypatch.setattr(odps, "to_odps", broken)
    run, out = exported
    assert run("--product", "market.calendar", "--no-contracts") == 1
    printed = capsys.readouterr().out
    assert "INVALID" in printed and "owner" in printed
    assert not list(out.glob("*.odcs.yaml"))


def test_an_unknown_product_is_refused_before_anything_is_written(exported, capsys):
    run, out = exported
    assert run("--product", "../etc") == 2
    assert "unknown product" in capsys.readouterr().err
    assert not out.exists()
