"""Every publish attempt leaves its governance record: audit entries, quality metrics, the
per-partition ledger of a daily product, and a contract-change entry when the contract moved."""

import json

import pandas as pd
import pytest

from supplymesh.governance import audit
from supplymesh.governance.layout import partition_ledger_path, published_spec_path
from supplymesh.governance.quality import read_metrics
from supplymesh.publishing.publish import publish_landing
from supplymesh.settings import MeshPaths
from tests.publishing.test_publish import land
from tests.validation.test_engine import orders_frame


@pytest.fixture
def paths(tmp_path) -> MeshPaths:
    return MeshPaths(tmp_path / "mesh")


def test_publish_audits_validation_and_publish_and_keeps_day_results(paths):
    land(paths, orders_frame(30), "20260101T000000Z")
    publish_landing("sales.orders", paths=paths, run_id="run-1")
    entries = audit.read_entries(paths)
    assert [(e["action"], e["subject"]) for e in entries] == [
        ("validation", "sales.orders v2"),
        ("publish", "sales.orders v2"),
        ("validation", "sales.orders v1"),
        ("publish", "sales.orders v1"),
    ]
    assert entries[1]["details"]["rows"] == 30 and entries[1]["actor"] == "run:run-1"
    ledger = json.loads(partition_ledger_path(paths, "sales.orders", 2).read_text())
    assert list(ledger["partitions"]) == ["2026-01-05"]
    assert {m["product"] for m in read_metrics(paths)} == {"sales.orders"}
    assert audit.verify(paths).ok


def test_refused_batch_is_audited_with_its_failing_rules(paths):
    bad = orders_frame(10)
    bad.loc[2, "quantity"] = -1
    land(paths, bad, "20260101T000000Z")
    publish_landing("sales.orders", paths=paths)
    [entry, *_] = [e for e in audit.read_entries(paths) if e["subject"] == "sales.orders v2"]
    assert entry["action"] == "validation" and entry["details"]["passed"] is False
    assert entry["details"]["failing_rules"][0]["rule"] == "greater_than_or_equal_to(0)"
    assert not any(e["action"] == "publish" for e in audit.read_entries(paths))


def test_publishing_under_a_changed_contract_is_audited_with_its_classification(paths):
    land(paths, orders_frame(10), "20260101T000000Z")
    publish_landing("sales.orders", paths=paths)
    stored = published_spec_path(paths, "sales.orders", 2)
    spec = json.loads(stored.read_text())
    spec["columns"] = [c for c in spec["columns"] if c["name"] != "promo_id"]
    spec["version"] = "2.1.0"
    stored.write_text(json.dumps(spec))  # as if v2 was last published without promo_id
    land(paths, orders_frame(12), "20260102T000000Z")
    publish_landing("sales.orders", paths=paths)
    [change] = [e for e in audit.read_entries(paths) if e["action"] == "contract_change"]
    assert change["subject"] == "sales.orders v2"
    assert change["details"]["required_bump"] == "minor"
    assert [(c["kind"], c["column"]) for c in change["details"]["changes"]] == [
        ("column_added", "promo_id")
    ]
    assert "2.1.0 -> 2.2.0" in change["reason"]


def test_second_publish_measures_change_against_the_first(paths):
    land(paths, orders_frame(40), "20260101T000000Z")
    publish_landing("sales.orders", paths=paths)
    land(paths, orders_frame(10), "20260102T000000Z")
    # a shrink of 75% breaks the volume rule: a steward lets it through, and quality measures it
    publish_landing("sales.orders", paths=paths, allow_shrink=True)
    metrics = pd.DataFrame(read_metrics(paths))
    change = metrics[(metrics.metric == "row_count_change") & (metrics.major == 2)]
    assert change.value.tolist() == [-0.75] and change.breached.tolist() == [True]
    [publish] = [
        e
        for e in audit.read_entries(paths)
        if e["action"] == "publish" and e["subject"] == "sales.orders v2"
    ][-1:]
    assert "row_count_change(table)" in publish["details"]["quality_thresholds_breached"]
