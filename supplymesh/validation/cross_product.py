"""Rules across products: referential integrity, consistency of currency and units, and the
reconciliation of stock with the flows that move it.

A contract declares them in ``Config.metadata["cross_product"]`` (see ``contracts/checks.py``);
each is evaluated here in DuckDB against the other products as served, and yields a
``RuleResult`` with its failing count and sample rows like any other rule. The other products
come from ``resolve``: a function from a product key to a DuckDB table expression of its latest
major (None when it is not published, and the rule is then reported as skipped).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import duckdb
import pandas as pd

from supplymesh import duckdb_limits
from supplymesh.registry import ProductVersion
from supplymesh.validation.report import RuleResult
from supplymesh.validation.rules import literal, quote

Resolve = Callable[[str], str | None]
SAMPLE_ROWS = 5


def cross_product_rules(version: ProductVersion) -> list[dict[str, Any]]:
    """The cross-product rules the version's contract declares."""
    return list((getattr(version.contract.Config, "metadata", None) or {}).get("cross_product", []))


def referenced_products(rule: dict[str, Any]) -> list[str]:
    if rule["kind"] == "stock_flow":
        return [rule["sales"], rule["receipts"], rule["locations"]]
    return [rule["product"]]


def _failing_sql(rule: dict[str, Any], table: str, ref: dict[str, str]) -> tuple[str, str]:
    """SQL selecting the failing rows (``f`` alias) and a description of what was expected."""
    kind = rule["kind"]
    if kind == "references":
        col, to = quote(rule["column"]), quote(rule["to"])
        return (
            f"SELECT t.* FROM {table} t ANTI JOIN (SELECT DISTINCT {to} AS _k FROM "
            f"{ref[rule['product']]}) r ON t.{col} = r._k WHERE t.{col} IS NOT NULL",
            f"every {rule['column']} in {rule['product']}.{rule['to']}",
        )
    if kind in ("matches", "ratio_to"):
        col, on, to = quote(rule["column"]), quote(rule["on"]), quote(rule["to"])
        joined = (
            f"FROM {table} t JOIN (SELECT DISTINCT {on} AS _on, {to} AS _to FROM "
            f"{ref[rule['product']]}) r ON t.{on} = r._on"
        )
        if kind == "matches":
            return (
                f"SELECT t.*, r._to AS {quote(rule['product'] + '.' + rule['to'])} {joined} "
                f"WHERE t.{col} IS DISTINCT FROM r._to",
                f"{rule['column']} = {rule['product']}.{rule['to']} for the same {rule['on']}",
            )
        ratio = f"(t.{col}::DOUBLE / nullif(r._to::DOUBLE, 0))"
        return (
            f"SELECT t.*, r._to AS {quote(rule['product'] + '.' + rule['to'])}, "
            f"round({ratio}, 4) AS _ratio {joined} WHERE {ratio} NOT BETWEEN "
            f"{literal(rule['min_ratio'])} AND {literal(rule['max_ratio'])}",
            f"{rule['column']} / {rule['product']}.{rule['to']} within "
            f"{rule['min_ratio']}-{rule['max_ratio']} (same unit)",
        )
    if kind == "stock_flow":
        sales, receipts, locations = (ref[rule[k]] for k in ("sales", "receipts", "locations"))
        return (
            f"""
            WITH sold AS (
                SELECT sku, location_id, order_date AS day, sum(quantity) AS units
                FROM {sales} GROUP BY ALL
            ), booked AS (
                SELECT r.sku, r.location_id,
                       r.receipt_date + CAST(l.handling_days AS INTEGER) AS day,
                       sum(r.quantity_received) AS units
                FROM {receipts} r JOIN {locations} l USING (location_id) GROUP BY ALL
            ), flow AS (
                SELECT *, lag(on_hand) OVER w AS previous_on_hand,
                       lag(snapshot_date) OVER w AS previous_date
                FROM {table} WINDOW w AS (PARTITION BY sku, location_id ORDER BY snapshot_date)
            )
            SELECT f.snapshot_date, f.sku, f.location_id, f.previous_on_hand, f.on_hand,
                   coalesce(b.units, 0) AS received, coalesce(s.units, 0) AS sold,
                   f.on_hand - f.previous_on_hand - coalesce(b.units, 0) + coalesce(s.units, 0)
                       AS unexplained
            FROM flow f
            LEFT JOIN sold s ON s.sku = f.sku AND s.location_id = f.location_id
                AND s.day = f.snapshot_date
            LEFT JOIN booked b ON b.sku = f.sku AND b.location_id = f.location_id
                AND b.day = f.snapshot_date
            WHERE f.previous_date = f.snapshot_date - 1
              AND abs(f.on_hand - f.previous_on_hand - coalesce(b.units, 0)
                      + coalesce(s.units, 0)) > {int(rule["tolerance_units"])}
            """,
            "on_hand(d) - on_hand(d-1) = received booked on d - sold on d "
            f"(within {rule['tolerance_units']} units)",
        )
    raise ValueError(f"unknown cross-product rule kind {kind!r}")


def evaluate_rule(
    con: duckdb.DuckDBPyConnection, table: str, rule: dict[str, Any], resolve: Resolve
) -> RuleResult:
    """One cross-product rule over ``table``: failing rows and a sample of them."""
    column = rule.get("column")
    ref = {p: resolve(p) for p in referenced_products(rule)}
    missing = sorted(p for p, sql in ref.items() if sql is None)
    if missing:
        return RuleResult(
            rule["name"],
            column,
            f"skipped: {', '.join(missing)} not published",
            0,
            rule["severity"],
            kind="skipped",
        )
    failing, expected = _failing_sql(rule, table, ref)
    [(count,)] = con.execute(f"SELECT count(*) FROM ({failing})").fetchall()
    sample: list[dict[str, Any]] = []
    if count:
        frame = con.execute(f"SELECT * FROM ({failing}) LIMIT {SAMPLE_ROWS}").df()
        sample = [
            {k: (None if pd.isna(v) else v) for k, v in row.items()}
            for row in frame.astype(object).to_dict("records")
        ]
    return RuleResult(
        rule["name"], column, expected, int(count), rule["severity"], kind="cross", sample=sample
    )


def evaluate_served_rule(
    snapshot: str | None, rule: dict[str, Any], resolve: Resolve
) -> RuleResult:
    """One cross-product rule over a served snapshot's Parquet file, in its own DuckDB
    connection; reported as skipped (passing) while the product itself is not published."""
    if snapshot is None:
        return RuleResult(rule["name"], rule.get("column"), "not published", 0, kind="skipped")
    con = duckdb_limits.connect()
    try:
        return evaluate_rule(con, f"read_parquet({literal(snapshot)})", rule, resolve)
    finally:
        con.close()


def evaluate(
    con: duckdb.DuckDBPyConnection, table: str, version: ProductVersion, resolve: Resolve
) -> list[RuleResult]:
    """Every cross-product rule of ``version`` over ``table`` (a typed DuckDB table expression)."""
    return [evaluate_rule(con, table, rule, resolve) for rule in cross_product_rules(version)]
