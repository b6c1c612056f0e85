"""The hand-made mesh catalog the transforms tests build dbt over, and how they run dbt.

`write_mesh_catalog` writes `MESH_HOME/mesh.duckdb` with the source schemas and the product
views named as in the real consumer catalog (plain tables here: the real ones are views over
Parquet); `run_dbt` runs dbt the way the orchestration layer does (MESH_HOME set, target and
log paths outside the repository).

The world: 2 SKUs x 2 DCs (4 demand series), 1 supplier, 420 days of history ending on
AS_OF (so lag_364 has data), one stock-out day, promotions in history and in the horizon,
and holidays in history and in the horizon. Every quantity follows a closed formula
(`units_on`), so a test can work out the expected features by hand.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

REPO_ROOT = Path(__file__).resolve().parents[2]
TRANSFORMS_DIR = REPO_ROOT / "transforms"
DBT = Path(sys.executable).parent / "dbt"

AS_OF = dt.date(2025, 11, 27)
HISTORY_DAYS = 420
HORIZON_DAYS = 28
FIRST_DAY = AS_OF - dt.timedelta(days=HISTORY_DAYS - 1)

SKUS = {
    # sku: (category, list_price)
    "SKU-1": ("Snacks", 10.0),
    "SKU-2": ("Drinks", 4.0),
}
DCS = {"DC-N": "NORTH", "DC-S": "SOUTH"}
SUPPLIER = "SUP-1"
SCHEMAS = ("sales", "catalog", "network", "inventory", "procurement", "logistics", "market")

# SKU-1 at DC-N sells nothing and ends the day with 0 on hand (day index 3 mod 7, so its
# own formula quantity would have been 4).
STOCKOUT = ("SKU-1", "DC-N", FIRST_DAY + dt.timedelta(days=206))

# fmt: off
PROMOTIONS = [
    # promo_id, sku, region, start, end, discount_pct, promo_type
    ("P-HIST", "SKU-1", "NORTH", AS_OF - dt.timedelta(days=60), AS_OF - dt.timedelta(days=54),
     0.2, "price_cut"),
    ("P-FUT-1", "SKU-1", "NORTH", AS_OF + dt.timedelta(days=3), AS_OF + dt.timedelta(days=9),
     0.2, "price_cut"),
    ("P-FUT-2", "SKU-1", "NORTH", AS_OF + dt.timedelta(days=5), AS_OF + dt.timedelta(days=6),
     0.3, "flyer"),
    ("P-FUT-3", "SKU-2", "SOUTH", AS_OF + dt.timedelta(days=10), AS_OF + dt.timedelta(days=12),
     0.1, "bundle"),
]
# fmt: on
HOLIDAYS = {
    # (region, day): name
    ("NORTH", AS_OF - dt.timedelta(days=100)): "Harvest Day",
    ("NORTH", AS_OF + dt.timedelta(days=5)): "Founders Day",
    ("SOUTH", AS_OF + dt.timedelta(days=1)): "Southern Fair",
}


def day_index(day: dt.date) -> int:
    return (day - FIRST_DAY).days


def units_on(sku: str, location_id: str, day: dt.date) -> int:
    """Units ordered of `sku` at `location_id` on a history `day` (the fixture's formula)."""
    if (sku, location_id, day) == STOCKOUT:
        return 0
    d = day_index(day)
    if (sku, location_id) == ("SKU-1", "DC-N"):
        return d % 7 + 1
    if (sku, location_id) == ("SKU-1", "DC-S"):
        return 2 * (d % 5) + 1
    if (sku, location_id) == ("SKU-2", "DC-N"):
        return d % 3 + 2
    return 3 if d % 2 == 0 else 0  # SKU-2 at DC-S sells every other day


def active_discount(sku: str, region: str, day: dt.date) -> float:
    discounts = [
        pct
        for _, p_sku, p_region, start, end, pct, _ in PROMOTIONS
        if p_sku == sku and p_region == region and start <= day <= end
    ]
    return max(discounts, default=0.0)


@dataclass
class BuiltMesh:
    home: Path
    target_path: Path
    build: subprocess.CompletedProcess
    build_seconds: float
    env: dict[str, str] = field(repr=False)

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.home / "transforms.duckdb"), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def query_df(self, sql: str, params: list | None = None):
        with duckdb.connect(str(self.home / "transforms.duckdb"), read_only=True) as con:
            return con.execute(sql, params or []).df()


def _dates(start: dt.date, end: dt.date):
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    """Insert `rows` (tuples in the table's column order) in one statement."""
    columns = [r[0] for r in con.execute(f"describe {table}").fetchall()]
    frame = pd.DataFrame.from_records(rows, columns=columns)
    con.register("fixture_rows", frame)
    try:
        con.execute(f"insert into {table} select * from fixture_rows")
    finally:
        con.unregister("fixture_rows")


