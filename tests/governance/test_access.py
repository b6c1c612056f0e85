"""The default (analyst) role never reads a raw PII value, through any documented path; the
steward does; the public role sees only public products; every consumer path is read-only."""

import json
import stat
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from supplymesh.cli import main
from supplymesh.consumer import connect, run_query
from supplymesh.governance.access import RAW_PII_MODE
from supplymesh.governance.layout import pseudonym_key_path
from supplymesh.governance.pseudonym import pseudonym_key, pseudonymise
from supplymesh.publishing.landing import latest_batch
from supplymesh.publishing.manifest import current_snapshot, read_manifest
from supplymesh.settings import PROJECT_ROOT


@pytest.fixture(autouse=True)
def cli_reads_the_published_mesh(mesh_home):
    """Every `mesh` command of these tests reads the published mesh."""


@pytest.fixture(scope="module")
def raw_pii(published) -> set[str]:
    """Every PII value the world holds: customer ids and e-mails, site managers' e-mails."""
    orders = pd.read_parquet(latest_batch(published.landing_dir("sales"), "orders"))
    sites = pd.read_csv(latest_batch(published.landing_dir("network"), "locations"))
    values = (
        set(orders["customer_email"]) | set(orders["customer_id"]) | set(sites["manager_email"])
    )
    assert len(values) > 100
    return {str(v) for v in values}


def leaked(frame: pd.DataFrame, raw_pii: set[str]) -> set[str]:
    cells = {str(v) for v in frame.astype(str).to_numpy().ravel()}
    return cells & raw_pii


def relations(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        f'"{schema}"."{name}"'
        for schema, name in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'mesh' "
            "UNION ALL SELECT schema_name, view_name FROM duckdb_views() "
            "WHERE database_name = 'mesh' AND NOT internal"
        ).fetchall()
    ]


def test_the_steward_reads_raw_pii_so_the_other_tests_can_fail(published, raw_pii):
    con = connect(published, "steward")
    frame = run_query(con, "select customer_email, customer_id from sales.orders")
    assert leaked(frame, raw_pii)


def test_every_relation_of_mesh_query_is_free_of_raw_pii(published, raw_pii):
    con = connect(published)  # the default role
    names = relations(con)
    assert '"sales"."orders_v2"' in names and '"mesh_meta"."products"' in names
    for name in names:
        assert not leaked(run_query(con, f"select * from {name}"), raw_pii), name


def test_mesh_query_cli_shows_pseudonyms_consistent_with_the_key(published, raw_pii, capsys):
    assert (
        main(
            [
                "query",
                "select order_id, customer_id, customer_email from sales.orders_v2 "
                "order by order_id limit 50",
                "--format",
                "json",
            ]
        )
        == 0
    )
    rows = json.loads(capsys.readouterr().out)
    assert not {r["customer_email"] for r in rows} & raw_pii
    steward = run_query(
        connect(published, "steward"),
        "select order_id, customer_id from sales.orders_v2 order by order_id limit 50",
    )
    key = pseudonym_key(published)
    assert [r["customer_id"] for r in rows] == [pseudonymise(v, key) for v in steward.customer_id]


def test_pseudonyms_join_across_products_and_versions(published):
    con = connect(published)
    joined = run_query(
        con,
        "select count(*) n, count(*) filter (where v1.customer_email = v2.customer_email) same "
        "from sales.orders_v1 v1 join sales.orders_v2 v2 using (order_id, line_number)",
    )
    assert joined.n[0] > 0 and joined.same[0] == joined.n[0]


def test_the_default_duckdb_file_holds_no_raw_pii_nor_a_path_to_it(published, raw_pii):
    key_hex = pseudonym_key_path(published).read_text().strip()
    manifest = read_manifest(published)
    raw_files = {current_snapshot(manifest, "sales.orders", m)["path"] for m in (1, 2)}
    with duckdb.connect(str(published.catalog_db), read_only=True) as con:
        for schema, name in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() UNION ALL "
            "SELECT schema_name, view_name FROM duckdb_views() WHERE NOT internal"
        ).fetchall():
            frame = con.execute(f'select * from "{schema}"."{name}"').df()
            assert not leaked(frame, raw_pii), f"{schema}.{name}"
        definitions = " ".join(
            r[0] for r in con.execute("SELECT sql FROM duckdb_views()").fetchall()
        )
    assert key_hex not in definitions and not any(path in definitions for path in raw_files)
    content = published.catalog_db.read_bytes()
    assert not any(v.encode() in content for v in raw_pii if "@" in v)


