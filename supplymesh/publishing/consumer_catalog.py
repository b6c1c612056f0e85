"""The consumer catalogs: one DuckDB file per role, of views over the current product snapshots.

A DuckDB file is locked by its writer, so consumers cannot share the file a pipeline writes.
Instead each catalog holds only views onto immutable Parquet snapshots and is rebuilt in a new
file that atomically replaces the old one. Readers that opened the old file keep reading it (the
snapshots it names are retained), new readers see the new one, and nobody ever waits on a lock.

Each role (``supplymesh.governance.access``) gets its own file with only the products it may
read (its clearance, plus what stewards granted it: ``governance/access_requests.py``) and only
the columns it may see; wherever it may not see raw PII its views read the
snapshot's pseudonymised copy, so neither the data nor the view definitions in that file lead to
a raw value. ``MESH_HOME/mesh.duckdb`` is the default (analyst) role's catalog.

Each catalog also keeps the past: schema ``history`` holds one view per product version over the
snapshots still on record (``publishing.history``), each row with the ``_snapshot_id`` it comes
from and the time it was served (``_valid_from``, up to ``_valid_to``, NULL for the one served
now), under the same columns and masking as the current view; ``mesh_meta.snapshots`` lists them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb

from supplymesh import duckdb_limits
from supplymesh.files import durable_replace, temp_name
from supplymesh.governance.access import RAW_PII_MODE, Role, catalog_path
from supplymesh.governance.access_requests import roles_with_grants
from supplymesh.governance.pseudonym import (
    pii_columns,
    pseudonym_key,
    pseudonymised_path,
    write_pseudonymised_copy,
)
from supplymesh.publishing.manifest import Manifest, current_snapshot, snapshot_history
from supplymesh.registry import Product, ProductVersion, all_products
from supplymesh.settings import MeshPaths
from supplymesh.validation.rules import literal, quote

META_SCHEMA = "mesh_meta"
HISTORY_SCHEMA = "history"
# the schemas every catalog keeps for itself: no product domain may take one of these names
RESERVED_SCHEMAS = frozenset({META_SCHEMA, HISTORY_SCHEMA})
_SNAPSHOT_COLUMNS = (
    "product VARCHAR, major INTEGER, version VARCHAR, snapshot_id VARCHAR, "
    "valid_from TIMESTAMPTZ, valid_to TIMESTAMPTZ, row_count BIGINT, run_id VARCHAR, "
    "data_path VARCHAR"
)
# bumped when the catalog's tables or views change shape: older catalogs are then rebuilt whole
CATALOG_FORMAT = 2
_PRODUCT_COLUMNS = (
    "product VARCHAR, domain VARCHAR, name VARCHAR, major INTEGER, version VARCHAR, "
    "status VARCHAR, deprecated_on VARCHAR, owner VARCHAR, access VARCHAR, "
    "freshness_sla_hours DOUBLE, view_name VARCHAR, snapshot_id VARCHAR, published_at VARCHAR, "
    "row_count BIGINT, description VARCHAR, data_path VARCHAR"
)


def served_file(snapshot: dict, version: ProductVersion, role: Role) -> Path:
    """The Parquet file a role's view of a snapshot reads: never the raw one if it holds PII
    the role may not see."""
    raw = Path(snapshot["path"])
    if role.sees_raw_pii or not pii_columns(version):
        return raw
    return pseudonymised_path(raw)


def _select_list(version: ProductVersion, role: Role) -> str:
    return ", ".join(quote(c.name) for c in version.columns if role.treatment(c) != "hidden")


def _product_row(product: Product, v: ProductVersion, snap: dict | None, path: Path | None):
    return (
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
        str(path) if path else None,
    )


def _history_rows(product: Product, v: ProductVersion, role: Role, history: list[dict]) -> list:
    """``mesh_meta.snapshots`` rows of a version's snapshots on record whose file is there (a
    snapshot older than pseudonymisation has no masked copy for a masked role)."""
    rows = []
    for i, snap in enumerate(history):
        path = served_file(snap, v, role)
        valid_to = history[i + 1]["published_at"] if i + 1 < len(history) else None
        if path.exists():
            rows.append(
                (
                    product.key,
                    v.major,
                    snap["version"],
                    snap["snapshot_id"],
                    snap["published_at"],
                    valid_to,
                    snap["rows"],
                    snap.get("run_id"),
                    str(path),
                )
            )
    return rows


def _history_view(
    con: duckdb.DuckDBPyConnection, v: ProductVersion, role: Role, rows: list
) -> None:
    """``history.<table>``: the version's snapshots on record, one file each, tagged with the
    snapshot and when it was served. Snapshots of one contract version share their columns; a
    minor version may add one, so mixed versions are read by name (the missing ones NULL)."""
    files = ", ".join(literal(r[8]) for r in rows)
    tags = ", ".join(
        f"({literal(r[8])}, {literal(r[3])}, {literal(r[4])}::TIMESTAMPTZ, "
        f"{'NULL' if r[5] is None else literal(r[5])}::TIMESTAMPTZ)"
        for r in rows
    )
    by_name = ", union_by_name = true" if len({r[2] for r in rows}) > 1 else ""
    columns = ", ".join(f"d.{quote(c.name)}" for c in v.columns if role.treatment(c) != "hidden")
    con.execute(
        f"CREATE VIEW {HISTORY_SCHEMA}.{quote(v.table)} AS SELECT {columns}, h._snapshot_id, "
        f"h._valid_from, h._valid_to FROM read_parquet([{files}], filename = true{by_name}) d "
        f"JOIN (VALUES {tags}) h(_file, _snapshot_id, _valid_from, _valid_to) "
        "ON d.filename = h._file"
    )


def _history_views(
    con: duckdb.DuckDBPyConnection, role: Role, manifest: Manifest, product: Product
) -> list:
    """``history`` views of ``product``'s versions with snapshots on record; their
    ``mesh_meta.snapshots`` rows."""
    all_rows = []
    for v in product.versions:
        rows = _history_rows(product, v, role, snapshot_history(manifest, product.key, v.major))
        if rows:
            _history_view(con, v, role, rows)
            all_rows += rows
    return all_rows


def _current_views(
    con: duckdb.DuckDBPyConnection, role: Role, manifest: Manifest, product: Product
) -> tuple[list, list]:
    """The views of ``product``'s served snapshots (and of its latest version under the
    product's name); its ``mesh_meta.products`` and ``mesh_meta.columns`` rows."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote(product.domain)}")
    product_rows, column_rows, published = [], [], []
    for v in product.versions:
        snap = current_snapshot(manifest, product.key, v.major)
        path = served_file(snap, v, role) if snap else None
        product_rows.append(_product_row(product, v, snap, path))
        column_rows += [
            (product.key, v.major, *c.values()) for c in role.visible_columns(v.columns)
        ]
        if path is None:
            continue
        view = f"{quote(product.domain)}.{quote(v.table)}"
        con.execute(
            f"CREATE VIEW {view} AS SELECT {_select_list(v, role)} "
            f"FROM read_parquet({literal(str(path))})"
        )
        note = f"{product.description} Version {v.version} ({v.status})."
        if v.deprecated_on:
            note += f" Deprecated since {v.deprecated_on}; sunset {v.sunset_on}."
        con.execute(f"COMMENT ON VIEW {view} IS {literal(note)}")
        published.append(v)
    if product.latest in published:
        con.execute(
            f"CREATE VIEW {quote(product.domain)}.{quote(product.name)} AS "
            f"SELECT * FROM {quote(product.domain)}.{quote(product.latest.table)}"
        )
    return product_rows, column_rows


