"""In Dagster, every rule shows its failing count and sample rows; an ERROR rule blocks the
assets downstream, a WARN rule does not. Runs the real publish asset and governance checks."""

import datetime as dt
import itertools

import dagster as dg
import pandas as pd
import pytest

from orchestration.contract_checks import rules_in_reading_order
from orchestration.governance.checks import freshness_checks, governance_checks
from orchestration.metadata import asset_key
from orchestration.products.assets import source_product_asset
from orchestration.resources import MeshResource
from supplymesh.publishing.landing import latest_batch, new_batch_id
from supplymesh.publishing.publish import publish_landing
from supplymesh.registry import all_products, get_product
from supplymesh.validation.report import RuleResult
from tests.mesh_world import generate_tiny_world, mesh_environment

RECEIPTS = get_product("procurement.purchase_receipts")
ORIGINAL = {}  # MESH_HOME -> the generated receipts batch every test edits a copy of
KEY = asset_key(RECEIPTS.latest)


@dg.asset(deps=[KEY], key=["downstream", "lead_time_report"])
def downstream() -> None:
    """Stands for dbt and the planners: anything that reads the receipts."""


@pytest.fixture(scope="module")
def mesh(tmp_path_factory):
    """A tiny world with the products the receipts refer to already published."""
    with mesh_environment(tmp_path_factory.mktemp("mesh")) as paths:
        generate_tiny_world(paths)
        ORIGINAL[paths.home] = latest_batch(paths.landing_dir("procurement"), "receipts")
        for key in ("catalog.products", "network.locations", "logistics.lanes"):
            publish_landing(key, paths=paths)
        yield paths


BATCHES = itertools.count(1)


def run(paths, change) -> dg.ExecuteInProcessResult:
    """Land the world's receipts edited by ``change`` as the newest batch, then materialize the
    receipts product, its governance checks and an asset downstream of it."""
    frame = pd.read_csv(ORIGINAL[paths.home])
    change(frame)
    batch = new_batch_id(
        dt.datetime(2030, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=next(BATCHES))
    )
    frame.to_csv(paths.landing_dir("procurement") / f"receipts__{batch}.csv", index=False)
    return dg.materialize(
        [source_product_asset(RECEIPTS), governance_checks(RECEIPTS, RECEIPTS.latest), downstream],
        resources={"mesh": MeshResource(home=str(paths.home))},
        raise_on_error=False,
    )


def evaluations(result) -> dict[str, dg.AssetCheckEvaluation]:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def materialized(result) -> set[str]:
    return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}


def rule_row(evaluation, rule_prefix):
    rows = evaluation.metadata["rules"].value.records
    return next(r.data for r in rows if r.data["rule"].startswith(rule_prefix))


def test_warn_rule_is_reported_with_evidence_and_does_not_block(mesh):
    def late_receipt(frame):
        frame.loc[3, "ship_date"] = "2026-10-01"
        frame.loc[3, "receipt_date"] = "2026-10-05"
        frame.loc[3, "order_date"] = "2026-01-02"

    result = run(mesh, late_receipt)
    checks = evaluations(result)
    contract = checks["contract"]
    assert not contract.passed and contract.severity == dg.AssetCheckSeverity.WARN
    row = rule_row(contract, "lead time")
    assert (row["failing_rows"], row["severity"]) == (1, "WARN")
    assert "PO" in contract.metadata["offending_rows_sample"].value
    assert materialized(result) == {KEY.to_user_string(), "downstream/lead_time_report"}
    assert checks["policies"].passed and checks["quality"].passed
    assert checks["sku_in_catalog_products"].passed


def test_error_rule_blocks_downstream(mesh):
    def units_mixup(frame):
        frame.loc[5, "quantity_received"] = frame.loc[5, "quantity_ordered"] * 12

    result = run(mesh, units_mixup)
    contract = evaluations(result)["contract"]
    assert not contract.passed and contract.severity == dg.AssetCheckSeverity.ERROR
    assert rule_row(contract, "quantity_received within")["failing_rows"] == 1
    assert contract.metadata["rejected_rows"].value == 1
    assert "downstream/lead_time_report" not in materialized(result)


def test_rules_table_lists_failing_rules_first_errors_before_warnings(mesh):
    def three_breaks(frame):
        frame.loc[3, "ship_date"] = "2026-10-01"  # WARN: a 270-day lead time, 1 row
        frame.loc[3, "receipt_date"] = "2026-10-05"
        frame.loc[3, "order_date"] = "2026-01-02"
        frame.loc[5, "quantity_received"] = frame.loc[5, "quantity_ordered"] * 12  # ERROR, 1 row
        frame.loc[[6, 7], "unit_cost"] = -1.0  # ERROR, 2 rows

    contract = evaluations(run(mesh, three_breaks))["contract"]
    rows = [r.data for r in contract.metadata["rules"].value.records]
    head = [(r["column"], r["severity"], r["failing_rows"]) for r in rows[:3]]
    assert head == [("unit_cost", "ERROR", 2), ("(table)", "ERROR", 1), ("(table)", "WARN", 1)]
    assert rows[1]["rule"].startswith("quantity_received within")
    assert rows[2]["rule"].startswith("lead time")
    assert all(r["failing_rows"] == 0 for r in rows[3:])  # every rule that holds is still listed
    assert len(rows) == contract.metadata["failing_rules"].value + len(rows[3:])
    assert len(rows) > 20
    sample = contract.metadata["offending_rows_sample"].value
    assert sample.index("unit_cost") < sample.index("quantity_received within")


def test_rules_in_reading_order_keeps_every_rule_and_the_contract_order_of_ties():
    def rule(name, failing, severity="ERROR"):
        return RuleResult(name, "c", "x", failing, severity)

    rules = [
        rule("holds_a", 0),
        rule("warn_many", 50, "WARN"),
        rule("error_few", 1),
        rule("holds_b", 0, "WARN"),
        rule("error_many", 9),
        rule("error_few_too", 1),
    ]
    ordered = [r.rule for r in rules_in_reading_order(rules)]
    assert ordered == [
        "error_many",
        "error_few",
        "error_few_too",
        "warn_many",
        "holds_a",
        "holds_b",
    ]


def test_cross_product_error_blocks_downstream_with_its_sample(mesh):
    def unknown_sku(frame):
        frame.loc[2, "sku"] = "SKU-GHOST"

    result = run(mesh, unknown_sku)
    checks = evaluations(result)
    assert checks["contract"].passed  # the rows themselves are well-formed
    ri = checks["sku_in_catalog_products"]
    assert not ri.passed and ri.severity == dg.AssetCheckSeverity.ERROR
    assert ri.metadata["failing_rows"].value == 1
    assert "SKU-GHOST" in ri.metadata["offending_rows_sample"].value
    assert materialized(result) == {KEY.to_user_string()}  # published, but nothing downstream


def test_every_product_version_has_a_freshness_check_at_its_sla():
    covered = {}
    versions = [(p, v) for p in all_products() for v in p.versions]
    for checks_def in freshness_checks(versions):
        params = next(iter(checks_def.check_specs)).metadata["dagster/freshness_params"].value
        for spec in checks_def.check_specs:
            covered[spec.asset_key] = params["lower_bound_delta_seconds"] / 3600
    expected = {asset_key(v): p.freshness_sla_hours for p, v in versions}
    assert covered == expected
