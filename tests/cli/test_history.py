"""Time travel through the CLI on a real tiny world materialized twice (two landing batches of
different seeds, each through `mesh materialize`): `mesh products history` lists both snapshots, `mesh query --as-of` reads the
first by timestamp and by snapshot id with the role's masking, any DuckDB client reads them from
the `history` views, and retention prunes the first unless a reader holds it."""

import csv
import datetime as dt
import io
import json
import time
from pathlib import Path

import duckdb
import pytest

from supplymesh.cli import main
from supplymesh.publishing.history.leases import hold
from supplymesh.publishing.manifest import read_manifest, snapshot_history
from supplymesh.publishing.publish import publish_landing
from supplymesh.settings import MeshPaths
from supplymesh.world.generate import generate_world
from tests.mesh_world import mesh_environment

PRODUCTS = ("network.locations", "catalog.products")
BATCHES = ("20261127T230000Z", "20261128T230000Z")
FINGERPRINT = (
    "select count(*) n, min(description) first_name, sum(unit_cost) cost from catalog.products"
)


def _publish_world(paths: MeshPaths, seed: int, batch: str, products=PRODUCTS) -> None:
    generate_world(paths, scale="tiny", seed=seed, batch_id=batch)
    for key in products:
        assert all(r.published for r in publish_landing(key, paths=paths, run_id=f"run-{seed}"))


def _materialize_world(paths: MeshPaths, seed: int, batch: str) -> None:
    """A tiny world's batch (``mesh generate``'s function, with a fixed batch id), then
    ``mesh materialize`` of the products: a Dagster run in process."""
    generate_world(paths, scale="tiny", seed=seed, batch_id=batch)
    assert main(["materialize", *(a for key in PRODUCTS for a in ("--select", key))]) == 0


@pytest.fixture(scope="module")
def two_publishes(tmp_path_factory, dbt_manifest):
    """The tiny world materialized at seed 11, then at seed 12; the moment between the two."""
    home = tmp_path_factory.mktemp("history") / "mesh"
    with mesh_environment(home, dbt_manifest) as paths:
        _materialize_world(paths, 11, BATCHES[0])
        time.sleep(1.1)  # published_at has whole seconds: the moment falls between the two
        between = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        time.sleep(1.1)
        _materialize_world(paths, 12, BATCHES[1])
        yield paths, between


def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _rows(out: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(out)))


def _one(sql: str) -> tuple:
    """One row of ``sql`` on a plain in-memory DuckDB (reading snapshot files directly)."""
    with duckdb.connect() as con:
        return con.execute(sql).fetchone()


def _snapshots(paths: MeshPaths, key: str = "network.locations") -> list[dict]:
    return snapshot_history(read_manifest(paths), key, 1)


def test_history_lists_both_snapshots_their_batches_and_which_is_served(two_publishes, capsys):
    code, out, _ = _cli(capsys, "products", "history", "network.locations", "--json")
    assert code == 0
    (v1,) = json.loads(out)["versions"]
    assert [s["batch"] for s in v1["snapshots"]] == list(BATCHES)
    assert [s["served_now"] for s in v1["snapshots"]] == [False, True]
    runs = [s["run_id"] for s in v1["snapshots"]]
    assert len(set(runs)) == 2  # one Dagster run each
    assert v1["snapshots"][0]["valid_to"] == v1["snapshots"][1]["published_at"]
    code, text, _ = _cli(capsys, "products", "history", "network.locations")
    assert "2 on record, 0 pruned" in text and text.splitlines()[-1].endswith(" now")


def test_history_is_refused_to_a_role_that_may_not_read_the_product(two_publishes, capsys):
    code, _, err = _cli(capsys, "products", "history", "network.locations", "--role", "public")
    assert code == 1 and "role public cannot see network.locations" in err


def test_query_as_of_a_timestamp_reads_the_first_publish(two_publishes, capsys):
    paths, between = two_publishes
    first, second = (_snapshots(paths, "catalog.products")[i]["path"] for i in (0, 1))
    _, now_out, _ = _cli(capsys, "query", FINGERPRINT, "--format", "csv")
    code, then_out, err = _cli(capsys, "query", FINGERPRINT, "--format", "csv", "--as-of", between)
    assert code == 0 and f"as of {between}" in err
    expected = _one(FINGERPRINT.replace("catalog.products", f"'{first}'"))
    then = _rows(then_out)[0]
    assert (int(then["n"]), then["first_name"]) == expected[:2]
    assert float(then["cost"]) == pytest.approx(expected[2])
    assert then_out != now_out  # the two seeds' item masters differ
    now = _one(FINGERPRINT.replace("catalog.products", f"'{second}'"))
    assert _rows(now_out)[0]["first_name"] == now[1]


