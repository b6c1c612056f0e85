"""What the held-out replay draws lead times from."""

import pandas as pd

from supplymesh.planning.inventory.simulation_inputs import _lead_draws

HELD_OUT_FROM = pd.Timestamp("2026-06-01")


def receipts(rows: list[tuple[str, int]]) -> pd.DataFrame:
    """(order date, lead days) of one supplier x DC pair."""
    frame = pd.DataFrame(rows, columns=["order_date", "lead_days"])
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    frame["receipt_date"] = frame["order_date"] + pd.to_timedelta(frame["lead_days"], unit="D")
    return frame.assign(supplier_id="S1", location_id="DC1")


SERIES = pd.DataFrame({"sku": ["A"], "location_id": ["DC1"], "supplier_id": ["S1"]})


def test_orders_that_may_still_be_in_transit_are_not_drawn():
    history = [("2026-01-05", 30)] + [(f"2026-06-{d:02d}", 10 + d % 5) for d in range(2, 30)]
    # placed within the longest lead time (30 days) of the last receipt: a long one would not
    # be on record yet, so only short ones are; drawing them would bias the replay short
    late = [("2026-08-01", 5), ("2026-08-03", 4), ("2026-08-05", 6)]
    draws = _lead_draws(SERIES, receipts(history + late), HELD_OUT_FROM)[0]
    assert sorted(draws) == sorted(10 + d % 5 for d in range(2, 30))


def test_a_pair_with_too_few_complete_held_out_orders_draws_from_all_its_receipts():
    rows = [("2026-01-05", 12), ("2026-02-05", 16), ("2026-06-10", 14), ("2026-09-01", 3)]
    draws = _lead_draws(SERIES, receipts(rows), HELD_OUT_FROM)[0]
    assert sorted(draws) == [3, 12, 14, 16]
