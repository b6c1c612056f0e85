"""The consumer path: read-only DuckDB over a role's catalog of published products.

Any DuckDB client can do the same: ``duckdb.connect("$MESH_HOME/mesh.duckdb", read_only=True)``
opens the default (analyst) role's catalog. Connections made here also close DuckDB's file access
for every role (the files its views read aside), so a query cannot read a snapshot file, attach
another catalog or write a file behind the views' back; and ``execute`` runs only SELECTs, since
DuckDB's ``allowed_paths`` lets a ``COPY ... TO`` overwrite the very files a view reads. What this
does not protect against (a DuckDB client of one's own, with file access): README, "What the
roles protect, and what they do not".
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import duckdb

from supplymesh.governance.access import DEFAULT_ROLE, Role, catalog_path, get_role
from supplymesh.governance.access_requests import role_with_grants
from supplymesh.publishing.consumer_catalog import META_SCHEMA, build_views
from supplymesh.publishing.history.as_of import AsOf, as_of
from supplymesh.publishing.history.leases import take_lease
from supplymesh.publishing.manifest import Manifest
from supplymesh.registry import all_products
from supplymesh.settings import MeshPaths
from supplymesh.validation.rules import literal

if TYPE_CHECKING:  # DuckDB imports pandas itself when a result becomes a frame
    import pandas as pd


def connect(
    paths: MeshPaths, role: str = DEFAULT_ROLE, as_of: str | None = None
) -> duckdb.DuckDBPyConnection:
    """A read-only connection to ``role``'s catalog; it takes no lock, so a running pipeline
    never makes it wait.

    ``as_of`` (a timestamp or a snapshot id): every product as it was served then, built in
    memory by the catalog's own code (``consumer_catalog.build_views``) for the role with what
    stewards granted it, so roles, grants and masking are exactly those of today's catalog.
    Either way the connection leases every snapshot its views read
    (``publishing.history.leases``) until it is garbage collected or the process ends, so
    retention never deletes a file under it. A catalog a publish has not rebuilt yet still
    lists snapshots the manifest has retired: they are leasable while their files are there,
    so it reads at once; only when pruning deleted one between reading the catalog and writing
    the lease does it read the (rebuilt) catalog again."""
    if as_of is not None:
        spec = role_with_grants(paths, role)
        view, lease = take_lease(paths, lambda m: _as_of_ids(m, as_of), f"as of {as_of}")
        try:
            con = _catalog_as_of(spec, view)
        except BaseException:
            lease.release()
            raise
    else:
        con, lease = take_lease(paths, lambda _: _attach(paths, role), f"{role} catalog")
    lease.bind_to(con)
    # every role: the files its views read, and nothing else (no other file, no extension)
    con.execute("SET allowed_paths = ?", [_served_files(con)])
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


def _catalog_as_of(spec: Role, view: AsOf) -> duckdb.DuckDBPyConnection:
    """An in-memory catalog named ``mesh`` of the role's views as served at ``view.at``, with
    ``mesh_meta.as_of`` saying when that is and which versions are not retained that far."""
    con = duckdb.connect()
    con.execute("ATTACH ':memory:' AS mesh")
    con.execute("USE mesh")
    con.execute("BEGIN TRANSACTION")
    build_views(con, spec, view.manifest)
    con.execute(
        f"CREATE TABLE {META_SCHEMA}.as_of AS SELECT ? AS asked, ?::TIMESTAMPTZ AS served_at, "
        "?::VARCHAR[] AS not_retained",
        [view.asked, view.at, list(view.missing)],
    )
    con.execute("COMMIT")
    return con


def _as_of_ids(manifest: Manifest, asked: str) -> tuple[AsOf, dict[str, str]]:
    view = as_of(manifest, asked)
    return view, view.snapshot_ids


def _attach(paths: MeshPaths, role: str) -> tuple[duckdb.DuckDBPyConnection, dict[str, str]]:
    """A connection with ``role``'s catalog attached read-only, and the snapshots it reads
    (each with its product version)."""
    catalog = catalog_path(paths, get_role(role))
    if not catalog.exists():
        raise FileNotFoundError(
            f"no published products yet at {catalog}: run `make demo` or `mesh materialize`"
        )
    # ATTACH rather than connect(path): DuckDB caches database instances by path within a
    # process, which would keep serving a replaced catalog file to every later connection.
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH {literal(str(catalog))} AS mesh (READ_ONLY)")
    except duckdb.IOException as exc:
        raise PermissionError(f"role {role} cannot open its catalog {catalog}: {exc}") from exc
    con.execute("USE mesh")
    ids = con.execute(
        f"SELECT snapshot_id, product || ' v' || major FROM {META_SCHEMA}.products "
        "WHERE snapshot_id IS NOT NULL"
        + _with_history(con, "snapshot_id, product || ' v' || major")
    ).fetchall()
    return con, dict(ids)


def _with_history(con: duckdb.DuckDBPyConnection, column: str) -> str:
    """The rest of a query over ``mesh_meta.products`` adding ``column`` of the snapshots on
    record; nothing for a catalog built before the history existed (rebuilt by the next publish)."""
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'mesh' "
        f"AND schema_name = '{META_SCHEMA}' AND table_name = 'snapshots'"
    ).fetchone()[0]
    return f" UNION SELECT {column} FROM {META_SCHEMA}.snapshots" if found else ""


def _served_files(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every file the catalog's views read: the current snapshots and those on record."""
    rows = con.execute(
        f"SELECT data_path FROM {META_SCHEMA}.products WHERE data_path IS NOT NULL"
        + _with_history(con, "data_path")
    ).fetchall()
    return sorted(r[0] for r in rows)


