"""The volume rule: refuse a version that empties its product or shrinks it past its bound."""

from __future__ import annotations

import pytest

from supplymesh.governance.volume import allowed, judge
from supplymesh.registry import get_product


@pytest.mark.parametrize(
    ("previous", "new", "breaks"),
    [
        (2000, 0, True),  # empties the product
        (None, 0, True),  # nothing served yet, and nothing to serve
        (2000, 999, True),  # loses more than half
        (2000, 1000, False),  # loses exactly the bound
        (2000, 3000, False),  # grows
        (None, 5, False),  # a first publish
    ],
)
def test_orders_may_lose_at_most_half_their_rows_and_never_all(previous, new, breaks):
    assert judge(get_product("sales.orders"), previous, new).breaks is breaks


def test_a_product_that_may_be_empty_may_shrink_to_nothing():
    verdict = judge(get_product("planning.shipment_plan"), 50, 0)
    assert not verdict.breaks and verdict.shrink == 1.0


def test_the_verdict_names_the_counts_and_the_bound():
    text = judge(get_product("inventory.stock_snapshots"), 4800, 100).describe()
    assert text == (
        "a new version of 100 rows where 4,800 rows are served would shrink it by 98%, "
        "more than its bound volume.max_shrink 50%"
    )


def test_allow_shrink_names_a_product_or_all():
    assert allowed("sales.orders", {"sales.orders"}) and allowed("sales.orders", {"all"})
    assert not allowed("sales.orders", {"catalog.products"})


def test_a_volume_bound_outside_zero_to_one_is_a_definition_error(tmp_path):
    from supplymesh.registry import ProductDefinitionError, load_product

    source = get_product("sales.orders").definition_path.read_text()
    path = tmp_path / "orders.yaml"
    path.write_text(source.replace("versions:", "volume: {max_shrink: 1.5}\nversions:", 1))
    with pytest.raises(ProductDefinitionError, match="volume takes max_shrink"):
        load_product(path)
