"""Publish a product version: validate, quarantine, snapshot, then switch consumers over.

The order of steps is the safety argument. Nothing consumers can see changes until the new
snapshot is fully written and renamed into place; a failed validation writes only the quarantine
file and a record of the failure, so consumers keep the last good version. Landing files are
only ever read.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from supplymesh import duckdb_limits
from supplymesh.files import durable_replace, temp_name
from supplymesh.governance import volume
from supplymesh.governance.access import RAW_PII_MODE
from supplymesh.governance.pseudonym import (
    pii_columns,
    pseudonym_key,
    pseudonymise_samples,
    write_pseudonymised_copy,
)
from supplymesh.planning_settings import (
    PLANNING_SETTINGS_KEY,
    PlanningSettings,
    load_planning_settings,
)
from supplymesh.publishing import records
from supplymesh.publishing.consumer_catalog import rebuild_catalog
from supplymesh.publishing.history import retention
from supplymesh.publishing.landing import latest_batch
from supplymesh.publishing.manifest import (
    catalog_lock,
    current_snapshot,
    read_manifest,
    version_entry,
    write_manifest,
)
from supplymesh.registry import Product, ProductVersion, get_product
from supplymesh.settings import MeshPaths, mesh_paths
from supplymesh.validation.engine import CheckedInput, check_file, check_input
from supplymesh.validation.report import ValidationReport
from supplymesh.validation.rules import literal


@dataclass(frozen=True)
class PublishResult:
    """What one publish attempt did, and what consumers are served afterwards."""

    product: str
    major: int
    version: str
    published: bool
    snapshot_id: str | None
    serving_snapshot_id: str | None
    rows: int
    report: ValidationReport
    quarantine_path: Path | None
    volume_override: str | None = None  # a refusal of the volume rule a steward overrode


def _new_snapshot_id() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ") + "-" + secrets.token_hex(3)


def _version_dir(paths: MeshPaths, version: ProductVersion) -> Path:
    domain, name = version.product.split(".")
    return paths.warehouse / domain / name / f"v{version.major}"


def _write_quarantine(paths: MeshPaths, checked: CheckedInput, snapshot_id: str) -> Path | None:
    report = checked.report
    if report.rejected_rows == 0:
        return None
    domain, name = checked.version.product.split(".")
    folder = paths.quarantine / domain / name / f"v{checked.version.major}"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{snapshot_id}.parquet"
    checked.con.execute(
        f"COPY ({checked.rejected_rows_sql()}) TO {literal(str(target))} (FORMAT parquet)"
    )
    if pii_columns(checked.version):
        os.chmod(target, RAW_PII_MODE)
    (folder / f"{snapshot_id}.report.json").write_text(
        json.dumps(report.to_dict(), indent=2, default=str)
    )
    return target


class SnapshotWriteError(RuntimeError):
    """A snapshot could not be written (a full disk, say); consumers keep the previous one."""


def _write_snapshot(paths: MeshPaths, checked: CheckedInput, snapshot_id: str) -> tuple[Path, int]:
    final = _version_dir(paths, checked.version) / snapshot_id
    # hidden and named after this process: the next run removes it if this process dies
    staging = final.with_name(temp_name(snapshot_id, "staging"))
    staging.mkdir(parents=True)
    data = staging / "data.parquet"
    try:
        checked.con.execute(
            f"COPY ({checked.valid_rows_sql()}) TO {literal(str(data))} "
            "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 262144)"
        )
        if pii_columns(checked.version):
            # the raw file for the platform and its stewards (group) only; every other role
            # reads the pseudonymised copy next to it
            os.chmod(data, RAW_PII_MODE)
            write_pseudonymised_copy(checked.con, data, checked.version, pseudonym_key(paths))
        rows = checked.con.execute(
            f"SELECT count(*) FROM read_parquet({literal(str(data))})"
        ).fetchone()[0]
        durable_replace(staging, final)  # the snapshot appears complete or not at all
    except (OSError, duckdb.Error) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise SnapshotWriteError(
            f"{checked.version.product} v{checked.version.major}: writing snapshot {snapshot_id} "
            f"under {final.parent} failed ({exc}); nothing was published, consumers keep the "
            "previous snapshot"
        ) from exc
    return final / "data.parquet", int(rows)


def _add_snapshot(
    paths: MeshPaths,
    entry: dict,
    snap: dict,
    product: Product,
    settings: PlanningSettings | None,
) -> None:
    """Serve ``snap`` (recording the planning ``settings`` of the run that made it) and expire
    what the product's retention no longer keeps (its default: ``publishing.snapshots_kept``,
    the run's, else the runtime folder's setting); ``retention.remove_dropped`` deletes the
    files once the manifest is written."""
    if settings is not None:
        snap["metadata"] = {PLANNING_SETTINGS_KEY: settings.as_dict()}
    entry["current"] = snap
    entry["history"].append(snap)
    default_kept = (settings or load_planning_settings(paths.home)).publishing.snapshots_kept
    retention.expire(paths, entry, product.governance.retention, default_kept)


ALLOW_SHRINK_HINT = (
    "Refused: the last good version stays served. If the smaller version is right, a steward lets it "
    "through with `mesh materialize --allow-shrink {key}` (or allow_shrink in the run config's "
    "resources: mesh: config:), which the audit log records."
)


def _judged_report(
    paths: MeshPaths, checked: CheckedInput, previous: dict | None, allow_shrink: bool
) -> tuple[ValidationReport, volume.VolumeVerdict | None]:
    """The report to publish under: PII in its samples pseudonymised, the volume rule applied
    against the ``previous`` snapshot (with the verdict a steward overrode, if any)."""
    version, report = checked.version, checked.report
    if pii_columns(version):
        report = pseudonymise_samples(report, version, pseudonym_key(paths))
    return volume.apply(
        report,
        get_product(version.product),
        previous["rows"] if previous else None,
        allow=allow_shrink,
        what_to_do=ALLOW_SHRINK_HINT.format(key=version.product),
    )


def _verdict(report: ValidationReport) -> dict:
    """What the manifest keeps of a validation (``last_validation``)."""
    return {
        "passed": report.passed,
        "publishable": report.publishable,
        "rows_checked": report.rows_checked,
        "rejected_rows": report.rejected_rows,
        "failures": [r.describe(report.label) for r in report.failures],
    }


def publish_checked(
    paths: MeshPaths,
    checked: CheckedInput,
    *,
    run_id: str,
    source: str,
    settings: PlanningSettings | None = None,
    allow_shrink: bool = False,
    requested_by: str = "",
) -> PublishResult:
    """Publish an input already validated into ``checked`` (a planning run's ``settings`` are
    recorded with the snapshot in the manifest).

    Every attempt is audited (and a daily product's per-partition results kept); a published
    snapshot is also measured for quality against the one it replaces. The report returned (and
    shown in Dagster and logs) carries pseudonyms, never raw PII, in its sample rows. A version
    that would empty the product or shrink it past its bound is refused (``governance.volume``)
    unless ``allow_shrink`` (a steward's ``--allow-shrink``, ``requested_by`` whom): then the
    override is audited.
    """
    version = checked.version
    previous = current_snapshot(read_manifest(paths), version.product, version.major)
    report, overridden = _judged_report(paths, checked, previous, allow_shrink)
    snapshot_id = _new_snapshot_id()
    quarantine = _write_quarantine(paths, checked, snapshot_id)  # raw rows: steward-only area
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    validation = {"at": now, "run_id": run_id, "source": source, **_verdict(report)}
    records.save_ledger(paths, checked)
    records.record_validation(paths, report, run_id, source)
    snapshot_path, rows, snap = (None, 0, None)
    if report.publishable:
        snapshot_path, rows = _write_snapshot(paths, checked, snapshot_id)
    with catalog_lock(paths):
        manifest = read_manifest(paths)
        entry = version_entry(manifest, version.product, version.major)
        entry["last_validation"] = validation
        if snapshot_path is not None:
            snap = {
                "snapshot_id": snapshot_id,
                "version": version.version,
                "path": str(snapshot_path),
                "rows": rows,
                "rejected_rows": report.rejected_rows,
                "published_at": now,
                "run_id": run_id,
                "source": source,
            }
            _add_snapshot(paths, entry, snap, get_product(version.product), settings)
        write_manifest(paths, manifest)
        if snapshot_path is not None:
            rebuild_catalog(paths, manifest, get_product(version.product))
            retention.remove_dropped(paths, manifest, entry)
        serving = current_snapshot(manifest, version.product, version.major)
    if snap is not None:
        records.record_contract(paths, version, run_id)
        records.record_publish(paths, version, snap, previous, run_id)
        if overridden is not None:
            subject = f"{version.product} v{version.major}"
            volume.record_override(
                paths, overridden, subject, records.actor(run_id), requested_by or "unknown"
            )
    return PublishResult(
        version.product,
        version.major,
        version.version,
        snapshot_path is not None,
        snapshot_id if snapshot_path else None,
        serving["snapshot_id"] if serving else None,
        rows,
        report,
        quarantine,
        overridden.describe() if overridden is not None and snap is not None else None,
    )


def landing_source(product: Product, paths: MeshPaths) -> Path:
    """The newest landing batch of a source product's extract."""
    batch = latest_batch(paths.landing_dir(product.domain), product.source_extract or "")
    if batch is None:
        raise FileNotFoundError(
            f"{product.key}: no landing batch of extract '{product.source_extract}' in "
            f"{paths.landing_dir(product.domain)} (run `mesh generate` or drop an extract there)"
        )
    return batch


def publish_landing(
    product_key: str,
    *,
    paths: MeshPaths | None = None,
    run_id: str = "cli",
    landing_file: Path | None = None,
    allow_shrink: bool = False,
    requested_by: str = "",
) -> list[PublishResult]:
    """Publish every major version of a source product from one landing batch (``allow_shrink``:
    a steward lets a version through that the volume rule refuses; see ``publish_checked``).

    A batch that cannot be read (empty, compressed, garbage, a broken CSV) is refused with its
    reason like any contract failure; the landing file is only ever read."""
    paths = paths or mesh_paths()
    product = get_product(product_key)
    source = landing_file or landing_source(product, paths)
    partition_column = product.governance.partition_column
    results = []
    for version in product.versions:
        con = duckdb_limits.connect()
        try:
            checked = check_file(
                con,
                source,
                version,
                quarantine_tolerance=product.quarantine_tolerance,
                partition_column=partition_column,
                previous_ledger=records.load_ledger(paths, version) if partition_column else None,
                run_id=run_id,
            )
            results.append(
                publish_checked(
                    paths,
                    checked,
                    run_id=run_id,
                    source=str(source),
                    allow_shrink=allow_shrink,
                    requested_by=requested_by,
                )
            )
        finally:
            con.close()
    return results


def publish_frame(
    product_key: str,
    frame: pd.DataFrame,
    *,
    paths: MeshPaths | None = None,
    run_id: str = "cli",
    major: int | None = None,
    settings: PlanningSettings | None = None,
    allow_shrink: bool = False,
) -> PublishResult:
    """Validate and publish a frame an asset computed (planning products; ``settings``: the
    run's planning settings, recorded with the snapshot; ``allow_shrink`` as for
    ``publish_landing``)."""
    paths = paths or mesh_paths()
    product = get_product(product_key)
    version = product.version(major) if major is not None else product.latest
    con = duckdb_limits.connect()
    try:
        con.register("_frame", frame)
        partition_column = product.governance.partition_column
        checked = check_input(
            con,
            "_frame",
            version,
            source_label=f"asset {product_key}",
            allow_extra_columns=False,
            quarantine_tolerance=product.quarantine_tolerance,
            partition_column=partition_column,
            previous_ledger=records.load_ledger(paths, version) if partition_column else None,
            run_id=run_id,
        )
        return publish_checked(
            paths,
            checked,
            run_id=run_id,
            source=f"run {run_id}",
            settings=settings,
            allow_shrink=allow_shrink,
        )
    finally:
        con.close()
