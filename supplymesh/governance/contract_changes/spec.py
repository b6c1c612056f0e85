"""The contract of one product version as plain data: what the semver gate and ODCS speak.

A pandera contract mixes declarations (types, nullability, ranges) with code (custom checks); a
diff or an export needs the declarations as data. ``contract_spec`` reads them from the pandera
schema, the contract's ``Config`` and the product YAML, once, so the ODCS export, the diff and
the contract-change audit all compare the same thing. Constraints a consumer can rely on
(``ERROR`` severity) get structured fields; everything else is a named ``RuleSpec``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

from supplymesh.registry import Product, ProductVersion
from supplymesh.validation.rules import severity_of

if TYPE_CHECKING:  # a contract's own module imports pandera when the contract is first read
    import pandera.pandas as pa


@dataclass(frozen=True)
class Bound:
    """One end of a range: ``value`` and whether the bound itself is excluded."""

    value: Any
    exclusive: bool = False


@dataclass(frozen=True)
class RuleSpec:
    """A named rule: a custom or registered check, or a rule across products."""

    kind: str  # "check" (one product's rows) or "cross_product"
    name: str
    description: str
    severity: str = "ERROR"
    statistics: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.name)


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    type: str  # DuckDB type name
    required: bool
    unique: bool
    classification: str
    description: str
    minimum: Bound | None = None
    maximum: Bound | None = None
    allowed_values: tuple[Any, ...] | None = None
    pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    rules: tuple[RuleSpec, ...] = ()


@dataclass(frozen=True)
class ContractSpec:
    """One product version's contract and the product metadata that travels with it."""

    product: str
    major: int
    version: str
    status: str
    columns: tuple[ColumnSpec, ...]
    primary_key: tuple[str, ...] = ()
    strict: bool = True
    rules: tuple[RuleSpec, ...] = ()
    description: str = ""
    contract_description: str = ""
    owner_team: str = ""
    owner_email: str = ""
    access: str = "internal"
    freshness_sla_hours: float | None = None
    deprecated_on: str | None = None
    sunset_on: str | None = None
    partition_column: str | None = None
    contract_ref: str = ""

    @property
    def domain(self) -> str:
        return self.product.split(".")[0]

    @property
    def table(self) -> str:
        return f"{self.product.split('.')[1]}_v{self.major}"

    def column(self, name: str) -> ColumnSpec | None:
        return next((c for c in self.columns if c.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def fingerprint(self) -> str:
        """Changes with any part of the contract or its metadata, but not with the version label."""
        body = json.dumps(replace(self, version="").to_dict(), sort_keys=True, default=str)
        return hashlib.sha256(body.encode()).hexdigest()[:16]


def spec_from_dict(raw: dict[str, Any]) -> ContractSpec:
    """The inverse of ``ContractSpec.to_dict`` (specs travel as JSON between processes)."""

    def bound(b: dict | None) -> Bound | None:
        return Bound(**b) if b else None

    def rules(items: list[dict]) -> tuple[RuleSpec, ...]:
        return tuple(RuleSpec(**r) for r in items)

    columns = tuple(
        ColumnSpec(
            **{
                **c,
                "minimum": bound(c["minimum"]),
                "maximum": bound(c["maximum"]),
                "allowed_values": tuple(c["allowed_values"])
                if c["allowed_values"] is not None
                else None,
                "rules": rules(c["rules"]),
            }
        )
        for c in raw["columns"]
    )
    return ContractSpec(
        **{
            **raw,
            "columns": columns,
            "primary_key": tuple(raw["primary_key"]),
            "rules": rules(raw["rules"]),
        }
    )


def _tighter_min(a: Bound | None, b: Bound) -> Bound:
    if a is None or b.value > a.value or (b.value == a.value and b.exclusive):
        return b
    return a


def _tighter_max(a: Bound | None, b: Bound) -> Bound:
    if a is None or b.value < a.value or (b.value == a.value and b.exclusive):
        return b
    return a


def _column(name: str, col: pa.Column, duckdb_type: str) -> ColumnSpec:
    """Structured fields for the enforced built-in checks; the rest become named rules."""
    out: dict[str, Any] = {}
    rules: list[RuleSpec] = []
    for check in col.checks:
        s = check.statistics or {}
        if severity_of(check) != "ERROR":
            rules.append(RuleSpec("check", check.name, check.error or check.name, "WARN", dict(s)))
            continue
        match check.name:
            case "greater_than_or_equal_to":
                out["minimum"] = _tighter_min(out.get("minimum"), Bound(s["min_value"]))
            case "greater_than":
                out["minimum"] = _tighter_min(out.get("minimum"), Bound(s["min_value"], True))
            case "less_than_or_equal_to":
                out["maximum"] = _tighter_max(out.get("maximum"), Bound(s["max_value"]))
            case "less_than":
                out["maximum"] = _tighter_max(out.get("maximum"), Bound(s["max_value"], True))
            case "in_range":
                out["minimum"] = _tighter_min(
                    out.get("minimum"), Bound(s["min_value"], not s.get("include_min", True))
                )
                out["maximum"] = _tighter_max(
                    out.get("maximum"), Bound(s["max_value"], not s.get("include_max", True))
                )
            case "isin":
                out["allowed_values"] = tuple(sorted(s["allowed_values"], key=str))
            case "equal_to":
                out["allowed_values"] = (s["value"],)
            case "str_matches":
                out["pattern"] = s["pattern"]
            case "str_length":
                if s.get("min_value") is not None:
                    out["min_length"] = int(s["min_value"])
                if s.get("max_value") is not None:
                    out["max_length"] = int(s["max_value"])
            case _:
                rules.append(
                    RuleSpec("check", check.name, check.error or check.name, "ERROR", dict(s))
                )
    meta = col.metadata or {}
    return ColumnSpec(
        name=name,
        type=duckdb_type,
        required=not col.nullable,
        unique=bool(col.unique),
        classification=meta.get("classification", ""),
        description=col.description or "",
        rules=tuple(rules),
        **out,
    )


def contract_spec(product: Product, version: ProductVersion) -> ContractSpec:
    """The spec of one product version, from its pandera contract and its product YAML."""
    schema = version.schema
    types = {c.name: c.type for c in version.columns}
    columns = tuple(_column(name, col, types[name]) for name, col in schema.columns.items())
    rules = [
        RuleSpec(
            "check",
            check.name,
            check.error or check.name,
            severity_of(check),
            check.statistics or {},
        )
        for check in schema.checks
    ]
    config = version.contract.Config
    for rule in (getattr(config, "metadata", None) or {}).get("cross_product", []):
        stats = {k: v for k, v in rule.items() if k not in {"name", "severity"}}
        rules.append(
            RuleSpec("cross_product", rule["name"], _describe_cross(rule), rule["severity"], stats)
        )
    return ContractSpec(
        product=product.key,
        major=version.major,
        version=version.version,
        status=version.status,
        columns=columns,
        primary_key=tuple(schema.unique or ()),
        strict=bool(schema.strict),
        rules=tuple(rules),
        description=product.description,
        contract_description=" ".join((version.contract.__doc__ or "").split()),
        owner_team=product.owner_team,
        owner_email=product.owner_email,
        access=product.access,
        freshness_sla_hours=product.freshness_sla_hours,
        deprecated_on=str(version.deprecated_on) if version.deprecated_on else None,
        sunset_on=str(version.sunset_on) if version.sunset_on else None,
        partition_column=product.governance.partition_column,
        contract_ref=version.contract_ref,
    )


def _describe_cross(rule: dict[str, Any]) -> str:
    match rule["kind"]:
        case "references":
            return f"every {rule['column']} exists in {rule['product']}.{rule['to']}"
        case "matches":
            return (
                f"{rule['column']} equals {rule['product']}.{rule['to']} for the same {rule['on']}"
            )
        case "ratio_to":
            return (
                f"{rule['column']} / {rule['product']}.{rule['to']} (by {rule['on']}) within "
                f"{rule['min_ratio']}-{rule['max_ratio']}"
            )
        case "stock_flow":
            return (
                f"on-hand change = receipts ({rule['receipts']}) - sales ({rule['sales']}) "
                f"within {rule['tolerance_units']} units per SKU x location x day"
            )
    return rule["kind"]
