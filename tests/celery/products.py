"""Two runtime folders' published products, compared row for row (celery test helpers).

Every product version both folders serve is fingerprinted as the chaos tests do (row count and
an order-free sum of row hashes, ``tests.chaos.invariants.fingerprint``) over its snapshot file,
less the columns that name the run itself: ids, clocks, durations and paths, which two runs can
never share. Everything else (every value a consumer plans with) must be equal.
"""

from __future__ import annotations

import duckdb

from supplymesh.publishing.manifest import current_snapshot, read_manifest
from supplymesh.registry import all_products
from supplymesh.settings import MeshPaths
from supplymesh.validation.rules import literal, quote
from tests.chaos.invariants import fingerprint

RUN_COLUMNS = {  # product -> columns that identify the run, not the data
    "governance.audit_log": {
        # when, by which run and with which paths and model versions; the hash chain over them
        "at",
        "subject",
        "actor",
        "reason",
        "details",
        "prev_hash",
        "hash",
    },
    "governance.quality_metrics": {"measured_at", "snapshot_id", "run_id"},
    "ml.forecast_backtest": {"model_version"},  # fm-<training time>-<hex>
    "ml.forecast_models": {
        "model_version",
        "decided_at",
        "promoted_at",
        "trained_at",
        "training_snapshots",
        "backtest_seconds",
        "fit_seconds",
        "artifact_path",
    },
    "planning.forecast_accuracy": {"model_version", "evaluated_at"},
    "planning.supply_plan_kpis": {"run_id", "computed_at"},
}


def served_fingerprints(paths: MeshPaths) -> dict[str, tuple[int, int]]:
    """``<product> v<major>`` -> (rows, fingerprint) of what the manifest serves."""
    manifest = read_manifest(paths)
    out = {}
    with duckdb.connect() as con:
        for product in all_products():
            for version in product.versions:
                snap = current_snapshot(manifest, product.key, version.major)
                if not snap:
                    continue
                skipped = RUN_COLUMNS.get(product.key, set())
                exclude = (
                    f" exclude ({', '.join(quote(c) for c in sorted(skipped))})" if skipped else ""
                )
                table = f"(select *{exclude} from read_parquet({literal(snap['path'])}))"
                out[f"{product.key} v{version.major}"] = fingerprint(con, table)
    return out