def run_query(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    """Run one statement, its rows as a frame; a write, a file access or a product the role may
    not read fails with an explicit PermissionError."""
    return execute(con, sql).df()


_WRITES = {
    duckdb.StatementType.INSERT,
    duckdb.StatementType.UPDATE,
    duckdb.StatementType.DELETE,
    duckdb.StatementType.MERGE_INTO,
    duckdb.StatementType.CREATE,
    duckdb.StatementType.CREATE_FUNC,
    duckdb.StatementType.ALTER,
    duckdb.StatementType.DROP,
}


def check_read_only(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Refuse every statement but a SELECT (or an EXPLAIN of one), naming what was refused.

    DuckDB's file settings are the second wall, not the first: ``allowed_paths`` admits writes
    to the listed files too, so ``COPY (...) TO '<a served snapshot>' (USE_TMP_FILE false)`` would
    replace a published snapshot if it reached DuckDB.
    """
    for statement in con.extract_statements(sql):
        kind = statement.type
        if kind == duckdb.StatementType.SELECT:
            continue
        if kind == duckdb.StatementType.EXPLAIN:
            explained = re.sub(r"(?is)^\s*explain\s+(analyze\s+)?", "", statement.query)
            if explained != statement.query:
                check_read_only(con, explained)
                continue
        if kind in _WRITES:
            raise PermissionError(
                "the consumer catalog is read-only: products change only by publishing "
                f"through the mesh (refused a {kind.name} statement)"
            )
        raise PermissionError(
            "this role may read only the products of its catalog, not files or other "
            f"databases: a query runs SELECT statements (refused a {kind.name} statement)"
        )


def execute(con: duckdb.DuckDBPyConnection, sql: str) -> duckdb.DuckDBPyConnection:
    """Run one read-only statement (``check_read_only``) and return DuckDB's result to fetch
    rows from (no pandas: what ``mesh query`` prints); fails like ``run_query``."""
    check_read_only(con, sql)
    try:
        return con.execute(sql)
    except duckdb.InvalidInputException as exc:
        if "read-only" in str(exc):
            raise PermissionError(
                "the consumer catalog is read-only: products change only by publishing "
                f"through the mesh ({exc})"
            ) from exc
        raise
    except duckdb.PermissionException as exc:
        raise PermissionError(
            "this role may read only the products of its catalog, not files or other "
            f"databases ({exc})"
        ) from exc
    except duckdb.CatalogException as exc:
        hidden = _hidden_products(con, sql)
        if hidden:
            raise PermissionError(hidden) from exc
        raise


def _hidden_products(con: duckdb.DuckDBPyConnection, sql: str) -> str | None:
    """Why a statement that names products its role may not read failed, and what the role
    reads instead; None when it names none (a typo, a missing column: DuckDB's error says it)."""
    role = get_role(con.execute(f"SELECT role FROM {META_SCHEMA}.catalog").fetchone()[0])
    listed = {r[0] for r in con.execute(f"SELECT product FROM {META_SCHEMA}.products").fetchall()}
    named = [
        p
        for p in all_products()
        if not role.may_read(p)
        and p.key not in listed  # granted to the role: its catalog lists it
        and re.search(
            rf'(?<![\w.])"?{p.domain}"?\s*\.\s*"?{p.name}(_v\d+)?"?(?!\w)', sql, re.IGNORECASE
        )
    ]
    if not named:
        return None
    views = con.execute(
        f"SELECT DISTINCT product FROM {META_SCHEMA}.products "
        "WHERE snapshot_id IS NOT NULL ORDER BY product"
    ).fetchall()
    sees = ", ".join(r[0] for r in views) or "no published product yet"
    names = ", ".join(f"{p.key} (access {p.access})" for p in named)
    return (
        f"role {role.name} cannot see {names}; its clearance is {role.clearance}. "
        f"It sees: {sees} (and {META_SCHEMA}.products, {META_SCHEMA}.columns; "
        f"`mesh products --role {role.name}` lists them; `mesh access request PRODUCT --role "
        f"{role.name} --reason WHY` asks a steward for more)"
    )