def _add_product(
    con: duckdb.DuckDBPyConnection, role: Role, manifest: Manifest, product: Product
) -> None:
    product_rows, column_rows = _current_views(con, role, manifest, product)
    for table, rows in (
        ("products", product_rows),
        ("columns", column_rows),
        ("snapshots", _history_views(con, role, manifest, product)),
    ):
        if rows:
            marks = ", ".join("?" * len(rows[0]))
            con.executemany(f"INSERT INTO {META_SCHEMA}.{table} VALUES ({marks})", rows)


def _drop_product(con: duckdb.DuckDBPyConnection, product: Product) -> None:
    """Remove every object ``_add_product`` made for ``product``."""
    domain = quote(product.domain)
    for v in product.versions:
        con.execute(f"DROP VIEW IF EXISTS {domain}.{quote(v.table)}")
        con.execute(f"DROP VIEW IF EXISTS {HISTORY_SCHEMA}.{quote(v.table)}")
    con.execute(f"DROP VIEW IF EXISTS {domain}.{quote(product.name)}")
    for table in ("products", "columns", "snapshots"):
        con.execute(f"DELETE FROM {META_SCHEMA}.{table} WHERE product = ?", [product.key])


def catalog_layout(role: Role) -> str:
    """What a role's catalog is made of besides the snapshots: the products it may read, their
    versions and the columns it sees. A catalog is updated one product at a time only while
    this is what it was built from (a changed contract or grant rebuilds it whole)."""
    readable = [
        (
            p.key,
            p.description,
            p.owner_team,
            p.access,
            p.freshness_sla_hours,
            v.version,
            v.status,
            str(v.deprecated_on),
            str(v.sunset_on),
            role.visible_columns(v.columns),
        )
        for p in all_products()
        if role.may_read(p)
        for v in p.versions
    ]
    text = repr((CATALOG_FORMAT, role.name, role.clearance, role.description, readable))
    return hashlib.sha256(text.encode()).hexdigest()


