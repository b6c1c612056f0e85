"""The product registry: every data product's definition, read from ``data_products/``.

A product's metadata (owner, access, SLA, versions, governance settings) is declared in YAML by
its domain team; its columns come from the pandera contract of each major version. This module
is the one reader of those files: it joins the two into one typed view that validation,
publishing, governance, the catalogs and Dagster all share (``all_products``, ``get_product``;
``product_files`` for a tree that is not this checkout).

The optional governance sections of a product YAML, next to owner and SLA:

```yaml
partitioning: {column: snapshot_date}   # a daily product: validated and reported per day
quality:                                 # thresholds of the quality checks of every publish
  severity: WARN                         # WARN reports, ERROR blocks downstream assets
  max_row_count_change: 0.5              # |rows - previous rows| / previous rows
  max_psi: 0.25                          # population stability index per column vs previous
  max_null_rate: {promo_id: 0.95}        # per nullable column
  psi_exclude: [carrier]                 # columns whose shift is expected (labels, free text)
volume:                                  # the volume rule, an ERROR gate before every publish
  max_shrink: 0.5                        # share of the served rows a new version may lose
  may_be_empty: false                    # true: zero rows is a legitimate version (no shipments)
retention:                               # the published snapshots each version keeps on record
  snapshots: 30                          # the newest 30 ...
  days: 90                               # ... and every one published in the last 90 days
```

Both volume keys default centrally (``DEFAULT_MAX_SHRINK``; not empty): a publish that would empty
a product or shrink it by more than ``max_shrink`` is refused unless a steward lets it through
(``supplymesh.governance.volume``).

``retention`` keeps a snapshot while either rule keeps it (the one being served always stays);
a product without it keeps the newest ``publishing.snapshots_kept`` (``planning.yaml``, 10), the
mesh's one default. Pruning is ``supplymesh.publishing.history.retention``'s.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import yaml

from supplymesh.settings import DATA_PRODUCTS_DIR

if TYPE_CHECKING:  # a contract's own module imports pandera when the contract is first read
    import pandera.pandas as pa

Status = Literal["active", "deprecated", "retired"]
Access = Literal["public", "internal", "restricted"]
ACCESS_LEVELS: tuple[Access, ...] = ("public", "internal", "restricted")

# pandera dtype (as str) -> DuckDB type: the one mapping used for casting and the catalog.
DUCKDB_TYPES = {
    "int64": "BIGINT",
    "int32": "INTEGER",
    "float64": "DOUBLE",
    "str": "VARCHAR",
    "date": "DATE",
    "datetime64[ns]": "TIMESTAMP",
    "bool": "BOOLEAN",
}


# libyaml's safe loader when PyYAML was built with it: the same documents, read about 10x faster
# (every verb reading the product definitions parses all of them, about 0.15 s in pure Python)
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

DEFAULT_MAX_ROW_COUNT_CHANGE = 0.5
DEFAULT_MAX_PSI = 0.25
# the volume rule's central default: a new version may lose at most half the rows being served
# (a producer's failed export, a batch of one day where the whole history belongs)
DEFAULT_MAX_SHRINK = 0.5


class ProductDefinitionError(ValueError):
    """A product YAML or contract is malformed."""


@dataclass(frozen=True)
class QualityThresholds:
    severity: str = "WARN"
    max_row_count_change: float = DEFAULT_MAX_ROW_COUNT_CHANGE
    max_psi: float = DEFAULT_MAX_PSI
    max_null_rate: dict[str, float] = field(default_factory=dict)
    psi_exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class VolumeBounds:
    """How far a publish may shrink the product (``volume`` in its YAML)."""

    max_shrink: float = DEFAULT_MAX_SHRINK  # share of the served rows a new version may lose
    may_be_empty: bool = False


@dataclass(frozen=True)
class Retention:
    """How long a version's published snapshots stay on record (``retention`` in its YAML):
    the newest ``snapshots`` and those published within ``days``; neither set means the mesh's
    default, ``publishing.snapshots_kept`` snapshots."""

    snapshots: int | None = None
    days: float | None = None

    @property
    def declared(self) -> bool:
        return self.snapshots is not None or self.days is not None


@dataclass(frozen=True)
class GovernanceSettings:
    """The product's optional governance sections (see the module docstring)."""

    partition_column: str | None = None
    quality: QualityThresholds = field(default_factory=QualityThresholds)
    volume: VolumeBounds = field(default_factory=VolumeBounds)
    retention: Retention = field(default_factory=Retention)


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    classification: str
    description: str
    nullable: bool


