"""The semver rule, taken from the consumer's side: a change is breaking when data valid under
the new version can break a consumer written against the old one. 40 change pairs, each case of
the rule and combinations, classified through the Python API and the CLI."""

import dataclasses
import json

import pytest
import yaml

from supplymesh.cli import main
from supplymesh.governance.contract_changes.diff import diff_contracts
from supplymesh.governance.contract_changes.spec import Bound, ColumnSpec, ContractSpec, RuleSpec
from supplymesh.governance.odcs import to_odcs

BASE = ContractSpec(
    product="sales.orders",
    major=2,
    version="2.1.0",
    status="active",
    columns=(
        ColumnSpec(
            "order_id", "VARCHAR", True, False, "internal", "Order id.", pattern=r"^SO-\d+$"
        ),
        ColumnSpec("line_number", "BIGINT", True, False, "internal", "Line.", minimum=Bound(1)),
        ColumnSpec("customer_email", "VARCHAR", True, False, "pii", "E-mail.", max_length=254),
        ColumnSpec(
            "quantity", "BIGINT", True, False, "internal", "Units.", Bound(0), Bound(100_000)
        ),
        ColumnSpec("unit_price", "DOUBLE", True, False, "internal", "Price.", Bound(0, True)),
        ColumnSpec(
            "currency", "VARCHAR", True, False, "public", "Currency.", allowed_values=("EUR", "GBP")
        ),
        ColumnSpec("promo_id", "VARCHAR", False, False, "internal", "Promotion."),
        ColumnSpec("sku", "VARCHAR", True, False, "public", "SKU.", min_length=3),
        ColumnSpec("ean", "VARCHAR", False, True, "public", "Barcode."),
    ),
    primary_key=("order_id", "line_number"),
    strict=True,
    rules=(
        RuleSpec(
            "cross_product",
            "sku_in_catalog_products",
            "every sku in catalog",
            "ERROR",
            {"kind": "references", "column": "sku", "product": "catalog.products", "to": "sku"},
        ),
        RuleSpec(
            "check",
            "days_between",
            "lead time",
            "WARN",
            {"start": "a", "end": "b", "min_days": 1, "max_days": 120},
        ),
        RuleSpec(
            "check",
            "ratio_between",
            "received vs ordered",
            "ERROR",
            {"numerator": "a", "denominator": "b", "min_ratio": 0.0, "max_ratio": 1.1},
        ),
    ),
    description="Customer order lines.",
    owner_team="sales-operations",
    owner_email="sales@example.com",
    access="internal",
    freshness_sla_hours=26.0,
)


def col(spec: ContractSpec, column: str, **changes) -> ContractSpec:
    columns = tuple(
        dataclasses.replace(c, **changes) if c.name == column else c for c in spec.columns
    )
    return dataclasses.replace(spec, columns=columns)


def drop(spec: ContractSpec, name: str) -> ContractSpec:
    return dataclasses.replace(spec, columns=tuple(c for c in spec.columns if c.name != name))


def add(spec: ContractSpec, column: ColumnSpec) -> ContractSpec:
    return dataclasses.replace(spec, columns=(*spec.columns, column))


def rule(spec: ContractSpec, name: str, **changes) -> ContractSpec:
    rules = tuple(dataclasses.replace(r, **changes) if r.name == name else r for r in spec.rules)
    return dataclasses.replace(spec, rules=rules)


def stats(spec: ContractSpec, name: str, **changes) -> ContractSpec:
    r = next(r for r in spec.rules if r.name == name)
    return rule(spec, name, statistics={**r.statistics, **changes})


NEW_COL = ColumnSpec("channel", "VARCHAR", False, False, "public", "Sales channel.")

