"""What must hold in a ``MESH_HOME`` whatever moment a run was killed at (chaos test helpers).

Every published product version is read twice, by plain DuckDB on its snapshot file and through
every role's catalog; its rows are fingerprinted (count and an order-free hash of the rows) so a
later check can tell the previous publish from a new one, and a mix of the two from either.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from supplymesh.consumer import connect
from supplymesh.files import pid_alive, temp_writer
from supplymesh.governance.access import ROLES, catalog_path
from supplymesh.publishing.landing import latest_batch, new_batch_id
from supplymesh.publishing.manifest import current_snapshot, read_manifest
from supplymesh.registry import ProductVersion, all_products
from supplymesh.settings import MeshPaths
from supplymesh.validation.rules import literal, quote


@dataclass(frozen=True)
class Served:
    """One product version as served: its snapshot, and its rows' fingerprint."""

    snapshot_id: str
    run_id: str
    rows: int
    fingerprint: int


def unique_keys(version: ProductVersion) -> list[list[str]]:
    schema = version.schema
    keys = [[name] for name, col in schema.columns.items() if col.unique]
    return keys + ([list(schema.unique)] if schema.unique else [])


def fingerprint(con: duckdb.DuckDBPyConnection, table: str) -> tuple[int, int]:
    """Row count and the sum of the rows' hashes: equal for equal row multisets, whatever the
    order; a mix of two publishes matches neither."""
    n, total = con.execute(f"SELECT count(*), coalesce(sum(hash(t)), 0) FROM {table} t").fetchone()
    return int(n), int(total)


def check_version(paths: MeshPaths, version: ProductVersion, snap: dict) -> Served:
    """Read one served version by plain DuckDB: whole, as counted, with no duplicate key."""
    table = f"read_parquet({literal(snap['path'])})"
    with duckdb.connect() as con:
        rows, total = fingerprint(con, table)
        for key in unique_keys(version):
            cols = ", ".join(quote(c) for c in key)
            dupes = con.execute(
                f"SELECT count(*) FROM (SELECT {cols} FROM {table} GROUP BY ALL HAVING count(*) > 1)"
            ).fetchone()[0]
            assert dupes == 0, f"{version.product} v{version.major}: duplicate {key}"
    assert rows == snap["rows"], f"{version.product} v{version.major}: {rows} != manifest"
    return Served(snap["snapshot_id"], snap["run_id"], rows, total)


def served_state(paths: MeshPaths) -> dict[str, Served]:
    """``<product> v<major>`` -> what the manifest serves, each read and checked."""
    manifest = read_manifest(paths)
    state = {}
    for product in all_products():
        for version in product.versions:
            snap = current_snapshot(manifest, product.key, version.major)
            if snap:
                state[f"{product.key} v{version.major}"] = check_version(paths, version, snap)
    return state


def catalog_ids(paths: MeshPaths) -> dict[str, dict[str, str]]:
    """Role -> ``<product> v<major>`` -> snapshot id its catalog serves; every view is read."""
    out = {}
    for role in ROLES.values():
        con = connect(paths, role=role.name) if catalog_path(paths, role).exists() else None
        assert con is not None, f"role {role.name}: no catalog"
        with con:
            rows = con.execute(
                "SELECT product, major, view_name, snapshot_id, row_count FROM mesh_meta.products "
                "WHERE snapshot_id IS NOT NULL"
            ).fetchall()
            for _product, _major, view, _snap, count in rows:
                n = con.execute(f"SELECT count(*) FROM {view}").fetchone()[0]
                assert n == count, (
                    f"role {role.name}: {view} has {n} rows, its catalog says {count}"
                )
        out[role.name] = {f"{p} v{m}": snap for p, m, _, snap, _ in rows}
    return out


@dataclass
class MeshState:
    """What the manifest serves, and what each role's catalog serves (they may lag behind the
    manifest by the publish a kill interrupted, until the next run resyncs them)."""

    served: dict[str, Served]
    catalogs: dict[str, dict[str, str]]


def read_state(paths: MeshPaths) -> MeshState:
    state = MeshState(served_state(paths), catalog_ids(paths))
    for role, ids in state.catalogs.items():
        for key, snap in ids.items():
            assert snap == state.served[key].snapshot_id, f"role {role}: {key} is behind"
    return state


def check_invariants(
    paths: MeshPaths, before: MeshState, run_ids: set[str]
) -> tuple[MeshState, dict[str, str]]:
    """After a kill: every version is the previous publish (same snapshot, same rows) or a whole
    new one of ``run_ids``; every catalog opens and serves, for each version, what it served
    before or what the manifest serves now. Returns the new state and, per version,
    "previous" or "new"."""
    served = served_state(paths)
    outcome = {}
    for key, now in served.items():
        old = before.served.get(key)
        if old is not None and now.snapshot_id == old.snapshot_id:
            assert now == old, f"{key}: snapshot {old.snapshot_id} changed under consumers"
            outcome[key] = "previous"
        else:
            assert now.run_id in run_ids, f"{key}: published by unknown run {now.run_id}"
            outcome[key] = "new"
    assert set(before.served) <= set(served), "a product stopped being served"
    catalogs = catalog_ids(paths)
    for role, ids in catalogs.items():
        for key, snap in ids.items():
            allowed = {served[key].snapshot_id, before.catalogs.get(role, {}).get(key)}
            assert snap in allowed, f"role {role}: {key} serves {snap}, neither previous nor new"
    return MeshState(served, catalogs), outcome


def dead_leftovers(paths: MeshPaths) -> list[Path]:
    """Temporary files of writers that are gone (what the next run must clean)."""
    return [
        p
        for p in paths.home.rglob(".*")
        if "landing" not in p.parts
        and (pid := temp_writer(p.name.removesuffix(".wal"))) is not None
        and not pid_alive(pid)
    ]


def land_changed_orders(paths: MeshPaths, trial: int) -> tuple[int, int]:
    """A new orders batch: the latest with a few quantities raised, so the next publish differs
    (a little: no drift to retrain on). Returns its row count and quantity total."""
    source = latest_batch(paths.landing_dir("sales"), "orders")
    frame = pd.read_parquet(source)
    frame.loc[frame.index[trial % 97 :: 97], "quantity"] += 1
    target = paths.landing_dir("sales") / f"orders__{new_batch_id()}"
    while target.exists():  # batch ids have a resolution of one second
        time.sleep(0.2)
        target = paths.landing_dir("sales") / f"orders__{new_batch_id()}"
    target.mkdir()
    frame.to_parquet(target / "part-00000.parquet", index=False)
    return len(frame), int(frame["quantity"].sum())
