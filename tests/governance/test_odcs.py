"""Every product version exports to ODCS v3.1.0 that the official JSON Schema accepts, and reads
back to the same contract."""

import json

import jsonschema
import pytest
import yaml

from supplymesh.cli import main
from supplymesh.governance.contract_changes.diff import diff_contracts
from supplymesh.governance.contract_changes.spec import contract_spec
from supplymesh.governance.odcs import (
    SCHEMA_PATH,
    OdcsError,
    file_name,
    from_odcs,
    to_odcs,
    validation_errors,
)
from supplymesh.registry import all_products

VERSIONS = [(p, v) for p in all_products() for v in p.versions]


def official_validator():
    """The vendored official schema, used directly (not through our helper)."""
    schema = json.loads(SCHEMA_PATH.read_text())
    return jsonschema.Draft201909Validator(schema)


def test_vendored_schema_is_the_official_v3_1_0_with_its_license():
    schema = json.loads(SCHEMA_PATH.read_text())
    assert schema["properties"]["apiVersion"]["enum"][0] == "v3.1.0"
    assert (SCHEMA_PATH.parent / "LICENSE-ODCS-Apache-2.0.txt").exists()
    assert "Bitol" in (SCHEMA_PATH.parent / "NOTICE").read_text()


def test_cli_export_writes_one_valid_file_per_product_version(tmp_path, capsys):
    out = tmp_path / "odcs"
    assert main(["contracts", "export", "--format", "odcs", "--out", str(out)]) == 0
    files = sorted(out.glob("*.odcs.yaml"))
    assert len(files) == len(VERSIONS)
    assert out / "sales.orders.v1.odcs.yaml" in files and out / "sales.orders.v2.odcs.yaml" in files
    validator = official_validator()
    for path in files:
        document = yaml.safe_load(path.read_text())
        errors = list(validator.iter_errors(document))
        assert not errors, f"{path.name}: {errors[0].message}"
        assert document["apiVersion"] == "v3.1.0" and document["kind"] == "DataContract"
    assert "INVALID" not in capsys.readouterr().out


@pytest.mark.parametrize(
    "product,version", VERSIONS, ids=[f"{p.key}@{v.major}" for p, v in VERSIONS]
)
def test_export_round_trips_to_the_same_contract(product, version):
    spec = contract_spec(product, version)
    document = yaml.safe_load(yaml.safe_dump(to_odcs(spec)))
    assert validation_errors(document) == []
    assert diff_contracts(spec, from_odcs(document)).changes == []
    assert file_name(spec) == f"{product.key}.v{version.major}.odcs.yaml"


def test_export_carries_keys_classifications_rules_and_references():
    orders = next(p for p in all_products() if p.key == "sales.orders")
    document = to_odcs(contract_spec(orders, orders.version(2)))
    props = {p["name"]: p for p in document["schema"][0]["properties"]}
    assert props["order_id"]["primaryKey"] and props["line_number"]["primaryKeyPosition"] == 2
    assert props["customer_email"]["classification"] == "pii"
    assert props["quantity"]["logicalTypeOptions"] == {
        "minimum": 0,
        "maximum": 100000,
        "format": "i64",
    }
    assert props["currency"]["quality"][0]["arguments"]["validValues"] == ["EUR"]
    assert props["sku"]["relationships"] == [{"type": "foreignKey", "to": "catalog_products.sku"}]
    assert props["order_date"]["partitioned"] is True
    assert {q["name"] for q in document["schema"][0]["quality"]} >= {"sku_in_catalog_products"}


def test_the_schema_check_is_not_vacuous():
    orders = next(p for p in all_products() if p.key == "sales.orders")
    document = to_odcs(contract_spec(orders, orders.latest))
    document["kind"] = "Contract"
    document["schema"][0]["properties"][0]["logicalType"] = "text"
    errors = validation_errors(document)
    assert any(e.startswith("kind") for e in errors)
    assert any("logicalType" in e for e in errors)
    with pytest.raises(OdcsError):
        from_odcs(document)