# (id, new contract or (old, new), {kind: bump} expected, required bump); old is BASE by default
CASES = [
    ("column removed", drop(BASE, "promo_id"), {"column_removed": "major"}, "major"),
    (
        "column renamed",
        col(BASE, "quantity", name="units"),
        {"column_renamed": "major"},
        "major",
    ),
    ("integer to number", col(BASE, "quantity", type="DOUBLE"), {"type_changed": "major"}, "major"),
    (
        "number to string",
        col(BASE, "unit_price", type="VARCHAR"),
        {"type_changed": "major"},
        "major",
    ),
    (
        "int32 widened to int64",
        (col(BASE, "quantity", type="INTEGER"), BASE),
        {"type_changed": "major"},
        "major",
    ),
    (
        "required to optional",
        col(BASE, "sku", required=False),
        {"required_to_optional": "major"},
        "major",
    ),
    (
        "uniqueness dropped",
        col(BASE, "ean", unique=False),
        {"uniqueness_dropped": "major"},
        "major",
    ),
    (
        "primary key changed",
        dataclasses.replace(BASE, primary_key=("order_id",)),
        {"primary_key_changed": "major"},
        "major",
    ),
    (
        "primary key dropped",
        dataclasses.replace(BASE, primary_key=()),
        {"primary_key_dropped": "major"},
        "major",
    ),
    (
        "minimum lowered",
        col(BASE, "quantity", minimum=Bound(-10)),
        {"range_widened": "major"},
        "major",
    ),
    ("maximum removed", col(BASE, "quantity", maximum=None), {"range_widened": "major"}, "major"),
    (
        "exclusive bound made inclusive",
        col(BASE, "unit_price", minimum=Bound(0)),
        {"range_widened": "major"},
        "major",
    ),
    (
        "allowed value added",
        col(BASE, "currency", allowed_values=("EUR", "GBP", "USD")),
        {"allowed_value_added": "major"},
        "major",
    ),
    (
        "allowed values dropped",
        col(BASE, "currency", allowed_values=None),
        {"allowed_values_dropped": "major"},
        "major",
    ),
    ("pattern removed", col(BASE, "order_id", pattern=None), {"pattern_removed": "major"}, "major"),
    (
        "pattern changed",
        col(BASE, "order_id", pattern=r"^(SO|RO)-\d+$"),
        {"pattern_changed": "major"},
        "major",
    ),
    (
        "max length raised",
        col(BASE, "customer_email", max_length=320),
        {"length_loosened": "major"},
        "major",
    ),
    (
        "min length removed",
        col(BASE, "sku", min_length=None),
        {"length_loosened": "major"},
        "major",
    ),
    (
        "enforcement removed (strict)",
        dataclasses.replace(BASE, strict=False),
        {"enforcement_removed": "major"},
        "major",
    ),
    (
        "enforced rule removed",
        dataclasses.replace(BASE, rules=BASE.rules[1:]),
        {"rule_removed": "major"},
        "major",
    ),
    (
        "rule demoted ERROR to WARN",
        rule(BASE, "ratio_between", severity="WARN"),
        {"rule_enforcement_removed": "major"},
        "major",
    ),
    (
        "rule interval widened",
        stats(BASE, "ratio_between", max_ratio=2.0),
        {"rule_loosened": "major"},
        "major",
    ),
    (
        "reference retargeted",
        stats(BASE, "sku_in_catalog_products", product="catalog.items"),
        {"rule_changed": "major"},
        "major",
    ),
    (
        "classification changed",
        col(BASE, "customer_email", classification="internal"),
        {"classification_changed": "major"},
        "major",
    ),
    (
        "access restricted",
        dataclasses.replace(BASE, access="restricted"),
        {"access_restricted": "major"},
        "major",
    ),
    ("column added", add(BASE, NEW_COL), {"column_added": "minor"}, "minor"),
    (
        "minimum raised",
        col(BASE, "quantity", minimum=Bound(1)),
        {"range_narrowed": "minor"},
        "minor",
    ),
    (
        "maximum added",
        col(BASE, "line_number", maximum=Bound(999)),
        {"range_narrowed": "minor"},
        "minor",
    ),
    (
        "allowed value removed",
        col(BASE, "currency", allowed_values=("EUR",)),
        {"allowed_value_removed": "minor"},
        "minor",
    ),
    (
        "optional to required",
        col(BASE, "promo_id", required=True),
        {"optional_to_required": "minor"},
        "minor",
    ),
    (
        "uniqueness added",
        col(BASE, "order_id", unique=True),
        {"uniqueness_added": "minor"},
        "minor",
    ),
    (
        "number narrowed to integer",
        col(BASE, "unit_price", type="BIGINT"),
        {"type_narrowed": "minor"},
        "minor",
    ),
    ("pattern added", col(BASE, "sku", pattern=r"^SKU\d+$"), {"pattern_added": "minor"}, "minor"),
    (
        "max length lowered",
        col(BASE, "customer_email", max_length=200),
        {"length_tightened": "minor"},
        "minor",
    ),
    (
        "enforced rule added",
        dataclasses.replace(
            BASE,
            rules=(*BASE.rules, RuleSpec("check", "receipt_not_before_order", "dates", "ERROR")),
        ),
        {"rule_added": "minor"},
        "minor",
    ),
    (
        "rule interval narrowed",
        stats(BASE, "ratio_between", max_ratio=1.0),
        {"rule_tightened": "minor"},
        "minor",
    ),
    (
        "rule promoted WARN to ERROR",
        rule(BASE, "days_between", severity="ERROR"),
        {"rule_enforcement_added": "minor"},
        "minor",
    ),
    (
        "column description",
        col(BASE, "sku", description="Stock-keeping unit."),
        {"description_changed": "patch"},
        "patch",
    ),
    (
        "owner and SLA",
        dataclasses.replace(BASE, owner_team="sales-data", freshness_sla_hours=24.0),
        {"metadata_changed": "patch"},
        "patch",
    ),
    (
        "advisory rule relaxed",
        stats(BASE, "days_between", max_days=365),
        {"rule_loosened": "patch"},
        "patch",
    ),
    ("nothing changed", BASE, {}, "none"),
    (
        "column added and allowed value added",
        col(add(BASE, NEW_COL), "currency", allowed_values=("EUR", "GBP", "USD")),
        {"column_added": "minor", "allowed_value_added": "major"},
        "major",
    ),
    (
        "range narrowed and widened on two columns",
        col(col(BASE, "quantity", minimum=Bound(1)), "line_number", minimum=Bound(0)),
        {"range_narrowed": "minor", "range_widened": "major"},
        "major",
    ),
    (
        "allowed values swapped",
        col(BASE, "currency", allowed_values=("EUR", "USD")),
        {"allowed_value_added": "major", "allowed_value_removed": "minor"},
        "major",
    ),
    (
        "column added, description edited, optional made required",
        col(col(add(BASE, NEW_COL), "sku", description="SKU code."), "promo_id", required=True),
        {"column_added": "minor", "description_changed": "patch", "optional_to_required": "minor"},
        "minor",
    ),
    (
        "renamed and re-typed",
        col(BASE, "quantity", name="units", type="DOUBLE"),
        {"column_renamed": "major", "type_changed": "major"},
        "major",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_change_is_classified_by_the_consumer_rule(case):
    _, new, expected, bump = case
    old, new = new if isinstance(new, tuple) else (BASE, new)
    diff = diff_contracts(old, new)
    found = {c.kind: c.bump for c in diff.changes}
    assert found == expected, diff.summary()
    assert diff.required_bump == bump
    assert diff.breaking == (bump == "major")


def test_suite_covers_at_least_thirty_pairs_and_every_bump():
    assert len(CASES) >= 30
    assert {c[3] for c in CASES if c[3]} == {"major", "minor", "patch", "none"}


def test_cli_diff_of_two_odcs_files_prints_the_json_verdict(tmp_path, capsys):
    old_file, new_file = tmp_path / "old.odcs.yaml", tmp_path / "new.odcs.yaml"
    old_file.write_text(yaml.safe_dump(to_odcs(BASE)))
    new_file.write_text(yaml.safe_dump(to_odcs(col(add(BASE, NEW_COL), "quantity", maximum=None))))
    assert main(["contracts", "diff", str(old_file), str(new_file), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["breaking"] is True and out["required_bump"] == "major"
    assert {(c["kind"], c["column"], c["breaking"]) for c in out["changes"]} == {
        ("column_added", "channel", False),
        ("range_widened", "quantity", True),
    }
    assert all(set(c) >= {"kind", "column", "breaking", "detail"} for c in out["changes"])


def test_cli_diff_of_the_projects_own_majors(capsys):
    assert main(["contracts", "diff", "sales.orders@1", "sales.orders@2", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    kinds = {(c["kind"], c["column"]) for c in out["changes"]}
    assert ("column_renamed", "qty") in kinds and ("column_added", "currency") in kinds
    assert main(["contracts", "diff", "sales.orders@2", "sales.orders@2"]) == 0
    assert main(["contracts", "diff", "sales.orders@9", "sales.orders@2"]) == 2
