"""What two runs published in one runtime folder, compared row for row (celery test helpers).

Every product version is fingerprinted as the chaos tests do (row count and an order-free sum of
row hashes, ``tests.chaos.invariants.fingerprint``) over its snapshot file, less the columns that
name the run itself (ids, clocks, durations), which two runs never share. Three products are
histories, one row or more per run and publish; for them the rows each run added are compared.
"""

from __future__ import annotations

import duckdb

from supplymesh.publishing.manifest import current_snapshot, read_manifest
from supplymesh.registry import all_products
from supplymesh.settings import MeshPaths
from supplymesh.validation.rules import literal, quote
from tests.chaos.invariants import fingerprint

HISTORIES = {  # product -> the rows run R added (a SQL condition)
    "governance.audit_log": "actor = 'run:{run_id}'",
    # the metrics of a history compare it with its previous publish, one run shorter each time
    "governance.quality_metrics": "run_id = '{run_id}' and product not in ({histories})",
    "planning.supply_plan_kpis": "run_id = '{run_id}'",
}
RUN_COLUMNS = {  # product -> columns that identify the run, not the data
    # when, the entry's place in the chain, its reason and details (run and snapshot ids), the chain
    "governance.audit_log": {"seq", "at", "actor", "reason", "details", "prev_hash", "hash"},
    "governance.quality_metrics": {"measured_at", "snapshot_id", "previous_snapshot_id", "run_id"},
    # the scores weigh the history up to the run (checks counted, snapshot ages, breach trend)
    "governance.product_scorecards": {
        "scored_at",
        "hours_since_publish",
        "freshness",
        "validations",
        "pass_rate",
        "quality",
        "quality_trend",
        "score",
    },
    "planning.forecast_accuracy": {"evaluated_at"},
    "planning.supply_plan_decisions": {"run_id"},
    "planning.supply_plan_kpis": {"run_id", "computed_at", "previous_run_id"},
}


def _table(path: str, product: str, run_id: str) -> str:
    skipped = RUN_COLUMNS.get(product, set())
    exclude = f" exclude ({', '.join(quote(c) for c in sorted(skipped))})" if skipped else ""
    where = ""
    if product in HISTORIES:
        histories = ", ".join(literal(p) for p in HISTORIES)
        where = " where " + HISTORIES[product].format(run_id=run_id, histories=histories)
    return f"(select *{exclude} from read_parquet({literal(path)}){where})"


def run_fingerprints(paths: MeshPaths, run_id: str) -> dict[str, tuple[int, int]]:
    """``<product> v<major>`` -> (rows, fingerprint) of what the manifest serves after
    ``run_id``; for a history, of the rows that run added."""
    manifest = read_manifest(paths)
    out = {}
    with duckdb.connect() as con:
        for product in all_products():
            for version in product.versions:
                snap = current_snapshot(manifest, product.key, version.major)
                if snap:
                    table = _table(snap["path"], product.key, run_id)
                    out[f"{product.key} v{version.major}"] = fingerprint(con, table)
    return out


def republished(paths: MeshPaths, run_id: str) -> set[str]:
    """The product versions whose current snapshot ``run_id`` published."""
    manifest = read_manifest(paths)
    return {
        f"{product.key} v{version.major}"
        for product in all_products()
        for version in product.versions
        if (snap := current_snapshot(manifest, product.key, version.major))
        and snap["run_id"] == run_id
    }
