"""Central governance checks on every product version, whichever team's code publishes it.

* ``policies``: the central policies of ``mesh contracts check`` (owner, description, SLA,
  classifications...), non-blocking;
* ``quality``: the thresholds of the product's YAML over the metrics of its latest publish,
  blocking when the product says ``severity: ERROR``;
* one check per cross-product rule of the contract (referential integrity, currency and unit
  consistency, stock-flow reconciliation), run after the products it compares with, blocking
  downstream assets when the rule's severity is ERROR; the rule is evaluated by
  ``supplymesh.validation.cross_product`` and PII in its sample rows masked by
  ``supplymesh.governance.pseudonym``, like every other sample;
* a freshness check per product from its ``freshness_sla_hours``, evaluated in every run that
  touches the product (between runs the same SLA is the asset's ``FreshnessPolicy``, see
  ``metadata.py``, which the Dagster daemon tracks without a sensor).

``central.py`` applies them once to the whole mesh.
"""

import datetime as dt
import json
import warnings
from collections import defaultdict
from functools import cache

import dagster as dg

from orchestration.metadata import asset_key
from orchestration.resources import MeshResource
from supplymesh.governance.contract_changes.project_tree import load_definitions
from supplymesh.governance.policies import POLICIES as CENTRAL_POLICIES
from supplymesh.governance.policies import product_violations
from supplymesh.governance.pseudonym import pii_columns, pseudonym_key, pseudonymise_result
from supplymesh.governance.quality import latest_metrics
from supplymesh.publishing.manifest import current_snapshot, read_manifest, served_tables
from supplymesh.registry import Product, ProductVersion, get_product
from supplymesh.settings import MeshPaths
from supplymesh.validation.cross_product import (
    cross_product_rules,
    evaluate_served_rule,
    referenced_products,
)

POLICIES, QUALITY = "policies", "quality"


def _severity(level: str) -> dg.AssetCheckSeverity:
    return dg.AssetCheckSeverity.ERROR if level == "ERROR" else dg.AssetCheckSeverity.WARN


def _latest_keys(product_key: str) -> list[dg.AssetKey]:
    return [asset_key(get_product(product_key).latest)]


def _specs(product: Product, version: ProductVersion) -> list[dg.AssetCheckSpec]:
    key = asset_key(version)
    quality = product.governance.quality
    specs = [
        dg.AssetCheckSpec(
            POLICIES,
            asset=key,
            description="The central policies hold: owner, description, domain, status, SLA, "
            "a known classification on every column, dated deprecation, PII classified.",
        ),
        dg.AssetCheckSpec(
            QUALITY,
            asset=key,
            blocking=quality.severity == "ERROR",
            description=f"The latest publish stays within the product's quality thresholds "
            f"(row count change <= {quality.max_row_count_change:g}, PSI <= "
            f"{quality.max_psi:g}, null rates); severity {quality.severity}.",
        ),
    ]
    for rule in cross_product_rules(version):
        deps = [k for p in referenced_products(rule) for k in _latest_keys(p) if k != key]
        specs.append(
            dg.AssetCheckSpec(
                rule["name"],
                asset=key,
                additional_deps=deps,
                blocking=rule["severity"] == "ERROR",
                description=f"Cross-product rule ({rule['kind']}, {rule['severity']}) "
                f"against {', '.join(referenced_products(rule))}.",
            )
        )
    return specs


def _policy_result(key: dg.AssetKey, product: Product, version: ProductVersion, defs):
    subject = f"{product.key} v{version.major}"
    violations = [
        v for v in product_violations(defs, product.key) if v.subject in (product.key, subject)
    ]
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=POLICIES,
        passed=not violations,
        severity=dg.AssetCheckSeverity.ERROR,
        description="all central policies hold"
        if not violations
        else "; ".join(v.describe() for v in violations),
        metadata={"violations": len(violations), "policies_checked": len(CENTRAL_POLICIES)},
    )


