"""The dbt marts built over the hand-made fixture mesh (see conftest.py)."""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil
import statistics

import pytest
import yaml

from tests.transforms.mesh_fixture import (
    AS_OF,
    DCS,
    FIRST_DAY,
    HISTORY_DAYS,
    HORIZON_DAYS,
    SKUS,
    STOCKOUT,
    TRANSFORMS_DIR,
    BuiltMesh,
    active_discount,
    run_dbt,
    units_on,
)

MARTS = [
    "fct_demand_features",
    "fct_inventory_position",
    "fct_supplier_lead_times",
    "fct_lane_stats",
    "dim_products",
    "dim_locations",
]
D = dt.timedelta


def feature_row(mesh: BuiltMesh, sku: str, location_id: str, day: dt.date) -> dict:
    df = mesh.query_df(
        "select * from marts.fct_demand_features"
        " where sku = ? and location_id = ? and demand_date = ?",
        [sku, location_id, day],
    )
    assert len(df) == 1, (sku, location_id, day)
    return df.iloc[0].to_dict()


def is_null(value) -> bool:
    return (
        value is None
        or (isinstance(value, float) and math.isnan(value))
        or str(value) in ("<NA>", "NaT")
    )


def test_build_succeeds(built_mesh: BuiltMesh) -> None:
    assert built_mesh.build.returncode == 0, built_mesh.build.stdout[-5000:]
    results = json.loads((built_mesh.target_path / "run_results.json").read_text())["results"]
    statuses = {r["unique_id"]: r["status"] for r in results}
    assert all(s in ("success", "pass") for s in statuses.values()), {
        k: v for k, v in statuses.items() if v not in ("success", "pass")
    }
    for mart in MARTS:
        assert statuses[f"model.supplymesh.{mart}"] == "success"
    # the lag / rolling unit test ran as part of the build
    assert any(k.startswith("unit_test.supplymesh.int_demand__lag_features") for k in statuses)


def test_marts_are_public_with_enforced_contracts(built_mesh: BuiltMesh) -> None:
    manifest = json.loads((built_mesh.target_path / "manifest.json").read_text())
    for mart in MARTS:
        node = manifest["nodes"][f"model.supplymesh.{mart}"]
        assert node["access"] == "public"
        assert node["config"]["contract"]["enforced"] is True
        assert node["config"]["materialized"] == "table"
        assert all(col["data_type"] for col in node["columns"].values())


def test_demand_features_one_row_per_series_per_day(built_mesh: BuiltMesh) -> None:
    horizon_end = AS_OF + D(days=HORIZON_DAYS)
    rows = built_mesh.query(
        "select sku, location_id, count(*), count(distinct demand_date),"
        " min(demand_date), max(demand_date), min(as_of_date), max(as_of_date),"
        " count(*) filter (where is_history)"
        " from marts.fct_demand_features group by all order by all"
    )
    expected_series = sorted((sku, dc) for sku in SKUS for dc in DCS)
    assert [(r[0], r[1]) for r in rows] == expected_series
    n_days = HISTORY_DAYS + HORIZON_DAYS
    for _, _, n, n_distinct, first, last, as_of_min, as_of_max, n_history in rows:
        assert (n, n_distinct) == (n_days, n_days)
        assert (first, last) == (FIRST_DAY, horizon_end)
        assert as_of_min == as_of_max == AS_OF
        assert n_history == HISTORY_DAYS


def test_units_sold_and_stockout(built_mesh: BuiltMesh) -> None:
    sku, dc, day = STOCKOUT
    row = feature_row(built_mesh, sku, dc, day)
    assert row["units_sold"] == 0.0
    assert row["revenue"] == 0.0
    assert row["on_hand_eod"] == 0
    assert row["is_stockout"]
    # the only stock-out of the fixture
    assert built_mesh.query("select count(*) from marts.fct_demand_features where is_stockout") == [
        (1,)
    ]
    # a day without orders in history sells 0, not NULL
    quiet_day = FIRST_DAY + D(days=1)
    assert units_on("SKU-2", "DC-S", quiet_day) == 0
    assert feature_row(built_mesh, "SKU-2", "DC-S", quiet_day)["units_sold"] == 0.0
    # every history day matches the fixture's formula
    df = built_mesh.query_df(
        "select sku, location_id, demand_date, units_sold from marts.fct_demand_features"
        " where is_history"
    )
    for r in df.itertuples():
        assert r.units_sold == units_on(r.sku, r.location_id, r.demand_date.date())


