"""The planning settings: one typed object, one set of defaults, three layers of overrides.

The defaults are ``planning.yaml`` at the repository root (every key, each with a comment). A
``planning.yaml`` in ``MESH_HOME`` overrides any of them for that runtime folder, and a single
run overrides keys again with ``mesh materialize --set forecast.horizon_days=42`` (repeatable).
The same dotted keys name a setting in all three places and in the Dagster run config
(``resources: planning: config:``). An unknown key or a bad value is an error naming the key.

This module is low in the layers: it imports neither planning, orchestration nor the CLI; they
all take a ``PlanningSettings`` from here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from supplymesh.settings import PROJECT_ROOT

SETTINGS_FILE = "planning.yaml"
DEFAULTS_FILE = PROJECT_ROOT / SETTINGS_FILE
# most critical first: the ABC value class, then the XYZ variability grade
SERVICE_CLASSES = ("AX", "AY", "AZ", "BX", "BY", "BZ", "CX", "CY", "CZ")
MAX_HORIZON_DAYS = 364  # the mart's lag_364 must reach back at least the horizon
# where a published planning snapshot records the settings it was made with (manifest metadata)
PLANNING_SETTINGS_KEY = "planning_settings"

ServiceLevel = Annotated[float, Field(ge=0.5, lt=1.0)]
Share = Annotated[float, Field(ge=0.0, le=1.0)]


class PlanningSettingsError(ValueError):
    """A planning setting that does not exist or has a value it cannot take."""


class _Group(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ForecastSettings(_Group):
    horizon_days: int = Field(ge=1, le=MAX_HORIZON_DAYS)
    drift_max_psi: float = Field(gt=0)
    drift_max_ks: float = Field(gt=0, le=1)


class BacktestSettings(_Group):
    origins: int = Field(ge=1)
    peers: str  # comma-separated statistical peers, "all" or "none" (checked by the training)
    peer_series: int = Field(ge=1)


class ModelSettings(_Group):
    search_enabled: bool
    search_candidates: int = Field(ge=1)
    search_folds: int = Field(ge=2)
    search_max_rows: int = Field(ge=1)
    search_budget_seconds: float = Field(gt=0)
    search_first_round: bool
    max_training_series: int = Field(ge=1)
    promotion_margin: float = Field(ge=0, lt=1)
    require_approval: bool
    max_segment_error_ratio: float = Field(gt=0)
    min_segment_share: Share
    min_segment_series: int = Field(ge=1)
    retrain_after_days: int = Field(ge=1)
    retrain_schedule: str = Field(min_length=9)
    impute_lost_sales: bool
    fit_workers: int = Field(ge=0)


class ServiceTargetSettings(_Group):
    AX: ServiceLevel
    AY: ServiceLevel
    AZ: ServiceLevel
    BX: ServiceLevel
    BY: ServiceLevel
    BZ: ServiceLevel
    CX: ServiceLevel
    CY: ServiceLevel
    CZ: ServiceLevel


class InventorySettings(_Group):
    review_period_days: int = Field(ge=1)
    service_targets: ServiceTargetSettings
    unclassified_service_level: ServiceLevel


class CoordinationSettings(_Group):
    min_truck_fill: Share
    defer_truck_fill: Share
    max_trucks_per_lane_day: int = Field(ge=0)
    ship_window_days: int = Field(ge=0)
    max_rounds: int = Field(ge=1)
    max_defer_service_level: ServiceLevel


class EvaluationSettings(_Group):
    simulation_seeds: int = Field(ge=1)


class PublishingSettings(_Group):
    snapshots_kept: int = Field(ge=1)


class PlanningSettings(_Group):
    """Every planning knob of a run. Read it with ``load_planning_settings``."""

    forecast: ForecastSettings
    backtest: BacktestSettings
    model: ModelSettings
    inventory: InventorySettings
    coordination: CoordinationSettings
    evaluation: EvaluationSettings
    publishing: PublishingSettings

    def as_dict(self) -> dict[str, Any]:
        """Nested plain values (what ``planning.yaml`` and the run config hold)."""
        return self.model_dump()

    def flat(self) -> dict[str, Any]:
        """``{"forecast.horizon_days": 28, ...}``: every setting under its dotted key."""
        return dict(_flatten(self.as_dict()))

    def service_targets(self) -> dict[str, float]:
        return self.inventory.service_targets.model_dump()

    def dbt_vars(self) -> dict[str, Any]:
        """The vars the transforms read (``dbt build --vars``)."""
        return {"horizon_days": self.forecast.horizon_days}

    def updated(self, overrides: Mapping[str, Any], source: str) -> PlanningSettings:
        """These settings with ``overrides`` (a nested mapping of some keys) applied."""
        _check_keys(overrides, source)
        return settings_from_dict(_merge(self.as_dict(), overrides), source)


def _flatten(data: Mapping[str, Any], prefix: str = "") -> Iterable[tuple[str, Any]]:
    """The leaves of a nested mapping under their dotted keys."""
    return ((k, v) for k, v in _flatten_groups(data, prefix) if not isinstance(v, Mapping))


def setting_keys(model: type[BaseModel] = PlanningSettings, prefix: str = "") -> list[str]:
    """Every dotted key a setting can have, in declaration order."""
    keys: list[str] = []
    for name, info in model.model_fields.items():
        if isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel):
            keys.extend(setting_keys(info.annotation, f"{prefix}{name}."))
        else:
            keys.append(f"{prefix}{name}")
    return keys


def _check_keys(data: Any, source: str) -> None:
    """Every key of ``data`` names a setting (groups as mappings, settings as values)."""
    if not isinstance(data, Mapping):
        raise PlanningSettingsError(f"{source}: expected a mapping of settings, got {data!r}")
    known = set(setting_keys())
    groups = {".".join(k.split(".")[:i]) for k in known for i in range(1, k.count(".") + 1)}
    for key, value in _flatten_groups(data):
        if key not in known and key not in groups:
            raise PlanningSettingsError(f"{source}: unknown planning setting {key!r}")
        if key in groups and not isinstance(value, Mapping):
            raise PlanningSettingsError(f"{source}: {key!r} is a group of settings, not a value")


def _flatten_groups(data: Mapping[str, Any], prefix: str = "") -> Iterable[tuple[str, Any]]:
    for key, value in data.items():
        yield f"{prefix}{key}", value
        if isinstance(value, Mapping):
            yield from _flatten_groups(value, f"{prefix}{key}.")


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(dict(out[key]), value)
        else:
            out[key] = value
    return out


def _read_file(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise PlanningSettingsError(f"{path}: not valid YAML: {exc}") from exc
    _check_keys(data, str(path))
    return data


def parse_assignments(assignments: Iterable[str]) -> dict[str, Any]:
    """``["forecast.horizon_days=42", ...]`` as nested overrides (values read as YAML scalars)."""
    out: dict[str, Any] = {}
    known = set(setting_keys())
    for item in assignments:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise PlanningSettingsError(f"--set {item!r}: expected KEY=VALUE")
        if key not in known:
            raise PlanningSettingsError(
                f"--set {item!r}: unknown planning setting {key!r} (see planning.yaml)"
            )
        try:
            value = yaml.safe_load(text) if text.strip() else None
        except yaml.YAMLError as exc:
            raise PlanningSettingsError(f"--set {item!r}: {key}: unreadable value") from exc
        *groups, leaf = key.split(".")
        node = out
        for group in groups:
            node = node.setdefault(group, {})
        node[leaf] = value
    return out


def settings_from_dict(data: Mapping[str, Any], source: str) -> PlanningSettings:
    """Validate complete settings; an error names each offending key and the value it got."""
    try:
        return PlanningSettings.model_validate(dict(data))
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            key = ".".join(str(part) for part in error["loc"])
            got = "" if error["type"] == "missing" else f" (got {error.get('input')!r})"
            problems.append(f"{key}: {error['msg']}{got}")
        raise PlanningSettingsError(f"{source}: " + "; ".join(problems)) from None


def load_planning_settings(
    home: Path | None = None,
    overrides: Iterable[str] | Mapping[str, Any] = (),
    defaults: Path = DEFAULTS_FILE,
) -> PlanningSettings:
    """The repository's defaults, then ``home/planning.yaml`` (when ``home`` has one), then
    ``overrides`` (``KEY=VALUE`` strings as ``--set`` takes them, or a nested mapping)."""
    data = _read_file(defaults)
    sources = [str(defaults)]
    local = None if home is None else Path(home) / SETTINGS_FILE
    if local is not None and local.exists():
        data = _merge(data, _read_file(local))
        sources.append(str(local))
    if isinstance(overrides, Mapping):
        _check_keys(overrides, "overrides")
        extra = dict(overrides)
    else:
        extra = parse_assignments(overrides)
    if extra:
        data = _merge(data, extra)
        sources.append("--set")
    return settings_from_dict(data, " + ".join(sources))


def default_planning_settings() -> PlanningSettings:
    """The repository's defaults alone (no runtime folder, no overrides)."""
    return load_planning_settings()
