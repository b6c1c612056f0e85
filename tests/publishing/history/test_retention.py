"""Retention keeps what either rule keeps and always the snapshot being served; the product YAML
declares it, and a malformed one is refused naming the file."""

import datetime as dt
from pathlib import Path

import pytest

from supplymesh.publishing.history import retention
from supplymesh.publishing.history.leases import DELETING, hold, take_lease
from supplymesh.publishing.history.retention import describe, expire, expired, remove_dropped
from supplymesh.publishing.manifest import read_manifest, write_manifest
from supplymesh.registry import ProductDefinitionError, Retention, load_product
from supplymesh.settings import DATA_PRODUCTS_DIR, MeshPaths

NOW = dt.datetime(2026, 12, 6, 12, tzinfo=dt.UTC)


def _history(days_ago: list[int]) -> list[dict]:
    """Snapshots published ``days_ago`` (oldest first), ids s0, s1, ..."""
    return [
        {"snapshot_id": f"s{i}", "published_at": (NOW - dt.timedelta(days=d)).isoformat()}
        for i, d in enumerate(days_ago)
    ]


def _expired_ids(history: list[dict], retention: Retention, default_kept: int = 10) -> list[str]:
    current = history[-1]["snapshot_id"]
    return [s["snapshot_id"] for s in expired(history, current, retention, default_kept, NOW)]


def test_a_count_keeps_the_newest_snapshots():
    assert _expired_ids(_history([50, 40, 30, 20, 10]), Retention(snapshots=2)) == [
        "s0",
        "s1",
        "s2",
    ]


def test_days_keep_every_snapshot_published_within_them():
    assert _expired_ids(_history([50, 40, 30, 20, 10]), Retention(days=25)) == ["s0", "s1", "s2"]


def test_a_snapshot_stays_while_either_rule_keeps_it():
    history = _history([50, 40, 30, 20, 10])
    assert _expired_ids(history, Retention(snapshots=1, days=35)) == ["s0", "s1"]
    assert _expired_ids(history, Retention(snapshots=4, days=15)) == ["s0"]


def test_without_a_retention_the_mesh_default_count_applies():
    assert _expired_ids(_history([3, 2, 1, 0]), Retention(), default_kept=3) == ["s0"]


def test_the_snapshot_being_served_is_never_expired():
    history = _history([50, 40])
    # the served one is the older (a newer version was refused, say): it stays
    assert expired(history, "s0", Retention(days=1), 10, NOW) == [history[1]]


def test_describe_says_the_rule_in_words():
    assert describe(Retention(snapshots=30, days=90), 10) == (
        "the newest 30 snapshots and every snapshot of the last 90 days"
    )
    assert "publishing.snapshots_kept" in describe(Retention(), 10)


def _product_yaml(tmp_path, retention_line: str):
    text = (DATA_PRODUCTS_DIR / "network" / "locations.yaml").read_text()
    path = tmp_path / "locations.yaml"
    path.write_text(text + retention_line + "\n")
    return path


def test_the_product_yaml_declares_its_retention(tmp_path):
    product = load_product(_product_yaml(tmp_path, "retention: {snapshots: 30, days: 90}"))
    assert product.governance.retention == Retention(snapshots=30, days=90.0)
    plain = load_product(DATA_PRODUCTS_DIR / "network" / "locations.yaml")
    assert not plain.governance.retention.declared


@pytest.mark.parametrize(
    "line", ["retention: {snapshots: 0}", "retention: {days: -1}", "retention: {weeks: 2}"]
)
def test_a_malformed_retention_is_refused_naming_the_file(tmp_path, line):
    with pytest.raises(ProductDefinitionError, match=r"locations\.yaml: retention takes"):
        load_product(_product_yaml(tmp_path, line))


def _expired_once(paths: MeshPaths, tmp_path: Path) -> tuple[dict, dict, list[dict]]:
    """Two snapshots on disk, the older expired by a retention of one and the manifest written
    (as a publish does before it rebuilds the catalogs); the manifest, its entry, the history."""
    history = _history([2, 1])
    for snap in history:
        folder = tmp_path / snap["snapshot_id"]
        folder.mkdir()
        snap["path"] = str(folder / "data.parquet")
        Path(snap["path"]).write_bytes(b"parquet")
    entry = {"current": history[-1], "history": list(history)}
    manifest = {"products": {"a.b": {"versions": {"1": entry}}}}
    expiry = expire(paths, entry, Retention(snapshots=1), 10, NOW)
    assert [s["snapshot_id"] for s in expiry.dropped] == ["s0"] and entry["pruned"] == 1
    write_manifest(paths, manifest)
    return manifest, entry, history


def test_a_reader_that_leases_after_the_drop_keeps_the_file_until_it_lets_go(tmp_path):
    """The race the order guards against: pruning took a snapshot off the record, then a reader
    that had resolved it earlier wrote its lease before the files went: they stay (retired)."""
    paths = MeshPaths(tmp_path / "mesh")
    manifest, entry, history = _expired_once(paths, tmp_path)
    with hold(paths, {"s0"}, "a reader that resolved s0 before the drop"):
        assert remove_dropped(paths, manifest, entry) == []
        assert Path(history[0]["path"]).exists() and entry["retired"] == [history[0]]
    assert remove_dropped(paths, manifest, entry) == ["s0"]
    assert not Path(history[0]["path"]).parent.exists() and entry["retired"] == []
    assert read_manifest(paths)["products"]["a.b"]["versions"]["1"]["retired"] == []


def test_a_retired_snapshot_a_lagging_catalog_lists_is_leased_and_kept(tmp_path):
    """A reader of a catalog not rebuilt since the drop leases the retired snapshot (its file is
    there); pruning's delete step honours that lease."""
    paths = MeshPaths(tmp_path / "mesh")
    manifest, entry, history = _expired_once(paths, tmp_path)
    _, lease = take_lease(paths, lambda _: (None, {"s0": "a.b v1"}), "a lagging catalog")
    with lease:
        assert remove_dropped(paths, manifest, entry) == []
        assert Path(history[0]["path"]).exists()
        assert not read_manifest(paths)["products"]["a.b"]["versions"]["1"]["retired"][0].get(
            DELETING
        )
    assert remove_dropped(paths, manifest, entry) == ["s0"]


def test_pruning_marks_what_it_deletes_in_the_manifest_before_the_files_go(tmp_path, monkeypatch):
    """Deleting starts only once the manifest says so: a reader checking it from then on sees
    the mark, not a retired snapshot whose file is vanishing."""
    paths = MeshPaths(tmp_path / "mesh")
    manifest, entry, _ = _expired_once(paths, tmp_path)
    seen = []

    def rmtree(folder, ignore_errors=False):
        (snap,) = read_manifest(paths)["products"]["a.b"]["versions"]["1"]["retired"]
        seen.append(snap.get(DELETING))
        real_rmtree(folder, ignore_errors=ignore_errors)

    real_rmtree = retention.shutil.rmtree
    monkeypatch.setattr(retention.shutil, "rmtree", rmtree)
    assert remove_dropped(paths, manifest, entry) == ["s0"] and seen == [True]