def test_lag_28_is_units_sold_28_days_earlier(built_mesh: BuiltMesh) -> None:
    mismatches = built_mesh.query(
        """
        select f.sku, f.location_id, f.demand_date, f.lag_28, p.units_sold
        from marts.fct_demand_features as f
        left join marts.fct_demand_features as p
            on f.sku = p.sku and f.location_id = p.location_id
            and p.demand_date = f.demand_date - 28
        where f.lag_28 is distinct from p.units_sold
        """
    )
    assert mismatches == []
    # NULL exactly on the first 28 days of every series
    assert built_mesh.query(
        "select count(*), min(demand_date), max(demand_date)"
        " from marts.fct_demand_features where lag_28 is null"
    ) == [(4 * 28, FIRST_DAY, FIRST_DAY + D(days=27))]


def test_other_lags(built_mesh: BuiltMesh) -> None:
    day = AS_OF + D(days=HORIZON_DAYS)  # the last future day still sees history
    for sku in SKUS:
        for dc in DCS:
            row = feature_row(built_mesh, sku, dc, day)
            for k in (28, 35, 42, 364):
                assert row[f"lag_{k}"] == units_on(sku, dc, day - D(days=k)), (sku, dc, k)
    early = feature_row(built_mesh, "SKU-1", "DC-S", FIRST_DAY + D(days=363))
    assert is_null(early["lag_364"])
    first_lag = feature_row(built_mesh, "SKU-1", "DC-S", FIRST_DAY + D(days=364))
    assert first_lag["lag_364"] == units_on("SKU-1", "DC-S", FIRST_DAY)


def test_rolling_mean_7_lag28_hand_checked(built_mesh: BuiltMesh) -> None:
    sku, dc, stockout_day = STOCKOUT
    # The window of this row is stockout_day - 3 .. stockout_day + 3: the SKU-1 / DC-N
    # formula sells 1..7 over any 7 consecutive days, minus the 4 lost to the stock-out.
    row = feature_row(built_mesh, sku, dc, stockout_day + D(days=28 + 3))
    assert row["rolling_mean_7_lag28"] == pytest.approx((1 + 2 + 3 + 0 + 5 + 6 + 7) / 7)
    assert row["rolling_mean_7_lag28"] == pytest.approx(24 / 7)
    # the first row with a window holds a single history day
    first = feature_row(built_mesh, "SKU-1", "DC-S", FIRST_DAY + D(days=28))
    assert first["rolling_mean_7_lag28"] == units_on("SKU-1", "DC-S", FIRST_DAY)
    assert is_null(first["rolling_std_28_lag28"])
    assert is_null(
        feature_row(built_mesh, "SKU-1", "DC-S", FIRST_DAY + D(days=27))["rolling_mean_91_lag28"]
    )


def test_rolling_windows_match_python(built_mesh: BuiltMesh) -> None:
    for sku, dc, day in [
        ("SKU-1", "DC-S", AS_OF + D(days=HORIZON_DAYS)),
        ("SKU-2", "DC-S", AS_OF - D(days=10)),
        ("SKU-2", "DC-N", FIRST_DAY + D(days=60)),  # 28/91-day windows cut by history start
        ("SKU-1", "DC-N", STOCKOUT[2] + D(days=40)),
    ]:
        row = feature_row(built_mesh, sku, dc, day)
        for n, mean_col in (
            (7, "rolling_mean_7_lag28"),
            (28, "rolling_mean_28_lag28"),
            (91, "rolling_mean_91_lag28"),
        ):
            window = [
                units_on(sku, dc, day - D(days=28 + k))
                for k in range(n)
                if day - D(days=28 + k) >= FIRST_DAY
            ]
            assert row[mean_col] == pytest.approx(statistics.fmean(window)), (sku, dc, day, n)
            if n == 28:
                assert row["rolling_std_28_lag28"] == pytest.approx(statistics.stdev(window))


