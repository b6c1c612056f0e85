"""Daily products are validated per partition: a re-delivery re-validates only the days it
changed, every day's result is kept, and skipping never lets a bad row through."""

import datetime as dt

import duckdb
import pandas as pd
import pytest

from supplymesh.registry import get_product
from supplymesh.validation.engine import check_input
from supplymesh.validation.partitions import ledger_from_json, ledger_to_json

STOCK = get_product("inventory.stock_snapshots").latest
ORDERS = get_product("sales.orders").latest
DAYS = 30


def stock_frame() -> pd.DataFrame:
    days = [dt.date(2026, 1, 1) + dt.timedelta(days=d) for d in range(DAYS)]
    return pd.DataFrame(
        [
            {"snapshot_date": day, "sku": sku, "location_id": "DC01", "on_hand": 10, "on_order": 0}
            for day in days
            for sku in ("A", "B", "C")
        ]
    )


def check(frame: pd.DataFrame, ledger=None, version=STOCK, column="snapshot_date"):
    con = duckdb.connect()
    con.register("_frame", frame)
    checked = check_input(
        con,
        "_frame",
        version,
        source_label="test",
        partition_column=column,
        previous_ledger=ledger,
        run_id="test",
    )
    valid = con.execute(checked.valid_rows_sql()).df()
    return checked, valid


def test_first_delivery_validates_every_day_and_records_each():
    checked, valid = check(stock_frame())
    summary = checked.report.partitions
    assert (summary.partitions, summary.validated, summary.reused) == (DAYS, DAYS, 0)
    assert summary.local
    assert len(checked.ledger.partitions) == DAYS
    assert all(s.rows == 3 and s.clean for s in checked.ledger.partitions.values())
    assert len(valid) == DAYS * 3


def test_identical_redelivery_reuses_every_day():
    first, _ = check(stock_frame())
    again, valid = check(stock_frame(), ledger_from_json(ledger_to_json(first.ledger)))
    assert (again.report.partitions.validated, again.report.partitions.reused) == (0, DAYS)
    assert len(valid) == DAYS * 3  # reused days are still published


def test_backfill_revalidates_only_the_days_it_touches():
    first, _ = check(stock_frame())
    frame = stock_frame()
    frame.loc[frame.snapshot_date == dt.date(2026, 1, 5), "on_hand"] = 12
    frame.loc[frame.snapshot_date == dt.date(2026, 1, 9), "on_order"] = 4
    second, _ = check(frame, first.ledger)
    summary = second.report.partitions
    assert (summary.validated, summary.reused) == (2, DAYS - 2)
    changed = {
        day
        for day, state in second.ledger.partitions.items()
        if state.fingerprint != first.ledger.partitions[day].fingerprint
    }
    assert changed == {"2026-01-05", "2026-01-09"}


def test_a_bad_day_fails_alone_and_is_revalidated_until_fixed():
    first, _ = check(stock_frame())
    frame = stock_frame()
    frame.loc[(frame.snapshot_date == dt.date(2026, 1, 7)) & (frame.sku == "B"), "on_hand"] = -5
    second, valid = check(frame, first.ledger)
    assert not second.report.passed
    [failing] = second.report.partitions.failing
    assert failing["partition"] == "2026-01-07"
    assert failing["rules"] == {"on_hand: greater_than_or_equal_to(0)": 1}
    assert len(valid) == DAYS * 3 - 1  # only the bad row is held back
    third, _ = check(frame, second.ledger)  # the same bad day is judged again, not reused
    assert third.report.partitions.validated == 1 and not third.report.passed


def test_duplicate_grain_inside_a_changed_day_is_caught():
    first, _ = check(stock_frame())
    frame = stock_frame()
    dup = frame[(frame.snapshot_date == dt.date(2026, 1, 3)) & (frame.sku == "A")]
    second, _ = check(pd.concat([frame, dup], ignore_index=True), first.ledger)
    failures = {r.rule: r.failing_rows for r in second.report.failures}
    assert failures == {"unique(snapshot_date, sku, location_id)": 2}
    assert second.report.partitions.validated == 1


def test_changed_contract_revalidates_everything():
    first, _ = check(stock_frame())
    first.ledger.contract = "an older contract"
    second, _ = check(stock_frame(), first.ledger)
    assert second.report.partitions.validated == DAYS


@pytest.mark.parametrize("redelivered", [True, False])
def test_rules_spanning_days_validate_every_day_but_still_report_per_day(redelivered):
    """Order lines are unique across days, so no day can be judged alone: nothing is reused."""
    from tests.validation.test_engine import orders_frame

    frame = orders_frame(40)
    frame["order_date"] = [dt.date(2026, 1, 1 + i % 4) for i in range(40)]
    first, _ = check(frame, version=ORDERS, column="order_date")
    second, _ = check(frame, first.ledger if redelivered else None, ORDERS, "order_date")
    summary = second.report.partitions
    assert not summary.local
    assert (summary.partitions, summary.validated, summary.reused) == (4, 4, 0)