@dataclass(frozen=True)
class ProductVersion:
    """One major version of a product: its contract and lifecycle."""

    product: str
    major: int
    version: str
    status: Status
    contract_ref: str
    deprecated_on: dt.date | None = None
    sunset_on: dt.date | None = None
    rename: dict[str, str] = field(default_factory=dict)

    @property
    def contract(self) -> type[pa.DataFrameModel]:
        module_name, _, class_name = self.contract_ref.partition(":")
        return getattr(importlib.import_module(module_name), class_name)

    @property
    def schema(self) -> pa.DataFrameSchema:
        return self.contract.to_schema()

    @property
    def table(self) -> str:
        """The DuckDB view name inside the domain schema, e.g. ``orders_v2``."""
        return f"{self.product.split('.')[1]}_v{self.major}"

    @cached_property
    def columns(self) -> list[Column]:
        """The contract's columns as the catalogs and exports describe them (built once per
        version: the pandera schema behind them costs about 1 ms, asked thousands of times a
        run)."""
        out = []
        for name, col in self.schema.columns.items():
            dtype = str(col.dtype)
            if dtype not in DUCKDB_TYPES:
                raise ProductDefinitionError(
                    f"{self.product} v{self.major}: column {name} has unsupported dtype {dtype}"
                )
            meta = col.metadata or {}
            out.append(
                Column(
                    name=name,
                    type=DUCKDB_TYPES[dtype],
                    classification=meta.get("classification", ""),
                    description=col.description or "",
                    nullable=bool(col.nullable),
                )
            )
        return out

    def source_column(self, column: str) -> str:
        """The landing column a product column is read from (renames are per version)."""
        return self.rename.get(column, column)


@dataclass(frozen=True)
class Product:
    """A data product: a domain's published dataset with its owner and promises."""

    domain: str
    name: str
    description: str
    owner_team: str
    owner_email: str
    access: Access
    freshness_sla_hours: float
    source_kind: Literal["landing", "asset"]
    source_extract: str | None
    versions: tuple[ProductVersion, ...]
    definition_path: Path
    quarantine_tolerance: float = 0.0
    governance: GovernanceSettings = field(default_factory=GovernanceSettings)

    @property
    def key(self) -> str:
        return f"{self.domain}.{self.name}"

    @property
    def latest(self) -> ProductVersion:
        """The version ``<domain>.<name>`` points at: the newest active major."""
        active = [v for v in self.versions if v.status == "active"]
        return max(active or self.versions, key=lambda v: v.major)

    def version(self, major: int) -> ProductVersion:
        for v in self.versions:
            if v.major == major:
                return v
        raise KeyError(f"{self.key} has no major version {major}")


def _parse_date(value: object) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _volume(raw: dict, path: Path) -> VolumeBounds:
    volume = raw.get("volume") or {}
    unknown = set(volume) - {"max_shrink", "may_be_empty"}
    max_shrink = float(volume.get("max_shrink", DEFAULT_MAX_SHRINK))
    may_be_empty = volume.get("may_be_empty", False)
    if unknown or not 0 <= max_shrink <= 1 or not isinstance(may_be_empty, bool):
        raise ProductDefinitionError(
            f"{path}: volume takes max_shrink (a share from 0 to 1) and may_be_empty (true or "
            f"false); found {volume}"
        )
    return VolumeBounds(max_shrink, may_be_empty)