def test_future_rows_carry_only_known_facts(built_mesh: BuiltMesh) -> None:
    future = built_mesh.query_df(
        "select * from marts.fct_demand_features where not is_history order by all"
    )
    assert len(future) == 4 * HORIZON_DAYS
    assert future["units_sold"].isna().all()
    assert future["revenue"].isna().all()
    assert future["on_hand_eod"].isna().all()
    assert not future["is_stockout"].any()
    assert future["lag_28"].notna().all()
    assert future["rolling_mean_28_lag28"].notna().all()

    for r in future.itertuples():
        day = r.demand_date.date()
        discount = active_discount(r.sku, DCS[r.location_id], day)
        assert r.is_promo == (discount > 0), (r.sku, r.location_id, day)
        assert r.discount_pct == pytest.approx(discount)
        assert r.unit_price == pytest.approx(SKUS[r.sku][1] * (1 - discount))
        assert r.price_ratio == pytest.approx(1 - discount)

    # overlapping promotions: the deepest discount wins
    assert feature_row(built_mesh, "SKU-1", "DC-N", AS_OF + D(days=5))["discount_pct"] == 0.3
    assert feature_row(built_mesh, "SKU-1", "DC-N", AS_OF + D(days=4))["discount_pct"] == 0.2
    # a promotion only applies in its region
    assert not feature_row(built_mesh, "SKU-1", "DC-S", AS_OF + D(days=5))["is_promo"]

    holidays = built_mesh.query(
        "select location_id, demand_date from marts.fct_demand_features"
        " where is_holiday and sku = 'SKU-1' order by all"
    )
    assert holidays == [
        ("DC-N", AS_OF - D(days=100)),
        ("DC-N", AS_OF + D(days=5)),
        ("DC-S", AS_OF + D(days=1)),
    ]


def test_calendar_parts_and_history_price(built_mesh: BuiltMesh) -> None:
    row = feature_row(built_mesh, "SKU-1", "DC-N", AS_OF)
    assert row["day_of_week"] == AS_OF.isoweekday()
    assert row["day_of_month"] == AS_OF.day
    assert row["day_of_year"] == AS_OF.timetuple().tm_yday
    assert row["week_of_year"] == AS_OF.isocalendar().week
    assert row["month"] == AS_OF.month
    # realised price: two lines (qty - 2 at list price, 2 at 90 %) averaged by units
    qty = units_on("SKU-1", "DC-N", AS_OF)
    assert qty >= 4
    assert row["unit_price"] == pytest.approx(((qty - 2) * 10.0 + 2 * 9.0) / qty)
    # a history promotion shows in price and flags
    promo_row = feature_row(built_mesh, "SKU-1", "DC-N", AS_OF - D(days=57))
    assert promo_row["is_promo"] and promo_row["discount_pct"] == 0.2
    assert promo_row["price_ratio"] < 0.81
    # category / supplier / region come along
    assert (row["category"], row["supplier_id"], row["region"]) == ("Snacks", "SUP-1", "NORTH")


def test_inventory_position(built_mesh: BuiltMesh) -> None:
    rows = built_mesh.query(
        "select sku, location_id, snapshot_date, on_hand, on_order, inventory_position,"
        " case_pack, category from marts.fct_inventory_position order by all"
    )
    on_hand = 50 + (HISTORY_DAYS - 1) % 10
    assert rows == [
        (sku, dc, AS_OF, on_hand, 20, on_hand + 20, 12, SKUS[sku][0])
        for sku in sorted(SKUS)
        for dc in sorted(DCS)
    ]


