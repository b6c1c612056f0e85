"""The manifest's read accessors: a version's snapshot history, oldest first, empty when unknown."""

from supplymesh.publishing.manifest import snapshot_history, version_entry


def test_snapshot_history_lists_a_versions_snapshots_oldest_first():
    manifest = {"products": {}}
    entry = version_entry(manifest, "planning.demand_forecast", 1)
    entry["history"] = [{"snapshot_id": "s1", "path": "a"}, {"snapshot_id": "s2", "path": "b"}]
    history = snapshot_history(manifest, "planning.demand_forecast", 1)
    assert [s["snapshot_id"] for s in history] == ["s1", "s2"]
    history.append({"snapshot_id": "s3"})  # a copy: the manifest is not changed
    assert len(entry["history"]) == 2


def test_snapshot_history_is_empty_for_an_unknown_product_or_major():
    manifest = {"products": {}}
    version_entry(manifest, "planning.demand_forecast", 1)
    assert snapshot_history(manifest, "planning.demand_forecast", 2) == []
    assert snapshot_history(manifest, "sales.orders", 1) == []