def build_views(con: duckdb.DuckDBPyConnection, role: Role, manifest: Manifest) -> None:
    """Create ``role``'s catalog in ``con``: the views over the snapshots ``manifest`` serves,
    the ``history`` views over those on record, and ``mesh_meta`` (in one transaction of the
    caller's)."""
    con.execute(f"CREATE SCHEMA {META_SCHEMA}")
    con.execute(f"CREATE SCHEMA {HISTORY_SCHEMA}")
    con.execute(f"CREATE TABLE {META_SCHEMA}.products ({_PRODUCT_COLUMNS})")
    con.execute(
        f"CREATE TABLE {META_SCHEMA}.columns (product VARCHAR, major INTEGER, "
        "column_name VARCHAR, data_type VARCHAR, classification VARCHAR, masking VARCHAR, "
        "nullable BOOLEAN, description VARCHAR)"
    )
    con.execute(f"CREATE TABLE {META_SCHEMA}.snapshots ({_SNAPSHOT_COLUMNS})")
    for product in all_products():
        if role.may_read(product):
            _add_product(con, role, manifest, product)
    con.execute(
        f"CREATE TABLE {META_SCHEMA}.catalog AS SELECT ? AS role, ? AS clearance, "
        "? AS description, ?::TIMESTAMPTZ AS built_at, ? AS layout",
        [
            role.name,
            role.clearance,
            role.description,
            dt.datetime.now(dt.UTC),
            catalog_layout(role),
        ],
    )


def served_snapshots(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, int], str | None]:
    """The snapshot the catalog open in ``con`` serves for each (product, major)."""
    rows = con.execute(f"SELECT product, major, snapshot_id FROM {META_SCHEMA}.products")
    return {(product, major): snapshot_id for product, major, snapshot_id in rows.fetchall()}


def serves_other_snapshots(
    served: dict[tuple[str, int], str | None],
    role: Role,
    manifest: Manifest,
    ignoring: str | None = None,
) -> bool:
    """Whether a catalog serving ``served`` is behind ``manifest`` for a product ``role`` reads
    (``ignoring`` one): a run killed between a manifest write and its catalog's swap leaves it
    so. Such a catalog is rebuilt whole, never updated one product at a time."""
    return any(
        served.get((p.key, v.major)) != (snap["snapshot_id"] if snap else None)
        for p in all_products()
        if role.may_read(p) and p.key != ignoring
        for v in p.versions
        for snap in [current_snapshot(manifest, p.key, v.major)]
    )


