"""Which pairs a landed batch replans: the changed pairs, the pairs sharing their lanes, or the
whole network when the as-of date moved or nothing could be compared."""

import json

import pandas as pd

from supplymesh.planning.replanning.scope import ReplanScope, replan_scope, whole_network_reason

POSITIONS = pd.DataFrame(
    {
        "sku": ["A", "B", "C", "A", "D"],
        "location_id": ["DC1", "DC1", "DC1", "DC2", "DC1"],
        "supplier_id": ["S1", "S1", "S2", "S1", "S2"],
    }
)


def test_a_changed_pair_brings_its_lane_and_nothing_else() -> None:
    changed = pd.DataFrame({"sku": ["A"], "location_id": ["DC1"], "rows": [12]})
    scope = replan_scope("sales.orders", changed, POSITIONS, "2026-11-27", "2026-11-27")
    pairs = scope.pairs.set_index(["sku", "location_id"])
    assert sorted(pairs.index) == [("A", "DC1"), ("B", "DC1")]  # S1 -> DC1 carries A and B
    assert pairs.loc[("A", "DC1"), "reason"] == "12 rows of sales.orders new, changed or removed"
    assert "shares the S1 -> DC1 lane" in pairs.loc[("B", "DC1"), "reason"]
    assert list(pairs["changed"]) == [True, False]
    assert (scope.whole_network, scope.lanes) == (None, 1)
    assert scope.summary()["replanned_pairs"] == 2


def test_a_changed_pair_without_a_position_is_re_forecast_but_plans_nothing() -> None:
    changed = pd.DataFrame({"sku": ["Z"], "location_id": ["DC9"], "rows": [1]})
    scope = replan_scope("sales.orders", changed, POSITIONS, "2026-11-27", "2026-11-27")
    assert scope.pairs.empty
    assert list(scope.changed["sku"]) == ["Z"]


def test_a_batch_that_moves_the_as_of_date_replans_every_pair() -> None:
    changed = pd.DataFrame({"sku": ["A"], "location_id": ["DC1"], "rows": [3]})
    scope = replan_scope("sales.orders", changed, POSITIONS, "2026-11-27", "2026-11-28")
    assert len(scope.pairs) == len(POSITIONS)
    assert scope.whole_network == (
        "sales.orders moved the as-of date from 2026-11-27 to 2026-11-28: every forecast moves"
    )


def test_without_an_earlier_snapshot_every_pair_is_replanned() -> None:
    scope = replan_scope("inventory.stock_snapshots", None, POSITIONS, "2026-11-27", "2026-11-27")
    assert len(scope.pairs) == len(POSITIONS)
    assert "no earlier snapshot" in scope.whole_network


def test_an_unchanged_batch_replans_nothing() -> None:
    empty = pd.DataFrame({"sku": [], "location_id": [], "rows": []})
    scope = replan_scope("sales.orders", empty, POSITIONS, "2026-11-27", "2026-11-27")
    assert scope.pairs.empty and scope.changed.empty and scope.lanes == 0


def test_a_scope_read_back_from_its_record_is_the_same_scope() -> None:
    changed = pd.DataFrame({"sku": ["A"], "location_id": ["DC1"], "rows": [12]})
    scope = replan_scope("sales.orders", changed, POSITIONS, "2026-11-27", "2026-11-27")
    back = ReplanScope.from_record(json.loads(json.dumps(scope.to_record())))
    pd.testing.assert_frame_equal(back.changed, scope.changed)
    pd.testing.assert_frame_equal(back.pairs, scope.pairs)
    assert (back.product, back.whole_network, back.lanes) == ("sales.orders", None, 1)


def test_an_unknown_as_of_date_counts_as_a_moved_one() -> None:
    assert whole_network_reason("sales.orders", True, "2026-11-27", "2026-11-27") is None
    reason = whole_network_reason("sales.orders", True, "2026-11-27", None)
    assert reason is not None and "unknown" in reason
