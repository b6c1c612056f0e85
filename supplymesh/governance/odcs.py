"""ODCS v3.1.0: the open Data Contract Standard form of a product version's contract.

``to_odcs`` writes one document per product version from its ``ContractSpec``; ``from_odcs``
reads one back (ours or anyone's), so ``mesh contracts diff`` compares ODCS files with the same
rules as the project's own contracts. Every export is validated against the official JSON Schema
vendored in ``standards/``.

Enforced constraints map onto ODCS's own fields (``required``, ``unique``, ``primaryKey``,
``logicalTypeOptions`` ranges, patterns and lengths, an ``invalidValues`` quality metric for
allowed values, ``relationships`` for references); rules ODCS has no field for are ``custom``
quality entries run by the ``supplymesh`` engine, whose ``implementation`` carries the rule.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from supplymesh.governance.access import ROLES
from supplymesh.governance.contract_changes.spec import Bound, ColumnSpec, ContractSpec, RuleSpec
from supplymesh.settings import PROJECT_ROOT

API_VERSION = "v3.1.0"
SCHEMA_PATH = PROJECT_ROOT / "standards" / "odcs-json-schema-v3.1.0.json"
ENGINE = "supplymesh"

LOGICAL_TYPES = {
    "BIGINT": ("integer", "i64"),
    "INTEGER": ("integer", "i32"),
    "DOUBLE": ("number", "f64"),
    "VARCHAR": ("string", None),
    "DATE": ("date", None),
    "TIMESTAMP": ("timestamp", None),
    "BOOLEAN": ("boolean", None),
}
PHYSICAL_FROM_LOGICAL = {
    "integer": "BIGINT",
    "number": "DOUBLE",
    "string": "VARCHAR",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "boolean": "BOOLEAN",
}
_SEVERITY = {"ERROR": "error", "WARN": "warning"}


class OdcsError(ValueError):
    """An ODCS document is invalid or cannot be read as a product version's contract."""


def contract_id(product: str, major: int) -> str:
    """The ODCS ``id`` of one product version (what ODPS output ports name as ``contractId``)."""
    return f"{product}.v{major}"


def file_name(spec: ContractSpec) -> str:
    return f"{contract_id(spec.product, spec.major)}.odcs.yaml"


@cache
def _validator(schema_path: Path) -> jsonschema.protocols.Validator:
    schema = json.loads(schema_path.read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def schema_errors(schema_path: Path, document: dict[str, Any]) -> list[str]:
    """Every way ``document`` breaks the vendored JSON Schema at ``schema_path`` (empty when
    valid), each as ``path: message``: the one check of the ODCS and ODPS exports."""
    errors = _validator(schema_path).iter_errors(document)
    return [
        f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}"
        for e in sorted(errors, key=lambda e: list(e.absolute_path))
    ]


def validation_errors(document: dict[str, Any]) -> list[str]:
    """Every way ``document`` breaks the official ODCS v3.1.0 JSON Schema (empty when valid)."""
    return schema_errors(SCHEMA_PATH, document)


def _custom(key: str, value: Any) -> dict[str, Any]:
    return {"property": key, "value": value}


def _rule_quality(rule: RuleSpec) -> dict[str, Any]:
    return {
        "name": rule.name,
        "description": rule.description,
        "type": "custom",
        "engine": ENGINE,
        "implementation": {"kind": rule.kind, "statistics": rule.statistics},
        "severity": _SEVERITY[rule.severity],
        "dimension": "consistency" if rule.kind == "cross_product" else "conformity",
    }


def _range_options(col: ColumnSpec) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for bound, inclusive, exclusive in (
        (col.minimum, "minimum", "exclusiveMinimum"),
        (col.maximum, "maximum", "exclusiveMaximum"),
    ):
        if bound is not None:
            value = bound.value if col.type in ("BIGINT", "INTEGER", "DOUBLE") else str(bound.value)
            out[exclusive if bound.exclusive else inclusive] = value
    return out