def _update_product(
    con: duckdb.DuckDBPyConnection, role: Role, manifest: Manifest, product: Product
) -> bool:
    """Replace ``product``'s objects in the catalog open in ``con``, if it was built from the
    layout ``role`` has now and serves the manifest's snapshots of every other product (else
    False: the caller builds it whole)."""
    built = con.execute(f"SELECT layout FROM {META_SCHEMA}.catalog").fetchone()
    if (
        built is None
        or built[0] != catalog_layout(role)
        or serves_other_snapshots(served_snapshots(con), role, manifest, ignoring=product.key)
    ):
        return False
    _drop_product(con, product)
    _add_product(con, role, manifest, product)
    con.execute(f"UPDATE {META_SCHEMA}.catalog SET built_at = ?", [dt.datetime.now(dt.UTC)])
    return True


def ensure_pseudonymised_copies(paths: MeshPaths, manifest: Manifest) -> None:
    """Snapshots published before pseudonymisation existed get their copy before any view."""
    missing = [
        (Path(snap["path"]), v)
        for product in all_products()
        for v in product.versions
        if (snap := current_snapshot(manifest, product.key, v.major))
        and pii_columns(v)
        and not pseudonymised_path(Path(snap["path"])).exists()
    ]
    if not missing:  # the usual case, checked without opening DuckDB
        return
    key = pseudonym_key(paths)
    con = duckdb_limits.connect()
    try:
        for path, v in missing:
            write_pseudonymised_copy(con, path, v, key)
    finally:
        con.close()


def _in_transaction(path: Path, work: Callable[[duckdb.DuckDBPyConnection], bool | None]) -> bool:
    """Run ``work`` on the DuckDB file ``path`` in one transaction: rolled back if it returns
    False, else committed and checkpointed. One transaction: a commit per view wrote the log
    once per statement (twice slower)."""
    con = duckdb.connect(str(path))
    try:
        con.execute("BEGIN TRANSACTION")
        if work(con) is False:
            con.execute("ROLLBACK")
            return False
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
        return True
    finally:
        con.close()


def _write_atomically(
    target: Path, role: Role, manifest: Manifest, changed: Product | None = None
) -> None:
    """Write ``role``'s catalog to ``target`` through a new file swapped in at once: with
    ``changed``, a copy of the current file with only that product's objects replaced (about
    4x faster than building the whole catalog, which happens after every publish) when the
    catalog's layout still holds; else the whole catalog."""
    target.parent.mkdir(parents=True, exist_ok=True)
    # named after this process (with DuckDB's .wal beside it while open): the next run removes
    # what a killed process left
    tmp = target.with_name(temp_name(target.name))
    try:
        updated = False
        if changed is not None and target.exists():
            shutil.copyfile(target, tmp)
            try:
                updated = _in_transaction(
                    tmp, lambda con: _update_product(con, role, manifest, changed)
                )
            except duckdb.Error:  # a catalog of an older format, or unreadable: built anew
                updated = False
        if not updated:
            tmp.unlink(missing_ok=True)
            _in_transaction(tmp, lambda con: build_views(con, role, manifest))
        if role.sees_raw_pii:
            os.chmod(tmp, RAW_PII_MODE)  # the raw catalog
        durable_replace(tmp, target)
    except BaseException:  # a full disk, say: the old catalog stays, no half-built file
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)
        raise


def rebuild_catalog(paths: MeshPaths, manifest: Manifest, changed: Product | None = None) -> None:
    """Write the role catalogs from the manifest and swap each in atomically.

    With ``changed`` (the product just published), a role that may not read it keeps its file,
    which would come out the same.
    """
    ensure_pseudonymised_copies(paths, manifest)
    for role in roles_with_grants(paths).values():
        target = catalog_path(paths, role)
        if changed is None or role.may_read(changed) or not target.exists():
            _write_atomically(target, role, manifest, changed)
