"""What every publish attempt leaves behind for governance, whatever product it is.

Source products, planning products and governance products all publish through
``publish_checked``, which calls these so nothing can publish unrecorded: the audit entries
(validation, publish, contract change), the quality metrics of a new snapshot, the per-partition
validation ledger of a daily product and the contract spec the version was published under.
"""

from __future__ import annotations

import json
import os
from typing import Any

from supplymesh.files import atomic_write
from supplymesh.governance import audit
from supplymesh.governance.contract_changes.diff import diff_contracts
from supplymesh.governance.contract_changes.spec import contract_spec, spec_from_dict
from supplymesh.governance.layout import partition_ledger_path, published_spec_path
from supplymesh.governance.quality import append_metrics, measure_snapshot
from supplymesh.registry import ProductVersion, get_product
from supplymesh.settings import MeshPaths
from supplymesh.validation.engine import CheckedInput
from supplymesh.validation.partitions import Ledger, ledger_from_json, ledger_to_json
from supplymesh.validation.report import ValidationReport


def actor(run_id: str) -> str:
    """Who published: the Dagster run, or the person at the command line."""
    if run_id == "cli":
        return f"cli:{os.environ.get('USER', 'unknown')}"
    return f"run:{run_id}"


def load_ledger(paths: MeshPaths, version: ProductVersion) -> Ledger | None:
    path = partition_ledger_path(paths, version.product, version.major)
    return ledger_from_json(path.read_text()) if path.exists() else None


def save_ledger(paths: MeshPaths, checked: CheckedInput) -> None:
    if checked.ledger is not None:
        path = partition_ledger_path(paths, checked.version.product, checked.version.major)
        atomic_write(path, ledger_to_json(checked.ledger))


def _validation_details(report: ValidationReport) -> dict[str, Any]:
    details: dict[str, Any] = {
        "passed": report.passed,
        "publishable": report.publishable,
        "rows_checked": report.rows_checked,
        "rejected_rows": report.rejected_rows,
        "failing_rules": [
            {
                "rule": r.rule,
                "column": r.column,
                "severity": r.severity,
                "failing_rows": r.failing_rows,
            }
            for r in report.failures
        ],
    }
    if report.partitions is not None:
        p = report.partitions
        details["partitions"] = {
            "column": p.column,
            "validated": p.validated,
            "reused": p.reused,
            "failing": [f["partition"] for f in p.failing],
        }
    return details


def record_validation(paths: MeshPaths, report: ValidationReport, run_id: str, source: str) -> None:
    verdict = "passed" if report.passed else "failed"
    audit.record(
        paths,
        audit.VALIDATION,
        report.label,
        actor(run_id),
        f"contract check of {source}: {verdict}",
        _validation_details(report),
    )


def record_contract(paths: MeshPaths, version: ProductVersion, run_id: str) -> None:
    """Keep the spec this version is published under; audit how it changed since last time."""
    spec = contract_spec(get_product(version.product), version)
    path = published_spec_path(paths, version.product, version.major)
    if path.exists():
        before = spec_from_dict(json.loads(path.read_text()))
        if before.fingerprint() == spec.fingerprint():
            return
        diff = diff_contracts(before, spec)
        audit.record(
            paths,
            audit.CONTRACT_CHANGE,
            f"{version.product} v{version.major}",
            actor(run_id),
            f"published under a changed contract ({diff.required_bump} change, "
            f"{before.version} -> {spec.version})",
            diff.to_dict(),
        )
    atomic_write(path, json.dumps(spec.to_dict(), indent=1, default=str))


def record_publish(
    paths: MeshPaths,
    version: ProductVersion,
    snapshot: dict[str, Any],
    previous: dict[str, Any] | None,
    run_id: str,
) -> None:
    """Measure the new snapshot against the one it replaces, then audit the publish."""
    thresholds = get_product(version.product).governance.quality
    metrics = measure_snapshot(version, snapshot, previous, thresholds, run_id)
    append_metrics(paths, metrics)
    breached = [f"{m.metric}({m.column_name or 'table'})" for m in metrics if m.breached]
    audit.record(
        paths,
        audit.PUBLISH,
        f"{version.product} v{version.major}",
        actor(run_id),
        "validated snapshot switched in for consumers",
        {
            "snapshot_id": snapshot["snapshot_id"],
            "version": version.version,
            "rows": snapshot["rows"],
            "rejected_rows": snapshot["rejected_rows"],
            "source": snapshot["source"],
            "previous_snapshot_id": previous["snapshot_id"] if previous else None,
            "quality_thresholds_breached": breached,
        },
    )
