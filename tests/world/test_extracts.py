"""Every extract lands where the architecture says, with exactly its columns and types."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from supplymesh.world import EXTRACTS, get_scale
from tests.world.conftest import BATCH, World


def test_every_extract_lands_once_with_the_batch_name(tiny: World) -> None:
    for name, e in EXTRACTS.items():
        path = tiny.landing / e.domain / f"{name}__{BATCH}{e.suffix}"
        assert path.exists(), name
        assert tiny.summary.files[name] == path
    orders = tiny.landing / "sales" / f"orders__{BATCH}"
    parts = sorted(p.name for p in orders.iterdir())
    assert parts == [f"part-{i:05d}.parquet" for i in range(len(parts))] and len(parts) >= 2
    assert not [p for p in tiny.landing.rglob(".*")], "temporaries left behind"


def test_exact_columns_and_types(tiny: World) -> None:
    for name, e in EXTRACTS.items():
        path = tiny.summary.files[name]
        if e.fmt == "csv":
            with open(path) as f:
                header = f.readline().strip().replace('"', "").split(",")
            assert header == e.schema.names, name
            assert tiny.table(name).schema.equals(e.schema), name  # parses as typed
        else:
            files = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
            for file in files:
                assert pq.read_schema(file).remove_metadata().equals(e.schema), file


def test_csv_dates_are_iso_and_nulls_empty(tiny: World) -> None:
    raw = pacsv.read_csv(
        tiny.summary.files["calendar"],
        convert_options=pacsv.ConvertOptions(strings_can_be_null=True),
    )
    first = raw.column("calendar_date")[0].as_py()
    assert str(first) == "2025-10-24"  # 400 days ending 2026-11-27
    assert raw.column("holiday_name").null_count > 0


def test_row_counts_match_the_summary(tiny: World) -> None:
    for name in EXTRACTS:
        assert tiny.table(name).num_rows == tiny.summary.rows[name] > 0, name


def test_calendar_covers_history_and_horizon_per_region(tiny: World) -> None:
    cal = tiny.frame("calendar")
    spec = get_scale("tiny")
    as_of = pd.Timestamp(tiny.summary.as_of)
    assert cal["calendar_date"].max() == as_of + timedelta(days=spec.horizon_days)
    assert cal.groupby("region").size().eq(spec.history_days + spec.horizon_days).all()
    xmas = cal[cal["calendar_date"] == pd.Timestamp("2025-12-25")]
    assert xmas["is_holiday"].all() and (xmas["holiday_name"] == "Christmas Day").all()
    assert cal.loc[cal["is_holiday"], "holiday_name"].notna().all()
    assert cal.loc[~cal["is_holiday"], "holiday_name"].isna().all()
    per_region = cal[cal["is_holiday"]].groupby("region")["calendar_date"].apply(frozenset)
    assert per_region.nunique() == len(per_region), "regions should not share one holiday set"


def test_item_master_is_consistent(tiny: World) -> None:
    items = tiny.frame("item_master")
    assert items["sku"].is_unique
    assert (items["unit_cost"] < items["list_price"]).all()
    assert items["unit_weight_kg"].between(0.1, 25).all()
    density = items["unit_weight_kg"] / items["unit_volume_m3"]
    assert density.between(100, 1500).all()
    assert (items["min_order_qty"] % items["case_pack"] == 0).all()
    assert (items["units_per_pallet"] % items["case_pack"] == 0).all()
    locations = tiny.frame("locations")
    assert set(items["supplier_id"]) <= set(
        locations.loc[locations["location_type"] == "supplier", "location_id"]
    )


def test_network_and_lanes(tiny: World) -> None:
    locations = tiny.frame("locations")
    dcs = locations.loc[locations["location_type"] == "dc", "location_id"]
    sups = locations.loc[locations["location_type"] == "supplier", "location_id"]
    assert len(dcs) == 2 and len(sups) == 2
    assert locations["handling_days"].between(0, 2).all()
    assert locations["manager_email"].str.fullmatch(r"[a-z.]+\d+@[a-z0-9.-]+").all()
    lanes = tiny.frame("lanes")
    assert sorted(lanes["lane_id"]) == sorted(f"L-{s}-{d}" for s in sups for d in dcs)
    assert lanes["transit_days_mean"].between(1, 6).all()
    assert (lanes["max_pallets"] == 33).all() and (lanes["max_weight_kg"] == 24_000).all()


def test_order_lines(tiny: World) -> None:
    orders = tiny.frame("orders")
    assert orders["order_id"].str.fullmatch(r"SO-\d+").all()
    assert not orders.duplicated(["order_id", "line_number"]).any()
    assert not orders.duplicated(["order_id", "sku"]).any(), "an order holds a SKU once"
    per_order = orders.groupby("order_id")
    assert (per_order["line_number"].max() == per_order.size()).all()
    assert (per_order[["order_date", "customer_id", "location_id"]].nunique() == 1).all().all()
    assert per_order.size().max() > 1 and (per_order["sku"].nunique() > 1).any()
    assert (orders["quantity"] >= 1).all() and (orders["currency"] == "EUR").all()
    assert orders["customer_id"].str.fullmatch(r"C\d{6}").all()
    assert (orders.groupby("customer_id")["customer_email"].nunique() == 1).all()
    assert orders["order_date"].max() <= pd.Timestamp(tiny.summary.as_of)


def test_promo_lines_are_discounted_and_in_their_promotion(tiny: World) -> None:
    orders = tiny.frame("orders").merge(tiny.frame("locations")[["location_id", "region"]])
    promos = tiny.frame("promotions")
    lines = orders[orders["promo_id"].notna()].merge(promos, on="promo_id", suffixes=("", "_promo"))
    assert len(lines) == orders["promo_id"].notna().sum() > 0
    assert (lines["sku"] == lines["sku_promo"]).all() and (
        lines["region"] == lines["region_promo"]
    ).all()
    assert lines["order_date"].between(lines["start_date"], lines["end_date"]).all()
    regular = (
        orders[orders["promo_id"].isna()]
        .groupby(["sku", "order_date"])["unit_price"]
        .first()
        .rename("regular")
    )
    both = lines.join(regular, on=["sku", "order_date"]).dropna(subset=["regular"])
    expected = (both["regular"] * (1 - both["discount_pct"])).round(2)
    assert (both["unit_price"] - expected).abs().max() <= 0.011


def test_promotions_table(tiny: World) -> None:
    promos = tiny.frame("promotions")
    assert promos["promo_id"].is_unique
    assert promos["discount_pct"].between(0.1, 0.4).all()
    assert ((promos["end_date"] - promos["start_date"]).dt.days + 1).between(5, 14).all()
    assert set(promos["promo_type"]) <= {"tpr", "display", "bogo"}
    ordered = promos.sort_values(["sku", "region", "start_date"])
    gap = ordered.groupby(["sku", "region"])["start_date"].shift(-1) - ordered["end_date"]
    assert (gap.dropna().dt.days > 0).all(), "promotions of one SKU x region overlap"