def test_mesh_products_lists_no_value_and_no_raw_file(published, raw_pii, capsys):
    assert main(["products", "--json"]) == 0
    out = capsys.readouterr().out
    assert not any(v in out for v in raw_pii)
    orders = next(e for e in json.loads(out) if e["product"] == "sales.orders")
    masking = {c["name"]: c["masking"] for c in orders["columns"]}
    assert masking["customer_email"] == "pseudonymised" and masking["sku"] == "raw"


def test_mesh_products_publishes_the_file_each_role_reads(published, raw_pii, capsys):
    """Another engine reads a product from ``snapshot_path``: for the analyst the pseudonymised
    copy of a snapshot holding PII, for the steward the snapshot itself; both as many rows as
    the role's view."""
    raw = current_snapshot(read_manifest(published), "sales.orders", 2)["path"]
    paths = {}
    for role in ("analyst", "steward"):
        assert main(["products", "--json", "--role", role]) == 0
        orders = next(
            e for e in json.loads(capsys.readouterr().out) if e["product"] == "sales.orders"
        )
        (v2,) = [v for v in orders["version_details"] if v["major"] == 2]
        paths[role] = v2["snapshot_path"]
        frame = pd.read_parquet(paths[role])
        assert len(frame) == v2["rows"] > 0
        assert bool(leaked(frame, raw_pii)) == (role == "steward")
    assert paths["steward"] == raw != paths["analyst"]


def test_reading_snapshot_files_or_other_catalogs_is_refused(published, capsys):
    raw = current_snapshot(read_manifest(published), "sales.orders", 2)["path"]
    steward = published.catalog_dir / "steward.duckdb"
    for sql in (
        f"select customer_email from read_parquet('{raw}')",
        f"attach '{steward}' as s",
        f"copy (select 1) to '{published.home / 'out.csv'}'",
    ):
        assert main(["query", sql]) == 1
        assert "may read only the products of its catalog" in capsys.readouterr().err


def test_a_write_attempt_fails_with_a_clear_error(published, capsys):
    assert main(["query", "create table sales.orders_copy as select * from sales.orders"]) == 1
    assert "read-only" in capsys.readouterr().err
    with pytest.raises(PermissionError, match="read-only"):
        run_query(connect(published), "delete from mesh_meta.products")


def test_public_role_sees_public_products_only(published, capsys):
    con = connect(published, "public")
    names = relations(con)
    assert '"market"."calendar"' in names
    assert not any(n.startswith(('"sales"', '"network"', '"catalog"')) for n in names)
    assert main(["query", "select * from sales.orders limit 1", "--role", "public"]) == 1
    assert "sales.orders" in capsys.readouterr().err
    assert main(["products", "--role", "public", "--json"]) == 0
    assert [e["product"] for e in json.loads(capsys.readouterr().out)] == ["market.calendar"]


def test_a_product_the_role_may_not_read_is_named_with_what_the_role_sees(published, capsys):
    for sql in ("select * from sales.orders limit 1", 'select * from "market"."promotions_v1"'):
        assert main(["query", sql, "--role", "public"]) == 1
        err = capsys.readouterr().err
        assert "role public cannot see" in err and "clearance is public" in err
        assert "It sees: market.calendar " in err
        assert "Catalog Error" not in err
    assert main(["query", "select * from market.calendr", "--role", "public"]) == 1
    assert "Catalog Error" in capsys.readouterr().err  # a typo keeps DuckDB's own hint


def test_pseudonym_key_is_private_and_outside_the_repository(published):
    path = pseudonym_key_path(published)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert PROJECT_ROOT not in path.parents


def test_raw_pii_files_are_closed_to_other_accounts(published):
    """On disk the boundary is file modes: raw PII for the platform and its group only."""
    from pathlib import Path

    raw = Path(current_snapshot(read_manifest(published), "sales.orders", 2)["path"])
    others = stat.S_IRWXO
    assert not raw.stat().st_mode & others
    assert not (published.catalog_dir / "steward.duckdb").stat().st_mode & others
    assert raw.with_name("data.pseudonymised.parquet").stat().st_mode & stat.S_IROTH
    calendar = Path(current_snapshot(read_manifest(published), "market.calendar", 1)["path"])
    assert calendar.stat().st_mode & stat.S_IROTH  # no PII: readable by every analyst


