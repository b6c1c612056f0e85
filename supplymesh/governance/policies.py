"""Central policies as code: what every domain's product must declare, checked the same way in
CI (``mesh contracts check``) and at run time (a Dagster asset check per product version).

Domains own their products; the platform owns these rules. Each policy is a small function over
one product's definition that returns its violations, so a new rule is one function in
``POLICIES``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from supplymesh.governance.contract_changes.project_tree import ProjectDefinitions
from supplymesh.governance.contract_changes.spec import ContractSpec
from supplymesh.registry import ACCESS_LEVELS

CLASSIFICATIONS = ("public", "internal", "confidential", "pii")
STATUSES = ("active", "deprecated", "retired")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
# column names that hold personal data whatever the domain: they must be classified pii
PII_NAME = re.compile(
    r"(^|_)(e?mail|email_address|phone|mobile|address|street|postcode|zip|birth|dob|iban|"
    r"ssn|passport|first_name|last_name|full_name|customer_id|customer_name|ip_address)($|_)"
)
MIN_DESCRIPTION = 20


@dataclass(frozen=True)
class Violation:
    policy: str
    subject: str
    message: str

    def describe(self) -> str:
        return f"[{self.policy}] {self.subject}: {self.message}"


Policy = Callable[[str, dict[str, Any], list[ContractSpec]], Iterator[Violation]]


def owner_declared(key: str, meta: dict, specs: list[ContractSpec]) -> Iterator[Violation]:
    """Every product names an owning team and a reachable e-mail address."""
    for spec in specs[:1]:
        if not spec.owner_team:
            yield Violation("owner", key, "no owning team")
        if not EMAIL.match(spec.owner_email or ""):
            yield Violation("owner", key, f"owner e-mail {spec.owner_email!r} is not an address")


def described(key: str, meta: dict, specs: list[ContractSpec]) -> Iterator[Violation]:
    """The product and every column of every version say what they are."""
    for spec in specs[:1]:
        if len(spec.description) < MIN_DESCRIPTION:
            yield Violation(
                "description", key, f"product description shorter than {MIN_DESCRIPTION} chars"
            )
    for spec in specs:
        for col in spec.columns:
            if not col.description.strip():
                yield Violation(
                    "description", f"{key} v{spec.major}", f"column {col.name} undescribed"
                )


def domain_declared(key: str, meta: dict, specs: list[ContractSpec]) -> Iterator[Violation]:
    """The YAML's domain and name match its place: ``data_products/<domain>/<name>.yaml``."""
    if meta["domain"] != meta["folder"]:
        yield Violation("domain", key, f"domain {meta['domain']} but file in {meta['folder']}/")
    if meta["name"] != meta["file"]:
        yield Violation("domain", key, f"name {meta['name']} but file {meta['file']}.yaml")


def status_valid(key: str, meta: dict, specs: list[ContractSpec]) -> Iterator[Violation]:
    """Every version has a known status and a semver label of its major; one is active."""
    versions = meta["versions"]
    majors = [v["major"] for v in versions]
    if len(majors) != len(set(majors)):
        yield Violation("status", key, f"major versions declared twice: {majors}")
    if not any(v["status"] == "active" for v in versions):
        yield Violation("status", key, "no active version")
    for v in versions:
        if v["status"] not in STATUSES:
            yield Violation("status", f"{key} v{v['major']}", f"unknown status {v['status']!r}")
        match = SEMVER.match(str(v["version"]))
        if not match or int(match.group(1)) != v["major"]:
            yield Violation(
                "status",
                f"{key} v{v['major']}",
                f"version {v['version']!r} is not a semver label of major {v['major']}",
            )


def sla_declared(key: str, meta: dict, specs: list[ContractSpec]) -> Iterator[Violation]:
    """Every product promises a freshness SLA and an access level."""
    for spec in specs[:1]:
        if not spec.freshness_sla_hours or spec.freshness_sla_hours <= 0:
            yield Violation("sla", key, "no positive freshness_sla_hours")
        if spec.access not in ACCESS_LEVELS:
            yield Violation("sla", key, f"access {spec.access!r} not one of {ACCESS_LEVELS}")


def columns_classified(key: str, meta: dict, specs: list[ContractSpec]) -> Iterator[Violation]:
    """Every column carries a known classification (it decides what each role sees)."""
    for spec in specs:
        for col in spec.columns:
            if col.classification not in CLASSIFICATIONS:
                yield Violation(
                    "classification",
                    f"{key} v{spec.major}",
                    f"column {col.name} classification {col.classification!r} not one of "
                    f"{CLASSIFICATIONS}",
                )


def pii_classified(key: str, meta: dict, specs: list[ContractSpec]) -> Iterator[Violation]:
    """Columns whose names say they hold personal data are classified pii."""
    for spec in specs:
        for col in spec.columns:
            if PII_NAME.search(col.name) and col.classification != "pii":
                yield Violation(
                    "pii",
                    f"{key} v{spec.major}",
                    f"column {col.name} looks like personal data but is classified "
                    f"{col.classification!r}",
                )


def deprecation_dated(key: str, meta: dict, specs: list[ContractSpec]) -> Iterator[Violation]:
    """A deprecated version says since when, and until when it is served (sunset after)."""
    for v in meta["versions"]:
        if v["status"] != "deprecated":
            continue
        subject = f"{key} v{v['major']}"
        if not v["deprecated_on"]:
            yield Violation("deprecation", subject, "deprecated without deprecated_on")
        if not v["sunset_on"]:
            yield Violation("deprecation", subject, "deprecated without sunset_on")
        elif v["deprecated_on"] and dt.date.fromisoformat(v["sunset_on"]) <= dt.date.fromisoformat(
            v["deprecated_on"]
        ):
            yield Violation("deprecation", subject, "sunset_on is not after deprecated_on")


POLICIES: tuple[Policy, ...] = (
    owner_declared,
    described,
    domain_declared,
    status_valid,
    sla_declared,
    columns_classified,
    pii_classified,
    deprecation_dated,
)


def product_violations(defs: ProjectDefinitions, key: str) -> list[Violation]:
    """Every policy violation of one product (contract load errors included)."""
    meta = defs.products[key]
    specs = [
        defs.specs[(key, v["major"])] for v in meta["versions"] if (key, v["major"]) in defs.specs
    ]
    out = [
        Violation("contract", subject, message)
        for subject, message in defs.errors
        if subject.startswith(f"{key} v")
    ]
    for policy in POLICIES:
        out.extend(policy(key, meta, specs))
    return out


def all_violations(defs: ProjectDefinitions, published: set[str] | None = None) -> list[Violation]:
    """Every violation of every product, plus definitions that do not load and products being
    served (``published``, from the manifest) that no definition declares: every published
    product has a contract."""
    out = [
        Violation("definition", subject, message)
        for subject, message in defs.errors
        if not any(subject.startswith(f"{key} v") for key in defs.products)
    ]
    for key in defs.products:
        out.extend(product_violations(defs, key))
    for key in sorted((published or set()) - set(defs.products)):
        out.append(Violation("contract", key, "published but no product definition or contract"))
    return out
