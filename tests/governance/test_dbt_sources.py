"""The dbt sources file is generated from the product definitions, and a hand edit fails
`mesh contracts check`."""

import shutil
from pathlib import Path

import yaml

from contracts.sales.orders_v2 import OrdersV2
from supplymesh.cli import main
from supplymesh.governance.contract_changes.project_tree import load_definitions
from supplymesh.governance.dbt_sources import SOURCES_PATH, render_sources, sources_document
from supplymesh.settings import PROJECT_ROOT


def _table(document: dict, domain: str, table: str) -> dict:
    source = next(s for s in document["sources"] if s["name"] == domain)
    return next(t for t in source["tables"] if t["name"] == table)


def test_the_committed_sources_file_is_what_the_definitions_generate():
    assert (PROJECT_ROOT / SOURCES_PATH).read_text() == render_sources(load_definitions())


def test_sources_take_columns_descriptions_and_tests_from_the_contracts():
    document = sources_document(load_definitions())
    assert {s["name"] for s in document["sources"]} == {
        "catalog",
        "inventory",
        "logistics",
        "market",
        "network",
        "procurement",
        "sales",
    }  # landing products only: planning, ml and governance products are no dbt sources
    orders = _table(document, "sales", "orders_v2")
    schema = OrdersV2.to_schema()
    assert [c["name"] for c in orders["columns"]] == list(schema.columns)
    columns = {c["name"]: c for c in orders["columns"]}
    assert columns["order_id"]["description"] == schema.columns["order_id"].description
    assert columns["order_date"]["data_type"] == "date"
    assert columns["order_id"]["data_tests"] == ["not_null"]  # part of a two-column key
    assert "data_tests" not in columns["promo_id"]  # nullable
    assert orders["config"]["loaded_at_field"] == "cast(order_date as timestamp)"
    old = _table(document, "sales", "orders_v1")  # deprecated: declared for lineage, untested
    assert not any("data_tests" in c for c in old["columns"])
    assert "Deprecated since" in old["description"]
    sku = {c["name"]: c for c in _table(document, "catalog", "products_v1")["columns"]}["sku"]
    assert sku["data_tests"] == ["unique", "not_null"]


def test_a_hand_edited_sources_file_fails_the_contracts_check(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MESH_HOME", str(tmp_path / "mesh"))
    repo = tmp_path / "repo"
    for folder in ("data_products", "contracts"):
        shutil.copytree(
            PROJECT_ROOT / folder, repo / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    sources = repo / SOURCES_PATH
    sources.parent.mkdir(parents=True)
    shutil.copyfile(PROJECT_ROOT / SOURCES_PATH, sources)
    check = ["contracts", "check", "--project", str(repo), "--no-dbt", "--today", "2026-11-28"]

    text = sources.read_text()
    sources.write_text(text.replace("Sales order id.", "The order number.", 1))
    assert main(check) == 1
    out = capsys.readouterr().out
    assert f"[policy:dbt_sources] {SOURCES_PATH}: differs from the product definitions" in out
    assert "mesh contracts sources --write" in out
    assert "+            description: Sales order id." in out

    assert main(["contracts", "sources", "--write", "--project", str(repo)]) == 0
    assert sources.read_text() == text
    assert yaml.safe_load(text)["version"] == 2
    capsys.readouterr()
    assert main(check) == 0


def test_a_missing_sources_file_fails_the_contracts_check(tmp_path):
    from supplymesh.governance.dbt_sources import sources_drift

    (tmp_path / "transforms").mkdir()
    violation = sources_drift(load_definitions(), Path(tmp_path))
    assert violation is not None and "is missing" in violation.message
    assert sources_drift(load_definitions(), tmp_path / "no-dbt-project") is None
