"""The forecast model registry: every trained version, its evidence, and which one serves.

The registry *is* the product ``ml.forecast_models``: each change (a new candidate, a promotion,
a rejection, an approval) publishes a new snapshot of the whole table through the contract gate,
so its history is the manifest's history and every state was validated. Model artifacts (the
pickled ``DemandModel``, its backtest predictions and its drift reference) live under
``$MESH_HOME/models/forecast/<version>/``, never in git; the registry stores the path and the
SHA-256 of the pickle, and ``load_model`` refuses an artifact whose hash no longer matches.
Beside them, ``final_choice.json``: the forecaster's serving choice per demand class and its
conformal quantiles (``forecast_choice.stored_choice``), what serving applies.

Status follows one life cycle: ``candidate`` (trained, not serving; possibly awaiting a human
approval) -> ``champion`` (the one version that serves) -> ``retired`` (replaced, or rejected at
the gate; ``decision`` says which). The functions here are pure table operations plus artifact
I/O; the gate's rules are in ``champion_challenger``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import pickle
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from contracts.ml import forecast_models_v1 as contract
from supplymesh.files import OwnedLock, atomic_write, exclusive_lock
from supplymesh.settings import MeshPaths

if TYPE_CHECKING:  # scikit-learn's import (2 s) waits for a model's first use
    from supplymesh.planning.forecasting.model import DemandModel

PRODUCT = "ml.forecast_models"
STATUSES = tuple(contract.STATUSES)
DECISIONS = tuple(contract.DECISIONS)
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
FINAL_CHOICE = "final_choice.json"  # the forecaster's serving choice, beside the model
# the registry's columns and their types are the contract's (``contracts/ml/forecast_models_v1.py``)
_SCHEMA = contract.ForecastModelsV1.to_schema()
REGISTRY_COLUMNS = list(_SCHEMA.columns)
_DTYPES = {name: str(col.dtype) for name, col in _SCHEMA.columns.items()}


class RegistryError(ValueError):
    """A registry operation that the life cycle does not allow (e.g. approving a champion)."""


def utc_now() -> pd.Timestamp:
    """Now, as a naive UTC timestamp (the contract's TIMESTAMP columns carry no zone)."""
    return pd.Timestamp(dt.datetime.now(dt.UTC).replace(tzinfo=None)).floor("s")


def empty_registry() -> pd.DataFrame:
    return conform(pd.DataFrame(columns=REGISTRY_COLUMNS))


def _as_contract_type(values: pd.Series, dtype: str) -> pd.Series:
    """One column as the contract types it (missing values: None, or False / 0 for flags and
    counts, which the contract declares not nullable)."""
    if dtype.startswith("datetime64"):
        return pd.to_datetime(values).astype("datetime64[ns]")
    if dtype == "date":
        dates = [None if pd.isna(v) else pd.Timestamp(v).date() for v in values]
        return pd.Series(dates, index=values.index, dtype="object")
    if dtype == "bool":
        return values.astype("object").where(values.notna(), False).astype(bool)
    if dtype == "int64":
        return pd.to_numeric(values, errors="coerce").fillna(0).astype("int64")
    if dtype == "float64":
        return pd.to_numeric(values, errors="coerce").astype(float)
    return values.astype("object").where(values.notna(), None)


def conform(frame: pd.DataFrame) -> pd.DataFrame:
    """The registry's columns in order and with the contract's types."""
    out = frame.reindex(columns=REGISTRY_COLUMNS).copy()
    for col, dtype in _DTYPES.items():
        out[col] = _as_contract_type(out[col], dtype)
    return out.reset_index(drop=True)


def registry_lock(paths: MeshPaths) -> OwnedLock:
    """The registry's lock, held for a read-change-publish, so a materialization and a
    ``mesh forecast approve`` never overwrite each other's change."""
    return exclusive_lock(paths.home / "models" / ".registry.lock", "the model registry lock")


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
    final_choice: dict | None = None,
) -> tuple[Path, str]:
    """Write the model pickle, its backtest predictions, drift reference and (when given) the
    forecaster's serving choice as JSON; returns the pickle path and its SHA-256."""
    folder = artifact_dir(paths, version)
    folder.mkdir(parents=True, exist_ok=True)
    blob = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    target = folder / "model.pkl"
    atomic_write(target, blob)
    backtest_predictions.to_parquet(folder / "backtest.parquet", index=False)
    reference.to_parquet(folder / "reference.parquet", index=False)
    if final_choice is not None:
        text = json.dumps(final_choice, indent=1, sort_keys=True, allow_nan=False)
        atomic_write(folder / FINAL_CHOICE, text.encode())
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


def load_final_choice(row: pd.Series) -> dict | None:
    """The forecaster's serving choice saved with a version (None for a version without one)."""
    path = Path(str(row["artifact_path"])).with_name(FINAL_CHOICE)
    return json.loads(path.read_text()) if path.exists() else None


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
