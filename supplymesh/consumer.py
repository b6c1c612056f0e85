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

from supplymesh.governance.access import DEFAULT_ROLE, catalog_path, get_role
from supplymesh.publishing.consumer_catalog import META_SCHEMA
from supplymesh.registry import all_products
from supplymesh.settings import MeshPaths
from supplymesh.validation.rules import literal

if TYPE_CHECKING:  # DuckDB imports pandas itself when a result becomes a frame
    import pandas as pd


def connect(paths: MeshPaths, role: str = DEFAULT_ROLE) -> duckdb.DuckDBPyConnection:
    """A read-only connection to ``role``'s catalog; never blocks on a running pipeline."""
    spec = get_role(role)
    catalog = catalog_path(paths, spec)
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
    served = [
        r[0]
        for r in con.execute(
            f"SELECT data_path FROM {META_SCHEMA}.products WHERE data_path IS NOT NULL"
        ).fetchall()
    ]
    # every role: the files its views read, and nothing else (no other file, no extension)
    con.execute("SET allowed_paths = ?", [served])
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


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
    named = [
        p
        for p in all_products()
        if not role.may_read(p)
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
