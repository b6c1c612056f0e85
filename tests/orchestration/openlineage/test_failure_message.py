"""A broken contract's lineage error says which rules broke and how often, never a value of the
data: the step's own failure description (the validation report's summary) quotes sample rows,
and lineage goes to files and servers outside the mesh's access rules."""

import dagster as dg

from orchestration.contract_checks import contract_check_spec, publish_events
from orchestration.metadata import asset_key
from orchestration.openlineage.run_log import mesh_run
from supplymesh.publishing.publish import PublishResult
from supplymesh.registry import get_product
from supplymesh.validation.report import RuleResult, ValidationReport

SECRET = "4711.25"  # a confidential unit cost in an offending row
ORDERS = get_product("sales.orders").latest


def refused_batch() -> PublishResult:
    """A batch the contract gate refused: one negative quantity, its row kept as a sample."""
    offending = {"order_id": "o-1", "quantity": -7, "unit_cost": SECRET}
    report = ValidationReport(
        "sales.orders",
        ORDERS.major,
        ORDERS.version,
        "/mesh/landing/sales/orders__20261206T000000Z.csv",
        rows_checked=10,
        rejected_rows=1,
        results=[
            RuleResult("greater_than_or_equal_to(0)", "quantity", "0", 1, sample=[offending]),
            RuleResult("unique", "order_id", "unique", 0),
        ],
    )
    return PublishResult(
        "sales.orders", ORDERS.major, ORDERS.version, False, None, None, 0, report, None
    )


@dg.multi_asset(specs=[dg.AssetSpec(asset_key(ORDERS))], check_specs=[contract_check_spec(ORDERS)])
def orders():
    """The mesh's own publish events for the refused batch: a failed check, then dg.Failure."""
    yield from publish_events([(refused_batch(), ORDERS)])


def test_a_broken_contracts_lineage_error_has_its_rule_lines_and_no_sample_value():
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize([orders], instance=instance, raise_on_error=False)
        run = mesh_run(instance, result.run_id, {})
    (failure,) = result.get_step_failure_events()
    assert SECRET in failure.step_failure_data.user_failure_data.description  # what it replaces
    (refused,) = run.assets
    key = asset_key(ORDERS).to_user_string()
    assert not refused.succeeded
    assert refused.error == (
        f"{key}: contract FAILED (10 rows checked, 1 rejected)\n"
        "  [ERROR] quantity greater_than_or_equal_to(0): 1 failing rows"
    )
