"""The forecast model registry: every trained version, its evidence, and which one serves.

The registry *is* the product ``ml.forecast_models``: each change (a new candidate, a promotion,
a rejection, an approval) publishes a new snapshot of the whole table through the contract gate,
so its history is the manifest's history and every state was validated. Model artifacts (the
pickled ``DemandModel``, its backtest predictions and its drift reference) live under
``$MESH_HOME/models/forecast/<version>/``, never in git; the registry stores the path and the
SHA-256 of the pickle, and ``load_model`` refuses an artifact whose hash no longer matches.

Status follows one life cycle: ``candidate`` (trained, not serving; possibly awaiting a human
approval) -> ``champion`` (the one version that serves) -> ``retired`` (replaced, or rejected at
the gate; ``decision`` says which). The functions here are pure table operations plus artifact
I/O; the gate's rules are in ``promotion``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import pickle
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from supplymesh.planning.forecasting.model import DemandModel
from supplymesh.settings import MeshPaths

PRODUCT = "ml.forecast_models"
STATUSES = ("candidate", "champion", "retired")
DECISIONS = ("promoted", "approved", "awaiting_approval", "rejected", "superseded", "replaced")
# the products the features mart is built from: their snapshots identify the training data
# (``publishing.manifest.current_snapshot_ids``)
FEATURE_SOURCES = (
    "sales.orders",
    "catalog.products",
    "network.locations",
    "inventory.stock_snapshots",
    "market.calendar",
    "market.promotions",
)
REGISTRY_COLUMNS = [
    "model_version",
    "status",
    "decision",
    "decision_reason",
    "decided_by",
    "decided_at",
    "promoted_by",
    "promoted_at",
    "approval_required",
    "approved_by",
    "approved_at",
    "retired_at",
    "trained_at",
    "training_as_of",
    "training_snapshots",
    "training_rows",
    "params",
    "feature_importances",
    "backtest_origins",
    "backtest_mase",
    "backtest_mase_total",
    "backtest_wape",
    "backtest_bias",
    "backtest_p90_coverage",
    "seasonal_naive_mase",
    "moving_average_mase",
    "canary_window_start",
    "canary_mase",
    "champion_version",
    "champion_canary_mase",
    "bias_check_passed",
    "worst_segment",
    "worst_segment_error_ratio",
    "search_seconds",
    "backtest_seconds",
    "fit_seconds",
    "artifact_path",
    "artifact_sha256",
]
TIMESTAMP_COLUMNS = ["decided_at", "promoted_at", "approved_at", "retired_at", "trained_at"]


class RegistryError(ValueError):
    """A registry operation that the life cycle does not allow (e.g. approving a champion)."""


def utc_now() -> pd.Timestamp:
    """Now, as a naive UTC timestamp (the contract's TIMESTAMP columns carry no zone)."""
    return pd.Timestamp(dt.datetime.now(dt.UTC).replace(tzinfo=None)).floor("s")


def empty_registry() -> pd.DataFrame:
    return conform(pd.DataFrame(columns=REGISTRY_COLUMNS))


def conform(frame: pd.DataFrame) -> pd.DataFrame:
    """The registry's columns in order and with the contract's types."""
    out = frame.reindex(columns=REGISTRY_COLUMNS).copy()
    for col in TIMESTAMP_COLUMNS:
        out[col] = pd.to_datetime(out[col]).astype("datetime64[ns]")
    out["training_as_of"] = pd.Series(
        [None if pd.isna(v) else pd.Timestamp(v).date() for v in out["training_as_of"]],
        index=out.index,
        dtype="object",
    )
    out["canary_window_start"] = pd.Series(
        [None if pd.isna(v) else pd.Timestamp(v).date() for v in out["canary_window_start"]],
        index=out.index,
        dtype="object",
    )
    for col in ("approval_required", "bias_check_passed"):
        out[col] = out[col].astype("object").where(out[col].notna(), False).astype(bool)
    for col in ("backtest_origins", "training_rows"):
        out[col] = pd.to_numeric(out[col], errors="coerce").fillna(0).astype("int64")
    floats = [
        c
        for c in REGISTRY_COLUMNS
        if c.startswith(("backtest_", "seasonal_", "moving_", "canary_mase", "champion_canary"))
        or c.endswith(("_seconds", "error_ratio"))
    ]
    for col in floats:
        if col not in ("backtest_origins",):
            out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
    strings = [
        c
        for c in REGISTRY_COLUMNS
        if c not in TIMESTAMP_COLUMNS
        and c not in floats
        and c
        not in (
            "training_as_of",
            "canary_window_start",
            "approval_required",
            "bias_check_passed",
            "backtest_origins",
            "training_rows",
        )
    ]
    for col in strings:
        out[col] = out[col].astype("object").where(out[col].notna(), None)
    return out.reset_index(drop=True)


@contextlib.contextmanager
def registry_lock(paths: MeshPaths) -> Iterator[None]:
    """Hold the registry's lock for a read-change-publish, so a materialization and a
    ``mesh forecast approve`` never overwrite each other's change."""
    folder = paths.home / "models"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".registry.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def registry_from(published: pd.DataFrame | None) -> pd.DataFrame:
    """The registry from its published rows (``publishing.manifest.current_frame``), or empty
    before the first model: the caller reads the product, this layer never reads the mesh."""
    return empty_registry() if published is None else conform(published)


def champion(registry: pd.DataFrame) -> pd.Series | None:
    """The serving version's row, or None."""
    rows = registry[registry["status"] == "champion"]
    if len(rows) > 1:
        raise RegistryError(f"more than one champion: {rows['model_version'].tolist()}")
    return rows.iloc[0] if len(rows) else None


def new_version(trained_at: pd.Timestamp, recipe: dict, snapshots: dict[str, str]) -> str:
    """``fm-<UTC time>-<hash of recipe and data>``: sortable, and two runs on the same data with
    the same recipe differ only by time."""
    digest = hashlib.sha256(
        json.dumps({"recipe": recipe, "data": snapshots}, sort_keys=True, default=str).encode()
    ).hexdigest()[:6]
    return f"fm-{trained_at:%Y%m%dT%H%M%S}-{digest}"


def artifact_dir(paths: MeshPaths, version: str) -> Path:
    return paths.home / "models" / "forecast" / version


def save_artifacts(
    paths: MeshPaths,
    version: str,
    model: DemandModel,
    backtest_predictions: pd.DataFrame,
    reference: pd.DataFrame,
) -> tuple[Path, str]:
    """Write the model pickle, its backtest predictions and drift reference; returns the pickle
    path and its SHA-256."""
    folder = artifact_dir(paths, version)
    folder.mkdir(parents=True, exist_ok=True)
    blob = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    target = folder / "model.pkl"
    tmp = folder / ".model.pkl.tmp"
    tmp.write_bytes(blob)
    tmp.replace(target)
    backtest_predictions.to_parquet(folder / "backtest.parquet", index=False)
    reference.to_parquet(folder / "reference.parquet", index=False)
    return target, hashlib.sha256(blob).hexdigest()


def load_model(row: pd.Series) -> DemandModel:
    """Unpickle a registered model after checking the artifact is the one registered."""
    path = Path(str(row["artifact_path"]))
    blob = path.read_bytes()
    if hashlib.sha256(blob).hexdigest() != row["artifact_sha256"]:
        raise RegistryError(f"{row['model_version']}: artifact {path} does not match its hash")
    return pickle.loads(blob)  # our own artifact, its hash checked above


def load_backtest(row: pd.Series) -> pd.DataFrame:
    return pd.read_parquet(Path(str(row["artifact_path"])).with_name("backtest.parquet"))


def load_reference(row: pd.Series) -> pd.DataFrame:
    return pd.read_parquet(Path(str(row["artifact_path"])).with_name("reference.parquet"))


def add_candidate(registry: pd.DataFrame, card: dict) -> pd.DataFrame:
    """The registry with a new candidate row (status ``candidate``, not yet decided)."""
    if card["model_version"] in set(registry["model_version"]):
        raise RegistryError(f"{card['model_version']} is already registered")
    row = {c: card.get(c) for c in REGISTRY_COLUMNS}
    row["status"] = "candidate"
    new = conform(pd.DataFrame([row]))
    if registry.empty:
        return new
    return conform(pd.concat([registry.astype(object), new.astype(object)], ignore_index=True))


def _index(registry: pd.DataFrame, version: str) -> int:
    hits = np.flatnonzero(registry["model_version"].to_numpy() == version)
    if hits.size == 0:
        raise RegistryError(f"unknown model version {version!r}")
    return int(hits[0])


def _crown(out: pd.DataFrame, i: int, at: pd.Timestamp) -> None:
    """Make row ``i`` the champion and retire the previous one."""
    for j in np.flatnonzero(out["status"].to_numpy() == "champion"):
        if j != i:
            out.loc[j, "status"] = "retired"
            out.loc[j, "decision"] = "replaced"
            out.loc[j, "retired_at"] = at
    out.loc[i, "status"] = "champion"


def record_decision(
    registry: pd.DataFrame,
    version: str,
    action: str,
    reason: str,
    decided_by: str,
    at: pd.Timestamp,
) -> pd.DataFrame:
    """Apply the gate's verdict on a candidate: ``promote``, ``await_approval`` or ``reject``."""
    out = registry.copy()
    i = _index(out, version)
    if out.loc[i, "status"] != "candidate" or pd.notna(out.loc[i, "decision"]):
        raise RegistryError(f"{version} was already decided ({out.loc[i, 'decision']})")
    out.loc[i, ["decision_reason", "decided_by", "decided_at"]] = [reason, decided_by, at]
    if action == "promote":
        out.loc[i, ["decision", "promoted_by", "promoted_at"]] = ["promoted", decided_by, at]
        _crown(out, i, at)
    elif action == "await_approval":
        for j in np.flatnonzero(out["decision"].to_numpy() == "awaiting_approval"):
            out.loc[j, ["status", "decision", "retired_at"]] = ["retired", "superseded", at]
        out.loc[i, "decision"] = "awaiting_approval"
    elif action == "reject":
        out.loc[i, ["status", "decision", "retired_at"]] = ["retired", "rejected", at]
    else:
        raise RegistryError(f"unknown action {action!r}")
    return conform(out)


def approve(registry: pd.DataFrame, version: str, approver: str, at: pd.Timestamp) -> pd.DataFrame:
    """A human approves a candidate the gate passed: it becomes the champion."""
    if not approver or not approver.strip():
        raise RegistryError("an approval needs the approver's name")
    out = registry.copy()
    i = _index(out, version)
    if out.loc[i, "decision"] != "awaiting_approval" or out.loc[i, "status"] != "candidate":
        raise RegistryError(
            f"{version} is not awaiting approval (status {out.loc[i, 'status']}, "
            f"decision {out.loc[i, 'decision']})"
        )
    out.loc[i, ["decision", "approved_by", "approved_at", "promoted_by", "promoted_at"]] = [
        "approved",
        approver,
        at,
        f"human:{approver}",
        at,
    ]
    _crown(out, i, at)
    return conform(out)


def reject_pending(
    registry: pd.DataFrame, version: str, by: str, reason: str, at: pd.Timestamp
) -> pd.DataFrame:
    """A human turns down a candidate awaiting approval."""
    out = registry.copy()
    i = _index(out, version)
    if out.loc[i, "decision"] != "awaiting_approval":
        raise RegistryError(f"{version} is not awaiting approval")
    out.loc[
        i, ["status", "decision", "decision_reason", "decided_by", "decided_at", "retired_at"]
    ] = [
        "retired",
        "rejected",
        reason,
        f"human:{by}",
        at,
        at,
    ]
    return conform(out)