def _quality_result(key: dg.AssetKey, product: Product, version: ProductVersion, paths):
    metrics = latest_metrics(paths, product.key, version.major)
    breached = [m for m in metrics if m["breached"]]
    rows = [
        dg.TableRecord(
            {
                "metric": m["metric"],
                "column": m["column_name"] or "(table)",
                "value": round(m["value"], 6),
                "threshold": m["threshold"] if m["threshold"] is not None else -1.0,
                "breached": m["breached"],
            }
        )
        for m in metrics
        if m["metric"] != "null_rate" or m["value"] or m["threshold"] is not None
    ]
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=QUALITY,
        passed=not breached,
        severity=_severity(product.governance.quality.severity),
        description=(
            "no measurement yet"
            if not metrics
            else "within thresholds"
            if not breached
            else "; ".join(
                f"{m['metric']}({m['column_name'] or 'table'}) = {m['value']:.3f} > "
                f"{m['threshold']:g}"
                for m in breached
            )
        ),
        metadata={
            "snapshot_id": metrics[0]["snapshot_id"] if metrics else "none",
            "metrics": dg.MetadataValue.table(
                rows,
                schema=dg.TableSchema(
                    columns=[
                        dg.TableColumn("metric", "string"),
                        dg.TableColumn("column", "string"),
                        dg.TableColumn("value", "float"),
                        dg.TableColumn("threshold", "float"),
                        dg.TableColumn("breached", "bool"),
                    ]
                ),
            ),
        },
    )


def _cross_result(key: dg.AssetKey, version: ProductVersion, rule: dict, paths: MeshPaths):
    """A cross-product rule over the version's served snapshot; PII in its sample masked."""
    snap = current_snapshot(read_manifest(paths), version.product, version.major)
    result = evaluate_served_rule(snap and snap["path"], rule, served_tables(paths))
    if result.sample:
        result = pseudonymise_result(result, set(pii_columns(version)), pseudonym_key(paths))
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=rule["name"],
        passed=result.passed,
        severity=_severity(rule["severity"]),
        description=f"expected {result.expected}; found {result.failing_rows:,} failing rows",
        metadata={
            "rule": rule["kind"],
            "expected": result.expected,
            "failing_rows": result.failing_rows,
            "skipped": result.kind == "skipped",
            "offending_rows_sample": dg.MetadataValue.md(
                "\n".join(f"- `{json.dumps(r, default=str)}`" for r in result.sample) or "none"
            ),
        },
    )


@cache
def _project_definitions():
    """The project's definitions, read once per process (a code change reloads the process)."""
    return load_definitions()


def governance_checks(product: Product, version: ProductVersion) -> dg.AssetChecksDefinition:
    """Policies, quality and cross-product rules of one product version, in one step."""

    @dg.multi_asset_check(
        name=f"{product.domain}__{version.table}__governance",
        specs=_specs(product, version),
        can_subset=True,
    )
    def check(context: dg.AssetCheckExecutionContext, mesh: MeshResource):
        key = asset_key(version)
        selected = {k.name for k in context.selected_asset_check_keys}
        if POLICIES in selected:
            yield _policy_result(key, product, version, _project_definitions())
        if QUALITY in selected:
            yield _quality_result(key, product, version, mesh.paths)
        for rule in cross_product_rules(version):
            if rule["name"] in selected:
                yield _cross_result(key, version, rule, mesh.paths)

    return check


def freshness_checks(
    versions: list[tuple[Product, ProductVersion]],
) -> list[dg.AssetChecksDefinition]:
    """One Dagster freshness check per product version, from its SLA (grouped by SLA).

    Dagster 1.13 prefers ``FreshnessPolicy`` (which ``metadata.py`` also attaches, for the
    daemon); the check form is kept because it is what a run records and the Checks tab shows
    next to the contract, policy and quality checks of the same publish.
    """
    by_sla: dict[float, list[dg.AssetKey]] = defaultdict(list)
    for product, version in versions:
        by_sla[product.freshness_sla_hours].append(asset_key(version))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*build_last_update_freshness_checks")
        return [
            check
            for hours, keys in sorted(by_sla.items())
            for check in dg.build_last_update_freshness_checks(
                assets=keys, lower_bound_delta=dt.timedelta(hours=hours)
            )
        ]
