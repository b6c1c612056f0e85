"""Central policies as code: the project passes them, and each one catches what it guards."""

import copy
import dataclasses

import pytest

from supplymesh.cli import main
from supplymesh.governance.contract_changes.project_tree import load_definitions
from supplymesh.governance.policies import all_violations

DEFS = load_definitions()


def test_every_product_of_the_project_passes_every_policy():
    assert all_violations(DEFS) == []


def mutate_spec(key, major, **changes):
    defs = copy.deepcopy(DEFS)
    defs.specs[(key, major)] = dataclasses.replace(defs.specs[(key, major)], **changes)
    return defs


def mutate_column(key, major, column, **changes):
    spec = DEFS.specs[(key, major)]
    columns = tuple(
        dataclasses.replace(c, **changes) if c.name == column else c for c in spec.columns
    )
    return mutate_spec(key, major, columns=columns)


def mutate_version(key, major, **changes):
    defs = copy.deepcopy(DEFS)
    for v in defs.products[key]["versions"]:
        if v["major"] == major:
            v.update(changes)
    return defs


CASES = [
    ("owner", mutate_spec("catalog.products", 1, owner_team="")),
    ("owner", mutate_spec("catalog.products", 1, owner_email="merch team")),
    ("description", mutate_spec("market.calendar", 1, description="Days.")),
    ("description", mutate_column("market.calendar", 1, "region", description=" ")),
    ("sla", mutate_spec("logistics.lanes", 1, freshness_sla_hours=0)),
    ("classification", mutate_column("logistics.lanes", 1, "carrier", classification="")),
    ("classification", mutate_column("logistics.lanes", 1, "carrier", classification="secret")),
    ("pii", mutate_column("network.locations", 1, "manager_email", classification="internal")),
    ("pii", mutate_column("sales.orders", 2, "customer_id", classification="confidential")),
    ("deprecation", mutate_version("sales.orders", 1, deprecated_on=None)),
    ("deprecation", mutate_version("sales.orders", 1, sunset_on=None)),
    ("deprecation", mutate_version("sales.orders", 1, sunset_on="2026-01-01")),
    ("status", mutate_version("sales.orders", 2, status="live")),
    ("status", mutate_version("sales.orders", 2, version="3.0.0")),
]


@pytest.mark.parametrize("policy,defs", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_policy_catches_its_violation(policy, defs):
    violations = all_violations(defs)
    assert violations and {v.policy for v in violations} == {policy}, [
        v.describe() for v in violations
    ]


def test_domain_must_match_the_file_place():
    defs = copy.deepcopy(DEFS)
    defs.products["market.calendar"]["folder"] = "sales"
    assert [v.policy for v in all_violations(defs)] == ["domain"]


def test_every_published_product_has_a_contract():
    violations = all_violations(DEFS, published={"sales.orders", "sales.returns"})
    assert [(v.policy, v.subject) for v in violations] == [("contract", "sales.returns")]


def test_a_contract_that_does_not_load_is_a_violation():
    defs = copy.deepcopy(DEFS)
    del defs.specs[("market.calendar", 1)]
    defs.errors.append(("market.calendar v1", "contract contracts.market.nope:X fails to load"))
    assert [(v.policy, v.subject) for v in all_violations(defs)] == [
        ("contract", "market.calendar v1")
    ]


def test_cli_check_without_base_runs_definitions_and_policies(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MESH_HOME", str(tmp_path / "mesh"))
    assert main(["contracts", "check", "--no-dbt"]) == 0
    assert "PASSED" in capsys.readouterr().out
