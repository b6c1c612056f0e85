"""An event-driven run's scope record: read back as written, and old records pruned."""

import os
import time
from pathlib import Path

import pandas as pd

from orchestration.planning.run_scope import (
    KEEP_DAYS,
    record_run_scope,
    recorded_run_scope,
    run_scope_path,
)
from supplymesh.planning.replanning.scope import ReplanScope, replan_scope
from supplymesh.settings import MeshPaths


def _scope() -> ReplanScope:
    positions = pd.DataFrame({"sku": ["A"], "location_id": ["DC1"], "supplier_id": ["S1"]})
    changed = pd.DataFrame({"sku": ["A"], "location_id": ["DC1"], "rows": [2]})
    return replan_scope("sales.orders", changed, positions, "2026-11-27", "2026-11-27")


def test_a_new_record_prunes_only_records_older_than_the_limit(tmp_path: Path) -> None:
    paths = MeshPaths(tmp_path)
    record_run_scope(paths, "old-run", _scope())
    record_run_scope(paths, "recent-run", _scope())
    old, recent = run_scope_path(paths, "old-run"), run_scope_path(paths, "recent-run")
    now = time.time()
    os.utime(old, (now - (KEEP_DAYS + 1) * 86400,) * 2)
    os.utime(recent, (now - (KEEP_DAYS - 1) * 86400,) * 2)

    record_run_scope(paths, "new-run", _scope())

    assert not old.exists()
    assert recent.exists()
    assert recorded_run_scope(paths, "old-run") is None
    assert recorded_run_scope(paths, "new-run").to_record() == _scope().to_record()