def test_validation_samples_carry_pseudonyms_not_pii(published, raw_pii):
    """Sample rows travel to Dagster and logs: a rejected order shows no raw e-mail."""
    from supplymesh.publishing.landing import new_batch_id
    from supplymesh.publishing.publish import publish_landing

    source = latest_batch(published.landing_dir("sales"), "orders")
    frame = pd.read_parquet(source)
    frame.loc[3, "quantity"] = -1
    target = published.landing_dir("sales") / f"orders__{new_batch_id()}"
    target.mkdir()
    frame.to_parquet(target / "part-00000.parquet", index=False)
    try:
        results = publish_landing("sales.orders", paths=published)
    finally:
        for part in target.iterdir():
            part.unlink()
        target.rmdir()
    for result in results:
        assert not result.published
        [failure] = result.report.failures
        sample = failure.sample[0]
        assert sample["customer_email"] not in raw_pii
        assert sample["customer_email"] == pseudonymise(
            frame.loc[3, "customer_email"], pseudonym_key(published)
        )
        assert raw_pii.isdisjoint(result.report.summary().split('"'))


ROLE_NAMES = ["public", "analyst", "steward"]


def served_files(published, role: str) -> list[Path]:
    """The Parquet files the role's views read (the only files its connection may open)."""
    con = connect(published, role)
    try:
        rows = con.execute("select data_path from mesh_meta.products where data_path is not null")
        return [Path(r[0]) for r in rows.fetchall()]
    finally:
        con.close()


def attacks(published, served: Path) -> dict[str, str]:
    """Statements that would write, reach a file or database beyond the catalog, or loosen the
    connection, each named."""
    key = pseudonym_key_path(published)
    return {
        "copy to a new file": f"copy (select 1 as a) to '{published.home / 'out.csv'}'",
        "copy over a served snapshot": (
            f"copy (select 1 as a) to '{served}' (format parquet, use_tmp_file false)"
        ),
        "explain analyze of a copy": f"explain analyze copy (select 1) to '{published.home / 'e.csv'}'",
        "a select then a copy": f"select 1; copy (select 1) to '{published.home / 'm.csv'}'",
        "export the database": f"export database '{published.home / 'export'}'",
        "attach another catalog": f"attach '{published.catalog_dir / 'steward.duckdb'}' as s",
        "attach a new file": f"attach '{published.home / 'new.duckdb'}' as n",
        "read the pseudonym key": f"select * from read_csv('{key}', header = false)",
        "read any text file": "select * from read_text('/etc/hostname')",
        "list files": f"select * from glob('{published.home}/**')",
        "install an extension": "install httpfs",
        "load an extension": "load httpfs",
        "reopen file access": "set enable_external_access = true",
        "widen the allowed paths": f"set allowed_paths = ['{published.home}']",
        "create a table": "create table mesh_meta.stolen as select 1",
        "delete catalog rows": "delete from mesh_meta.products",
    }


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_mesh_query_refuses_every_write_and_file_access_for_every_role(published, role, capsys):
    served = served_files(published, role)[0]
    before = served.read_bytes()
    home_before = sorted(published.home.rglob("*"))
    for name, sql in attacks(published, served).items():
        assert main(["query", sql, "--role", role]) == 1, f"{role}: {name} was allowed"
        err = capsys.readouterr().err
        assert (
            "read-only" in err
            or "may read only the products of its catalog" in err
            or ("configuration has been locked" in err)
        ), f"{role}: {name}: {err}"
    assert served.read_bytes() == before
    assert sorted(published.home.rglob("*")) == home_before  # no file written, none removed


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_every_role_still_reads_its_products_and_metadata(published, role, capsys):
    assert main(["query", "select count(*) from market.calendar", "--role", role]) == 0
    assert main(["query", "explain select * from market.calendar", "--role", role]) == 0
    assert main(["query", "describe market.calendar", "--role", role, "--format", "csv"]) == 0
    capsys.readouterr()


def test_secrets_and_raw_pii_snapshots_are_closed_to_other_accounts(published):
    """The pseudonym key is the owner's alone; every raw snapshot of a product with PII (every
    version), the steward's catalog and the quarantine are the platform's and its group's."""
    from supplymesh.governance.pseudonym import pii_columns
    from supplymesh.registry import all_products

    key = pseudonym_key_path(published)
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    manifest = read_manifest(published)
    raw = [
        Path(snap["path"])
        for p in all_products()
        for v in p.versions
        if pii_columns(v) and (snap := current_snapshot(manifest, p.key, v.major))
    ]
    assert len(raw) >= 3  # sales.orders v1 and v2, network.locations
    closed = [
        *raw,
        published.catalog_dir / "steward.duckdb",
        *published.quarantine.rglob("*.parquet"),
    ]
    for path in closed:
        assert not stat.S_IMODE(path.stat().st_mode) & ~RAW_PII_MODE, path
        assert not path.stat().st_mode & stat.S_IRWXO, path