def _retention(raw: dict, path: Path) -> Retention:
    retention = raw.get("retention") or {}
    ok = isinstance(retention, dict) and not set(retention) - {"snapshots", "days"}
    snapshots = retention.get("snapshots") if ok else None
    days = retention.get("days") if ok else None
    if (
        not ok
        or (snapshots is not None and (type(snapshots) is not int or snapshots < 1))
        or (days is not None and (type(days) not in (int, float) or days <= 0))
    ):
        raise ProductDefinitionError(
            f"{path}: retention takes snapshots (a whole number, at least 1) and/or days (a "
            f"number above 0); found {retention}"
        )
    return Retention(snapshots, float(days) if days is not None else None)


def _governance(raw: dict, path: Path) -> GovernanceSettings:
    quality = raw.get("quality") or {}
    severity = str(quality.get("severity", "WARN")).upper()
    if severity not in {"WARN", "ERROR"}:
        raise ProductDefinitionError(f"{path}: quality.severity must be WARN or ERROR")
    return GovernanceSettings(
        partition_column=(raw.get("partitioning") or {}).get("column"),
        quality=QualityThresholds(
            severity=severity,
            max_row_count_change=float(
                quality.get("max_row_count_change", DEFAULT_MAX_ROW_COUNT_CHANGE)
            ),
            max_psi=float(quality.get("max_psi", DEFAULT_MAX_PSI)),
            max_null_rate={k: float(v) for k, v in (quality.get("max_null_rate") or {}).items()},
            psi_exclude=tuple(quality.get("psi_exclude") or ()),
        ),
        volume=_volume(raw, path),
        retention=_retention(raw, path),
    )


def load_product(path: Path) -> Product:
    """Read one product YAML; raises ProductDefinitionError naming the file and field."""
    raw = yaml.load(path.read_text(), Loader=_YAML_LOADER)
    try:
        key = f"{raw['domain']}.{raw['name']}"
        versions = tuple(
            ProductVersion(
                product=key,
                major=int(v["major"]),
                version=str(v["version"]),
                status=v["status"],
                contract_ref=v["contract"],
                deprecated_on=_parse_date(v.get("deprecated_on")),
                sunset_on=_parse_date(v.get("sunset_on")),
                rename=dict(v.get("rename") or {}),
            )
            for v in raw["versions"]
        )
        source = raw["source"]
        return Product(
            domain=raw["domain"],
            name=raw["name"],
            description=" ".join(str(raw["description"]).split()),
            owner_team=raw["owner"]["team"],
            owner_email=raw["owner"]["email"],
            access=raw["access"],
            freshness_sla_hours=float(raw["freshness_sla_hours"]),
            source_kind=source["kind"],
            source_extract=source.get("extract"),
            versions=versions,
            definition_path=path,
            quarantine_tolerance=float(raw.get("quarantine_tolerance", 0.0)),
            governance=_governance(raw, path),
        )
    except (KeyError, TypeError) as exc:
        raise ProductDefinitionError(f"{path}: missing or malformed field {exc}") from exc


def product_files(root: Path = DATA_PRODUCTS_DIR) -> list[Path]:
    """Every product YAML under ``root`` (``<domain>/<name>.yaml``), in a stable order."""
    return sorted(root.glob("*/*.yaml"))


@cache
def _load_all(root: Path) -> tuple[Product, ...]:
    return tuple(load_product(p) for p in product_files(root))


def all_products(root: Path = DATA_PRODUCTS_DIR) -> tuple[Product, ...]:
    """Every product of every domain, in a stable order."""
    return _load_all(root)


def get_product(key: str, root: Path = DATA_PRODUCTS_DIR) -> Product:
    """A product by ``<domain>.<name>``."""
    for product in all_products(root):
        if product.key == key:
            return product
    known = ", ".join(p.key for p in all_products(root))
    raise KeyError(f"unknown product {key!r}; known products: {known}")


def domains(root: Path = DATA_PRODUCTS_DIR) -> list[str]:
    return sorted({p.domain for p in all_products(root)})
