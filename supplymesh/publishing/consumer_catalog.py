"""The consumer catalog: a DuckDB file of views over the current product snapshots.

A DuckDB file is locked by its writer, so consumers cannot share the file a pipeline writes.
Instead the catalog holds only views onto immutable Parquet snapshots and is rebuilt in a new
file that atomically replaces the old one. Readers that opened the old file keep reading it (the
snapshots it names are retained), new readers see the new one, and nobody ever waits on a lock.
"""

from __future__ import annotations

import os
import tempfile

import duckdb

from supplymesh.publishing.manifest import Manifest, current_snapshot
from supplymesh.registry import Product, all_products
from supplymesh.settings import MeshPaths
from supplymesh.validation.rules import literal, quote

META_SCHEMA = "mesh_meta"


def _view_sql(path: str) -> str:
    return f"SELECT * FROM read_parquet({literal(path)})"


def _products_rows(products: tuple[Product, ...], manifest: Manifest) -> list[tuple]:
    rows = []
    for product in products:
        for v in product.versions:
            snap = current_snapshot(manifest, product.key, v.major)
            rows.append(
                (
                    product.key,
                    product.domain,
                    product.name,
                    v.major,
                    v.version,
                    v.status,
                    str(v.deprecated_on) if v.deprecated_on else None,
                    product.owner_team,
                    product.access,
                    product.freshness_sla_hours,
                    f"{product.domain}.{v.table}",
                    snap["snapshot_id"] if snap else None,
                    snap["published_at"] if snap else None,
                    snap["rows"] if snap else None,
                    product.description,
                )
            )
    return rows


def rebuild_catalog(paths: MeshPaths, manifest: Manifest) -> None:
    """Write a fresh ``mesh.duckdb`` from the manifest and swap it in atomically."""
    products = all_products()
    paths.home.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=paths.home, prefix=".mesh-", suffix=".duckdb")
    os.close(fd)
    os.unlink(tmp)  # DuckDB must create the file itself
    con = duckdb.connect(tmp)
    try:
        for product in products:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote(product.domain)}")
            published = []
            for v in product.versions:
                snap = current_snapshot(manifest, product.key, v.major)
                if not snap:
                    continue
                view = f"{quote(product.domain)}.{quote(v.table)}"
                con.execute(f"CREATE VIEW {view} AS {_view_sql(snap['path'])}")
                note = f"{product.description} Version {v.version} ({v.status})."
                if v.deprecated_on:
                    note += f" Deprecated since {v.deprecated_on}; sunset {v.sunset_on}."
                con.execute(f"COMMENT ON VIEW {view} IS {literal(note)}")
                published.append(v)
            latest = product.latest
            if latest in published:
                con.execute(
                    f"CREATE VIEW {quote(product.domain)}.{quote(product.name)} AS "
                    f"SELECT * FROM {quote(product.domain)}.{quote(latest.table)}"
                )
        con.execute(f"CREATE SCHEMA {META_SCHEMA}")
        con.execute(
            f"CREATE TABLE {META_SCHEMA}.products (product VARCHAR, domain VARCHAR, name VARCHAR, "
            "major INTEGER, version VARCHAR, status VARCHAR, deprecated_on VARCHAR, owner VARCHAR, "
            "access VARCHAR, freshness_sla_hours DOUBLE, view_name VARCHAR, snapshot_id VARCHAR, "
            "published_at VARCHAR, row_count BIGINT, description VARCHAR)"
        )
        rows = _products_rows(products, manifest)
        if rows:
            con.executemany(
                f"INSERT INTO {META_SCHEMA}.products VALUES ({', '.join('?' * 15)})", rows
            )
        con.execute(
            f"CREATE TABLE {META_SCHEMA}.columns (product VARCHAR, major INTEGER, column_name VARCHAR, "
            "data_type VARCHAR, classification VARCHAR, nullable BOOLEAN, description VARCHAR)"
        )
        col_rows = [
            (p.key, v.major, c.name, c.type, c.classification, c.nullable, c.description)
            for p in products
            for v in p.versions
            for c in v.columns
        ]
        con.executemany(f"INSERT INTO {META_SCHEMA}.columns VALUES (?, ?, ?, ?, ?, ?, ?)", col_rows)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    os.replace(tmp, paths.catalog_db)