def _property(col: ColumnSpec, spec: ContractSpec) -> dict[str, Any]:
    logical, fmt = LOGICAL_TYPES[col.type]
    prop: dict[str, Any] = {
        "name": col.name,
        "logicalType": logical,
        "physicalType": col.type,
        "description": col.description,
        "required": col.required,
        "unique": col.unique,
        "classification": col.classification,
    }
    options = _range_options(col)
    if fmt:
        options["format"] = fmt
    if logical == "string":
        if col.pattern is not None:
            options["pattern"] = col.pattern
        if col.min_length is not None:
            options["minLength"] = col.min_length
        if col.max_length is not None:
            options["maxLength"] = col.max_length
    if options:
        prop["logicalTypeOptions"] = options
    if col.name in spec.primary_key:
        prop["primaryKey"] = True
        prop["primaryKeyPosition"] = spec.primary_key.index(col.name) + 1
    if col.name == spec.partition_column:
        prop["partitioned"] = True
        prop["partitionKeyPosition"] = 1
    quality = []
    if col.allowed_values is not None:
        quality.append(
            {
                "name": "allowed_values",
                "metric": "invalidValues",
                "arguments": {"validValues": list(col.allowed_values)},
                "mustBe": 0,
                "severity": "error",
                "dimension": "conformity",
            }
        )
    quality += [_rule_quality(r) for r in col.rules]
    if quality:
        prop["quality"] = quality
    references = [
        r
        for r in spec.rules
        if r.kind == "cross_product"
        and r.statistics.get("kind") == "references"
        and r.statistics.get("column") == col.name
    ]
    if references:
        prop["relationships"] = [
            {
                "type": "foreignKey",
                "to": f"{r.statistics['product'].replace('.', '_')}.{r.statistics['to']}",
            }
            for r in references
        ]
    return prop


def to_odcs(spec: ContractSpec) -> dict[str, Any]:
    """The ODCS v3.1.0 document of one product version."""
    custom = [
        _custom("product", spec.product),
        _custom("major", spec.major),
        _custom("access", spec.access),
        _custom("strict", spec.strict),
        _custom("contractRef", spec.contract_ref),
    ]
    if spec.deprecated_on:
        custom.append(_custom("deprecatedOn", spec.deprecated_on))
    if spec.sunset_on:
        custom.append(_custom("sunsetOn", spec.sunset_on))
    limitations = "Columns classified pii are keyed pseudonyms for the analyst role."
    if spec.deprecated_on:
        limitations += f" Deprecated since {spec.deprecated_on}; sunset {spec.sunset_on}."
    document: dict[str, Any] = {
        "apiVersion": API_VERSION,
        "kind": "DataContract",
        "id": contract_id(spec.product, spec.major),
        "name": f"{spec.product} v{spec.major}",
        "version": spec.version,
        "status": spec.status,
        "domain": spec.domain,
        "description": {
            "purpose": spec.description,
            "usage": f"SELECT * FROM {spec.domain}.{spec.table}",
            "limitations": limitations,
        },
        "tags": [spec.domain, f"access:{spec.access}"],
        "team": {
            "name": spec.owner_team,
            "members": [{"username": spec.owner_email, "role": "owner"}],
        },
        "roles": [
            {"role": r.name, "access": "read", "description": r.description}
            for r in ROLES.values()
            if r.may_read_access(spec.access)
        ],
        "schema": [
            {
                "name": spec.table,
                "physicalName": f"{spec.domain}.{spec.table}",
                "physicalType": "view",
                "logicalType": "object",
                "description": spec.contract_description,
                "properties": [_property(c, spec) for c in spec.columns],
            }
        ],
        "customProperties": custom,
    }
    if spec.rules:
        document["schema"][0]["quality"] = [_rule_quality(r) for r in spec.rules]
    if spec.freshness_sla_hours is not None:
        document["slaProperties"] = [
            {
                "property": "frequency",
                "value": spec.freshness_sla_hours,
                "unit": "h",
                "description": "A new snapshot is published at least this often.",
            }
        ]
    return document