def test_query_as_of_a_snapshot_id_reads_every_product_as_served_then(two_publishes, capsys):
    paths, between = two_publishes
    # as of the first run's last publish, both products' first snapshots are served
    firsts = [_snapshots(paths, key)[0] for key in PRODUCTS]
    pinned = max(firsts, key=lambda s: (s["published_at"], s["snapshot_id"]))["snapshot_id"]
    sql = "select snapshot_id from mesh_meta.products where snapshot_id is not null order by 1"
    _, by_id, _ = _cli(capsys, "query", sql, "--format", "csv", "--as-of", pinned)
    _, by_time, _ = _cli(capsys, "query", sql, "--format", "csv", "--as-of", between)
    firsts = {_snapshots(paths, key)[0]["snapshot_id"] for key in PRODUCTS}
    assert (
        {r["snapshot_id"] for r in _rows(by_id)}
        == firsts
        == {r["snapshot_id"] for r in _rows(by_time)}
    )


def test_as_of_masks_pii_exactly_as_the_current_views_do(two_publishes, capsys):
    _, between = two_publishes
    sql = "select manager_email from network.locations order by 1"
    _, masked, _ = _cli(capsys, "query", sql, "--format", "csv", "--as-of", between)
    _, raw, _ = _cli(
        capsys, "query", sql, "--format", "csv", "--as-of", between, "--role", "steward"
    )
    assert all(
        "@" not in r["manager_email"] and len(r["manager_email"]) == 32 for r in _rows(masked)
    )
    assert all("@" in r["manager_email"] for r in _rows(raw))
    code, _, err = _cli(capsys, "query", sql, "--as-of", between, "--role", "public")
    assert code == 1 and "cannot see network.locations" in err  # not the public's, then as now


def test_any_duckdb_client_reads_the_history_views_with_their_validity(two_publishes):
    paths, between = two_publishes
    with duckdb.connect(str(paths.catalog_db), read_only=True) as con:
        spans = con.execute(
            "select _snapshot_id, min(_valid_from), min(_valid_to), count(*) "
            "from history.locations_v1 group by 1 order by 2"
        ).fetchall()
        then = con.execute(
            "select count(*), min(name) from history.locations_v1 "
            f"where TIMESTAMPTZ '{between}' >= _valid_from "
            f"and (_valid_to is null or TIMESTAMPTZ '{between}' < _valid_to)"
        ).fetchone()
        emails = con.execute("select manager_email from history.locations_v1").fetchall()
    ids = [s["snapshot_id"] for s in _snapshots(paths)]
    assert [s[0] for s in spans] == ids
    assert spans[0][2] == spans[1][1] and spans[1][2] is None
    first = _snapshots(paths)[0]["path"]
    assert then == _one(f"select count(*), min(name) from '{first}'")
    assert all("@" not in e for (e,) in emails)  # the analyst's catalog: pseudonyms only


def test_retention_skips_a_snapshot_a_reader_holds_and_prunes_it_once_released(tmp_path, capsys):
    home = tmp_path / "mesh"
    home.mkdir()
    (home / "planning.yaml").write_text("publishing:\n  snapshots_kept: 1\n")
    with mesh_environment(home) as paths:
        _publish_world(paths, 11, BATCHES[0], products=("catalog.products",))
        (first,) = _snapshots(paths, "catalog.products")
        lease = hold(paths, {first["snapshot_id"]}, "a planner reading the first")
        _publish_world(paths, 12, BATCHES[1], products=("catalog.products",))
        code, out, _ = _cli(capsys, "products", "history", "catalog.products", "--json")
        (v1,) = json.loads(out)["versions"]
        assert v1["snapshots"][0]["snapshot_id"] == first["snapshot_id"]
        assert len(v1["snapshots"]) == 2 and v1["pruned"] == 0
        assert Path(first["path"]).exists()
        lease.release()
        code, out, err = _cli(
            capsys, "products", "history", "catalog.products", "--prune", "--json"
        )
        (v1,) = json.loads(out)["versions"]
        assert code == 0 and "v1: 1 snapshot(s) pruned, 1 deleted" in err
        assert [s["served_now"] for s in v1["snapshots"]] == [True] and v1["pruned"] == 1
        assert not Path(first["path"]).parent.exists()
        code, _, err = _cli(capsys, "query", "select 1", "--as-of", first["snapshot_id"])
        assert code == 1 and "not on record" in err