def write_mesh_catalog(path: Path) -> None:
    """Write the fixture's consumer catalog (source schemas and product tables) to `path`."""
    history = list(_dates(FIRST_DAY, AS_OF))
    orders, orders_v1, snapshots = [], [], []
    order_no = 0
    for sku, (_, list_price) in SKUS.items():
        for location_id, region in DCS.items():
            for day in history:
                on_hand = 0 if (sku, location_id, day) == STOCKOUT else 50 + day_index(day) % 10
                snapshots.append((day, sku, location_id, on_hand, 20))
                qty = units_on(sku, location_id, day)
                if qty == 0:
                    continue
                discount = active_discount(sku, region, day)
                promo_id = next(
                    (
                        p[0]
                        for p in PROMOTIONS
                        if p[1] == sku and p[2] == region and p[3] <= day <= p[4]
                    ),
                    None,
                )
                price = round(list_price * (1 - discount), 2)
                order_no += 1
                order_id = f"O-{order_no:06d}"
                # Quantities of 4+ come as two lines: 2 units at a 10 % lower price, the rest.
                lines = [(qty, price)] if qty < 4 else [(qty - 2, price), (2, price * 0.9)]
                customer = order_no % 17
                for line_number, (line_qty, line_price) in enumerate(lines, start=1):
                    row = (order_id, line_number, day, f"C-{customer:03d}")
                    row += (f"c{customer}@example.com", sku, location_id, line_qty, line_price)
                    orders.append((*row, "EUR", promo_id))
                    # v1: no customer_id, currency or promo_id; qty / price
                    orders_v1.append((*row[:3], *row[4:]))

    calendar = [
        (day, region, (region, day) in HOLIDAYS, HOLIDAYS.get((region, day)))
        for region in DCS.values()
        for day in _dates(FIRST_DAY, AS_OF + dt.timedelta(days=HORIZON_DAYS + 30))
    ]
    d = dt.timedelta
    # fmt: off
    receipts = [
        # po_id, po_line, supplier, sku, dc, lane, ordered, shipped, received, qty o, qty r
        ("PO-1", 1, SUPPLIER, "SKU-1", "DC-N", "L-N", AS_OF - d(90), AS_OF - d(85),
         AS_OF - d(80), 100, 100),
        ("PO-1", 2, SUPPLIER, "SKU-2", "DC-N", "L-N", AS_OF - d(90), AS_OF - d(85),
         AS_OF - d(80), 50, 40),
        ("PO-2", 1, SUPPLIER, "SKU-1", "DC-N", "L-N", AS_OF - d(60), AS_OF - d(53),
         AS_OF - d(48), 100, 90),
        ("PO-3", 1, SUPPLIER, "SKU-1", "DC-N", "L-N", AS_OF - d(30), AS_OF - d(26),
         AS_OF - d(22), 100, 100),
        ("PO-4", 1, SUPPLIER, "SKU-2", "DC-S", "L-S", AS_OF - d(40), AS_OF - d(34),
         AS_OF - d(31), 80, 80),
        ("PO-5", 1, SUPPLIER, "SKU-1", "DC-S", "L-S", AS_OF - d(5), None, None, 60, 0),
    ]
    # fmt: on

    con = duckdb.connect(str(path))
    try:
        for schema in SCHEMAS:
            con.execute(f"create schema {schema}")
        con.execute("""
            create table sales.orders_v2 (
                order_id varchar, line_number bigint, order_date date, customer_id varchar,
                customer_email varchar, sku varchar, location_id varchar, quantity bigint,
                unit_price double, currency varchar, promo_id varchar)
        """)
        _insert(con, "sales.orders_v2", orders)
        con.execute("""
            create table sales.orders_v1 (
                order_id varchar, line_number bigint, order_date date, customer_email varchar,
                sku varchar, location_id varchar, qty bigint, price double)
        """)
        _insert(con, "sales.orders_v1", orders_v1)
        con.execute("""
            create table catalog.products_v1 (
                sku varchar, description varchar, category varchar, brand varchar,
                supplier_id varchar, unit_cost double, list_price double, currency varchar,
                unit_weight_kg double, unit_volume_m3 double, case_pack bigint,
                units_per_pallet bigint, min_order_qty bigint, launch_date date,
                is_active boolean)
        """)
        # fmt: off
        _insert(con, "catalog.products_v1", [
            (sku, f" {category} item {sku} ", category, "Acme", SUPPLIER, list_price * 0.6,
             list_price, "eur", 0.5, 0.002, 12, 480, 24, FIRST_DAY - d(400), True)
            for sku, (category, list_price) in SKUS.items()
        ])
        # fmt: on
        con.execute("""
            create table network.locations_v1 (
                location_id varchar, name varchar, location_type varchar, region varchar,
                country varchar, city varchar, latitude double, longitude double,
                manager_email varchar, handling_days bigint)
        """)
        # fmt: off
        _insert(con, "network.locations_v1", [
            ("DC-N", "North DC", "DC", "NORTH", "DE", "Hamburg", 53.55, 9.99,
             "n@example.com", 1),
            ("DC-S", "South DC", "dc", "SOUTH", "DE", "Munich", 48.14, 11.58,
             "s@example.com", 2),
            (SUPPLIER, "Acme Foods", "supplier", "NORTH", "NL", "Utrecht", 52.09, 5.12,
             "a@example.com", 0),
        ])
        # fmt: on
        con.execute("""
            create table inventory.stock_snapshots_v1 (
                snapshot_date date, sku varchar, location_id varchar, on_hand bigint,
                on_order bigint)
        """)
        _insert(con, "inventory.stock_snapshots_v1", snapshots)
        con.execute("""
            create table procurement.purchase_receipts_v1 (
                po_id varchar, po_line bigint, supplier_id varchar, sku varchar,
                location_id varchar, lane_id varchar, order_date date, ship_date date,
                receipt_date date, quantity_ordered bigint, quantity_received bigint,
                unit_cost double, currency varchar)
        """)
        _insert(con, "procurement.purchase_receipts_v1", [(*r, 3.0, "EUR") for r in receipts])
        con.execute("""
            create table logistics.lanes_v1 (
                lane_id varchar, origin_id varchar, destination_id varchar, carrier varchar,
                max_weight_kg double, max_volume_m3 double, max_pallets bigint,
                transit_days_mean double, transit_days_std double, ftl_cost double,
                ltl_cost_per_kg double, ltl_min_charge double, currency varchar)
        """)
        # fmt: off
        _insert(con, "logistics.lanes_v1", [
            ("L-N", SUPPLIER, "DC-N", "FastFreight", 24000.0, 80.0, 33, 5.0, 1.0, 900.0,
             0.12, 60.0, "EUR"),
            ("L-S", SUPPLIER, "DC-S", "FastFreight", 24000.0, 80.0, 33, 3.0, 0.5, 700.0,
             0.10, 50.0, "EUR"),
            ("L-X", SUPPLIER, "DC-S", "SlowHaul", 12000.0, 40.0, 16, 6.0, 2.0, 400.0,
             0.08, 40.0, "EUR"),
        ])
        # fmt: on
        con.execute("""
            create table market.calendar_v1 (
                calendar_date date, region varchar, is_holiday boolean, holiday_name varchar)
        """)
        _insert(con, "market.calendar_v1", calendar)
        con.execute("""
            create table market.promotions_v1 (
                promo_id varchar, sku varchar, region varchar, start_date date, end_date date,
                discount_pct double, promo_type varchar)
        """)
        _insert(con, "market.promotions_v1", PROMOTIONS)
    finally:
        con.close()