def _rule_from_quality(q: dict[str, Any]) -> RuleSpec:
    impl = q.get("implementation") if isinstance(q.get("implementation"), dict) else {}
    severity = "WARN" if str(q.get("severity", "error")).lower().startswith("warn") else "ERROR"
    return RuleSpec(
        kind=impl.get("kind", "check"),
        name=q.get("name") or q.get("description") or "rule",
        description=q.get("description", ""),
        severity=severity,
        statistics=dict(impl.get("statistics") or {}),
    )


def _bound(options: dict[str, Any], inclusive: str, exclusive: str) -> Bound | None:
    if exclusive in options:
        return Bound(options[exclusive], True)
    if inclusive in options:
        return Bound(options[inclusive], False)
    return None


def _column_from_property(prop: dict[str, Any]) -> ColumnSpec:
    options = prop.get("logicalTypeOptions") or {}
    allowed, rules = None, []
    for q in prop.get("quality") or []:
        if q.get("metric") == "invalidValues" and "validValues" in (q.get("arguments") or {}):
            allowed = tuple(sorted(q["arguments"]["validValues"], key=str))
        else:
            rules.append(_rule_from_quality(q))
    physical = str(prop.get("physicalType") or "").upper()
    if physical not in LOGICAL_TYPES:
        physical = PHYSICAL_FROM_LOGICAL.get(prop.get("logicalType", "string"), "VARCHAR")
    return ColumnSpec(
        name=prop["name"],
        type=physical,
        required=bool(prop.get("required", False)),
        unique=bool(prop.get("unique", False)),
        classification=prop.get("classification", ""),
        description=prop.get("description", ""),
        minimum=_bound(options, "minimum", "exclusiveMinimum"),
        maximum=_bound(options, "maximum", "exclusiveMaximum"),
        allowed_values=allowed,
        pattern=options.get("pattern"),
        min_length=options.get("minLength"),
        max_length=options.get("maxLength"),
        rules=tuple(rules),
    )


def from_odcs(document: dict[str, Any]) -> ContractSpec:
    """A ``ContractSpec`` from an ODCS v3 document with one schema object."""
    errors = validation_errors(document)
    if errors:
        raise OdcsError("not a valid ODCS v3.1.0 document:\n  " + "\n  ".join(errors[:10]))
    schema = document.get("schema") or []
    if len(schema) != 1:
        raise OdcsError(f"expected one schema object, found {len(schema)}")
    obj = schema[0]
    custom = {c["property"]: c["value"] for c in document.get("customProperties") or []}
    props = obj.get("properties") or []
    keyed = sorted(
        (p for p in props if p.get("primaryKey")), key=lambda p: p.get("primaryKeyPosition", 0)
    )
    partition = next((p["name"] for p in props if p.get("partitioned")), None)
    team = document.get("team") if isinstance(document.get("team"), dict) else {}
    members = team.get("members") or []
    sla = {s["property"]: s["value"] for s in document.get("slaProperties") or []}
    description = document.get("description") or {}
    major = custom.get("major")
    if major is None:
        major = int(str(document["version"]).split(".")[0])
    return ContractSpec(
        product=custom.get("product") or f"{document.get('domain', 'unknown')}.{obj['name']}",
        major=int(major),
        version=str(document["version"]),
        status=str(document.get("status", "")),
        columns=tuple(_column_from_property(p) for p in props),
        primary_key=tuple(p["name"] for p in keyed),
        strict=bool(custom.get("strict", True)),
        rules=tuple(_rule_from_quality(q) for q in obj.get("quality") or []),
        description=description.get("purpose", ""),
        contract_description=obj.get("description", ""),
        owner_team=team.get("name", ""),
        owner_email=members[0]["username"] if members else "",
        access=str(custom.get("access", "internal")),
        freshness_sla_hours=float(sla["frequency"]) if "frequency" in sla else None,
        deprecated_on=custom.get("deprecatedOn"),
        sunset_on=custom.get("sunsetOn"),
        partition_column=partition,
        contract_ref=str(custom.get("contractRef", "")),
    )
