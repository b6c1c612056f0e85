"""Turn a publish result into a blocking Dagster asset check with its evidence."""

from __future__ import annotations

import json
from typing import Any

import dagster as dg

from orchestration.metadata import asset_key
from supplymesh.publishing.publish import PublishResult
from supplymesh.registry import ProductVersion
from supplymesh.validation.report import RuleResult

CHECK_NAME = "contract"


def contract_check_spec(version: ProductVersion) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        CHECK_NAME,
        asset=asset_key(version),
        blocking=True,
        description=f"Every rule of the pandera contract {version.contract_ref} holds; "
        "an ERROR rule's failure blocks publishing and every downstream asset, a WARN rule's "
        "is reported and lets the data through.",
    )


SEVERITY_ORDER = {"ERROR": 0, "WARN": 1}


def rules_in_reading_order(rules: list[RuleResult]) -> list[RuleResult]:
    """Failing rules first (ERROR before WARN, then the most failing rows first), then the rules
    that hold in contract order: what broke is the first thing a reader sees, nothing is left out."""

    def key(r: RuleResult) -> tuple[int, int, int]:
        if r.passed:
            return (1, 0, 0)
        return (0, SEVERITY_ORDER.get(r.severity, len(SEVERITY_ORDER)), -r.failing_rows)

    return sorted(rules, key=key)  # stable: ties keep the contract's order


def _rules_table(result: PublishResult) -> dg.TableMetadataValue:
    rows = [
        dg.TableRecord(
            {
                "rule": r.rule,
                "column": r.column or "(table)",
                "expected": r.expected,
                "failing_rows": r.failing_rows,
                "severity": r.severity,
                "kind": r.kind,
            }
        )
        for r in rules_in_reading_order(result.report.results)
    ]
    return dg.MetadataValue.table(
        rows,
        schema=dg.TableSchema(
            columns=[
                dg.TableColumn("rule", "string"),
                dg.TableColumn("column", "string"),
                dg.TableColumn("expected", "string"),
                dg.TableColumn("failing_rows", "int"),
                dg.TableColumn("severity", "string"),
                dg.TableColumn("kind", "string"),
            ]
        ),
    )


def _samples_markdown(result: PublishResult) -> str:
    parts = []
    for r in rules_in_reading_order(result.report.failures):
        parts.append(
            f"**{r.column or '(table)'} - {r.rule}**: expected {r.expected}, "
            f"found {r.failing_rows:,} failing rows"
        )
        parts.extend(f"- `{json.dumps(row, default=str)}`" for row in r.sample)
    return "\n".join(parts) or "no offending rows"


def _partitions_markdown(result: PublishResult) -> str:
    summary = result.report.partitions
    lines = [summary.describe(), ""]
    if summary.failing:
        lines += [f"| {summary.column} | rows | failing rules |", "|---|---|---|"]
        for p in summary.failing:
            rules = ", ".join(f"{k} ({v:,})" for k, v in p["rules"].items())
            lines.append(f"| {p['partition']} | {p['rows']:,} | {rules} |")
    return "\n".join(lines)


def contract_check_result(result: PublishResult, version: ProductVersion) -> dg.AssetCheckResult:
    """Expected vs found for every rule, and a sample of offending rows.

    Any ERROR rule failing fails the check with ERROR severity (blocking); only WARN rules
    failing fails it with WARN severity, which Dagster shows but does not block on.
    """
    report = result.report
    failing = report.failures
    extra = {}
    if report.partitions is not None:
        extra = {
            "partitions_validated": report.partitions.validated,
            "partitions_reused": report.partitions.reused,
            "failing_partitions": dg.MetadataValue.md(_partitions_markdown(result)),
        }
    return dg.AssetCheckResult(
        asset_key=asset_key(version),
        check_name=CHECK_NAME,
        passed=not failing,
        severity=dg.AssetCheckSeverity.ERROR
        if report.blocking_failures
        else dg.AssetCheckSeverity.WARN,
        description=(
            "all rules hold"
            if not failing
            else "; ".join(f"[{r.severity}] {r.describe(report.label)}" for r in failing)
        ),
        metadata={
            **extra,
            "rows_checked": report.rows_checked,
            "rejected_rows": report.rejected_rows,
            "failing_rules": len(failing),
            "rules": _rules_table(result),
            "offending_rows_sample": dg.MetadataValue.md(_samples_markdown(result)),
            "published": result.published,
            "serving_snapshot": result.serving_snapshot_id or "none",
            "quarantine": str(result.quarantine_path) if result.quarantine_path else "none",
            "source": result.report.source,  # what was checked (a refused file's lineage names it)
        },
    )


def materialize_result(
    result: PublishResult, version: ProductVersion, extra: dict[str, Any] | None = None
) -> dg.MaterializeResult:
    return dg.MaterializeResult(
        asset_key=asset_key(version),
        metadata={
            "dagster/row_count": result.rows,
            "snapshot_id": result.snapshot_id or "none",
            "rejected_rows": result.report.rejected_rows,
            "source": result.report.source,
            **(extra or {}),
        },
    )


def publish_events(
    results: list[tuple[PublishResult, ProductVersion]], extra: dict[str, Any] | None = None
):
    """The events of publishing one or more versions.

    Published versions yield a materialization and a passing check; failed ones a failing check,
    then the step fails so Dagster stops every downstream asset while consumers keep the last
    good snapshot.
    """
    failed = []
    for result, version in results:
        if result.published:
            yield materialize_result(result, version, extra)
        else:
            failed.append(result)
        yield contract_check_result(result, version)
    if failed:
        raise dg.Failure(
            description="\n".join(r.report.summary() for r in failed),
            metadata={
                f"{r.product} v{r.major} serving": r.serving_snapshot_id or "none" for r in failed
            },
        )