def dbt_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["MESH_HOME"] = str(home)
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    env.pop("DBT_TARGET_PATH", None)
    return env


def run_dbt(
    args: list[str],
    project_dir: Path,
    home: Path,
    target_path: Path,
    profiles_dir: Path | None = None,
) -> subprocess.CompletedProcess:
    """Run one dbt command against `home` the way the orchestration layer does."""
    cmd = [
        str(DBT),
        *args,
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(profiles_dir or project_dir),
        "--target-path",
        str(target_path),
        "--log-path",
        str(target_path / "logs"),
    ]
    return subprocess.run(
        cmd, env=dbt_env(home), capture_output=True, text=True, timeout=600, check=False
    )


def write_scaled_mesh_catalog(path: Path, n_skus: int, n_dcs: int, history_days: int) -> None:
    """A synthetic catalog of n_skus x n_dcs series over `history_days`, built in SQL.

    For timing the demand features at medium scale (about 3 million spine rows with
    1,000 SKUs x 4 DCs x 730 days); the values follow simple modular patterns.
    """
    start = AS_OF - dt.timedelta(days=history_days - 1)
    n_series = n_skus * n_dcs
    con = duckdb.connect(str(path))
    try:
        for schema in SCHEMAS:
            con.execute(f"create schema {schema}")
        con.execute(f"""
            create table catalog.products_v1 as
            select
                'SKU-' || i as sku, 'item ' || i as description, 'C' || (i % 10) as category,
                'B' as brand, 'SUP-' || (i % 5) as supplier_id, 1.0 as unit_cost,
                2.0 as list_price, 'EUR' as currency, 0.1 as unit_weight_kg,
                0.001 as unit_volume_m3, 6::bigint as case_pack, 100::bigint as units_per_pallet,
                6::bigint as min_order_qty, date '2020-01-01' as launch_date, true as is_active
            from range({n_skus}) as t (i)
        """)
        con.execute(f"""
            create table network.locations_v1 as
            select
                'DC-' || i as location_id, 'DC ' || i as name, 'dc' as location_type,
                'R' || i as region, 'DE' as country, 'X' as city, 1.0 as latitude,
                1.0 as longitude, 'm@example.com' as manager_email, 1::bigint as handling_days
            from range({n_dcs}) as t (i)
            union all
            select
                'SUP-' || i, 'Supplier ' || i, 'supplier', 'R0', 'DE', 'X', 1.0, 1.0,
                'm@example.com', 0::bigint
            from range(5) as t (i)
        """)
        con.execute(f"""
            create table sales.orders_v2 as
            select
                'O-' || s.i || '-' || d.j as order_id, 1::bigint as line_number,
                date '{start}' + d.j::integer as order_date, 'C' as customer_id,
                'c@example.com' as customer_email, 'SKU-' || (s.i % {n_skus}) as sku,
                'DC-' || (s.i // {n_skus}) as location_id,
                ((s.i * 7 + d.j * 3) % 11)::bigint as quantity, 2.0 as unit_price,
                'EUR' as currency, null::varchar as promo_id
            from range({n_series}) as s (i), range({history_days}) as d (j)
            where (s.i + d.j) % 4 != 0
        """)
        con.execute("""
            create table sales.orders_v1 as
            select
                order_id, line_number, order_date, customer_email, sku, location_id,
                quantity as qty, unit_price as price
            from sales.orders_v2 limit 0
        """)
        con.execute(f"""
            create table inventory.stock_snapshots_v1 as
            select
                date '{start}' + d.j::integer as snapshot_date,
                'SKU-' || (s.i % {n_skus}) as sku, 'DC-' || (s.i // {n_skus}) as location_id,
                ((s.i + d.j) % 20)::bigint as on_hand, 5::bigint as on_order
            from range({n_series}) as s (i), range({history_days}) as d (j)
        """)
        con.execute(f"""
            create table market.calendar_v1 as
            select
                date '{start}' + d.j::integer as calendar_date, 'R' || r.i as region,
                d.j % 30 = 0 as is_holiday, null::varchar as holiday_name
            from range({history_days + 60}) as d (j), range({n_dcs}) as r (i)
        """)
        con.execute(f"""
            create table market.promotions_v1 as
            select
                'P-' || i as promo_id, 'SKU-' || (i % {n_skus}) as sku,
                'R' || (i % {n_dcs}) as region,
                date '{start}' + (i * 13 % {history_days + 20})::integer as start_date,
                date '{start}' + (i * 13 % {history_days + 20})::integer + 6 as end_date,
                0.2 as discount_pct, 'price_cut' as promo_type
            from range({n_skus * 20}) as t (i)
        """)
        con.execute(f"""
            create table logistics.lanes_v1 as
            select
                'L-' || i as lane_id, 'SUP-' || i as origin_id,
                'DC-' || (i % {n_dcs}) as destination_id, 'C' as carrier,
                24000.0 as max_weight_kg, 80.0 as max_volume_m3, 33::bigint as max_pallets,
                3.0 as transit_days_mean, 1.0 as transit_days_std, 900.0 as ftl_cost,
                0.1 as ltl_cost_per_kg, 50.0 as ltl_min_charge, 'EUR' as currency
            from range(5) as t (i)
        """)
        con.execute(f"""
            create table procurement.purchase_receipts_v1 as
            select
                'PO-' || i as po_id, 1::bigint as po_line, 'SUP-' || (i % 5) as supplier_id,
                'SKU-' || (i % {n_skus}) as sku, 'DC-' || (i % 5 % {n_dcs}) as location_id,
                'L-' || (i % 5) as lane_id,
                date '{start}' + (i % 300)::integer as order_date,
                date '{start}' + (i % 300)::integer + 3 as ship_date,
                date '{start}' + (i % 300)::integer + 3 + (i % 4)::integer as receipt_date,
                100::bigint as quantity_ordered, (90 + i % 11)::bigint as quantity_received,
                1.0 as unit_cost, 'EUR' as currency
            from range(20000) as t (i)
        """)
    finally:
        con.close()