def test_supplier_lead_times(built_mesh: BuiltMesh) -> None:
    df = built_mesh.query_df("select * from marts.fct_supplier_lead_times order by location_id")
    assert list(df["location_id"]) == ["DC-N", "DC-S"]
    north = df.iloc[0]
    lead_times = [10, 10, 12, 8]  # PO-1 (2 lines), PO-2, PO-3
    assert north["n_receipts"] == 4
    assert north["lead_time_mean_days"] == pytest.approx(statistics.fmean(lead_times))
    assert north["lead_time_std_days"] == pytest.approx(statistics.stdev(lead_times))
    assert north["lead_time_p90_days"] == pytest.approx(11.4)
    assert north["transit_mean_days"] == pytest.approx((5 + 5 + 5 + 4) / 4)
    assert north["fill_rate"] == pytest.approx(330 / 350)
    assert north["last_receipt_date"].date() == AS_OF - D(days=22)
    south = df.iloc[1]  # the open PO-5 line is not a receipt
    assert south["n_receipts"] == 1 and south["lane_id"] == "L-S"


def test_lane_stats(built_mesh: BuiltMesh) -> None:
    df = built_mesh.query_df("select * from marts.fct_lane_stats order by lane_id")
    assert list(df["lane_id"]) == ["L-N", "L-S", "L-X"]
    north, south, unused = (df.iloc[i] for i in range(3))
    # L-N shipments: PO-1 (one shipment, two lines) 5 days, PO-2 5 days, PO-3 4 days
    assert north["n_shipments"] == 3
    assert north["transit_days_observed_mean"] == pytest.approx(14 / 3)
    assert north["transit_days_nominal"] == 5.0
    assert north["destination_handling_days"] == 1
    assert south["n_shipments"] == 1 and south["transit_days_p90"] == 3.0
    assert unused["n_shipments"] == 0
    assert math.isnan(unused["transit_days_observed_mean"])
    assert unused["destination_handling_days"] == 2


def test_dims_are_cleaned(built_mesh: BuiltMesh) -> None:
    assert built_mesh.query(
        "select location_id, location_type from marts.dim_locations order by all"
    ) == [("DC-N", "dc"), ("DC-S", "dc"), ("SUP-1", "supplier")]
    assert built_mesh.query(
        "select sku, description, currency from marts.dim_products order by all"
    ) == [("SKU-1", "Snacks item SKU-1", "EUR"), ("SKU-2", "Drinks item SKU-2", "EUR")]
    columns = {r[0] for r in built_mesh.query("describe marts.dim_locations")}
    assert "manager_email" not in columns


def test_enforced_contract_fails_on_a_changed_data_type(built_mesh: BuiltMesh, tmp_path) -> None:
    """Declare n_shipments as varchar in a copy of the project: dbt must refuse the model."""
    project = tmp_path / "transforms"
    shutil.copytree(
        TRANSFORMS_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages")
    )
    yml_path = project / "models" / "marts" / "fct_lane_stats.yml"
    doc = yaml.safe_load(yml_path.read_text())
    (column,) = [c for c in doc["models"][0]["columns"] if c["name"] == "n_shipments"]
    assert column["data_type"] == "bigint"
    column["data_type"] = "varchar"
    yml_path.write_text(yaml.safe_dump(doc, sort_keys=False))

    # a separate MESH_HOME so the session's transforms.duckdb is left alone
    home = tmp_path / "mesh_home"
    home.mkdir()
    shutil.copy(built_mesh.home / "mesh.duckdb", home / "mesh.duckdb")
    shutil.copy(built_mesh.home / "transforms.duckdb", home / "transforms.duckdb")

    result = run_dbt(["run", "--select", "fct_lane_stats"], project, home, tmp_path / "target")
    assert result.returncode != 0
    assert "enforced contract that failed" in result.stdout
    assert "n_shipments" in result.stdout
    assert "data type mismatch" in result.stdout
