"""The true demand the lost-sales benchmark scores against is the demand behind the landed sales:
equal to them on every day stock lasted, at least them on a stock-out day."""

import duckdb

from benchmarks.lost_sales import true_demand
from supplymesh.settings import MeshPaths
from supplymesh.world.generate import generate_world


def test_true_demand_is_what_sold_unless_stock_ran_out(tmp_path):
    summary = generate_world(MeshPaths(tmp_path), scale="tiny", seed=3)
    truth = true_demand("tiny", seed=3, as_of=summary.as_of)
    orders, stock = summary.files["orders"], summary.files["stock_snapshot"]
    orders = f"{orders}/*.parquet" if orders.is_dir() else str(orders)
    con = duckdb.connect()
    con.register("truth", truth)
    days = con.sql(
        f"""
        select s.sku, s.location_id, s.snapshot_date as demand_date, s.on_hand,
               coalesce(o.sold, 0) as sold, t.true_demand
        from '{stock}' s
        left join (
            select sku, location_id, order_date, sum(quantity) as sold
            from '{orders}' group by all
        ) o on o.sku = s.sku and o.location_id = s.location_id and o.order_date = s.snapshot_date
        join truth t on t.sku = s.sku and t.location_id = s.location_id
            and t.demand_date = s.snapshot_date
        """
    ).df()
    assert len(days) == summary.rows["stock_snapshot"]
    stocked = days[days["on_hand"] > 0]
    out = days[days["on_hand"] == 0]
    assert (stocked["sold"] == stocked["true_demand"]).all()
    assert len(out) > 0 and (out["sold"] <= out["true_demand"]).all()
    assert (out["sold"] < out["true_demand"]).any()  # demand was lost on some of them
