"""The semver gate of ``mesh contracts check``: what a change to the product definitions may ship.

Against the definitions of a base git ref it fails when a product version changes in a way
that breaks its consumers without a new major version, when a version's label is not bumped for
a compatible change, and when a major version disappears (or is retired) before its sunset date.
It also validates every definition and runs the central policies. Each failing change lists the
consumers it affects, from the mesh's lineage.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from supplymesh.governance.contract_changes.diff import ContractDiff, diff_contracts
from supplymesh.governance.contract_changes.project_tree import ProjectDefinitions
from supplymesh.governance.contract_changes.spec import ContractSpec
from supplymesh.governance.policies import SEMVER, Violation, all_violations

Level = Literal["error", "warning", "info"]
Consumers = Callable[[str, int, list[str] | None], dict[str, list[str]]]


@dataclass
class Finding:
    level: Level
    kind: str
    subject: str
    message: str
    consumers: dict[str, list[str]] | None = None

    def describe(self) -> str:
        text = f"{self.level.upper():<7} [{self.kind}] {self.subject}: {self.message}"
        if self.consumers:
            for what, names in self.consumers.items():
                if names:
                    text += f"\n          affects {what}: {', '.join(names)}"
        return text


@dataclass
class GateReport:
    base: str | None
    findings: list[Finding] = field(default_factory=list)
    diffs: list[ContractDiff] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not any(f.level == "error" for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "base": self.base,
            "passed": self.passed,
            "findings": [f.__dict__ for f in self.findings],
            "diffs": [d.to_dict() for d in self.diffs],
        }

    def summary(self) -> str:
        errors = sum(f.level == "error" for f in self.findings)
        against = f" against {self.base}" if self.base else ""
        lines = [f.describe() for f in self.findings]
        lines.append(
            f"contracts check{against}: {'PASSED' if self.passed else 'FAILED'} "
            f"({errors} errors, {len(self.findings) - errors} other findings)"
        )
        return "\n".join(lines)


def label_bump(old: str, new: str) -> str:
    """How the version label moved: major, minor, patch, none or down."""
    a, b = SEMVER.match(old), SEMVER.match(new)
    if not a or not b:
        return "none"
    old_t, new_t = tuple(map(int, a.groups())), tuple(map(int, b.groups()))
    if new_t < old_t:
        return "down"
    for part, name in zip(range(3), ("major", "minor", "patch"), strict=True):
        if new_t[part] != old_t[part]:
            return name
    return "none"


def _changed_columns(diff: ContractDiff) -> list[str] | None:
    """The columns a breaking change touches; None when it touches the table as a whole."""
    breaking = [c for c in diff.changes if c.breaking]
    if any(c.column is None for c in breaking):
        return None
    return sorted({c.column for c in breaking if c.column})


def _removal_allowed(base: dict[str, Any], today: dt.date) -> tuple[bool, str]:
    """A major may go once it was deprecated and its sunset date has passed."""
    if base["status"] == "retired":
        return True, "already retired"
    if base["status"] != "deprecated":
        return False, f"it was {base['status']}, never deprecated"
    until = base["sunset_on"] or base["deprecated_on"]
    if until is None:
        return False, "it has no sunset date"
    if today < dt.date.fromisoformat(until):
        return False, f"its sunset date {until} has not passed (today {today})"
    return True, f"sunset {until} has passed"


def _version_meta(defs: ProjectDefinitions, product: str, major: int) -> dict[str, Any] | None:
    meta = defs.products.get(product)
    if meta is None:
        return None
    return next((v for v in meta["versions"] if v["major"] == major), None)


def _compare_version(
    report: GateReport,
    old: ContractSpec,
    new: ContractSpec,
    consumers: Consumers | None,
) -> None:
    subject = f"{new.product} v{new.major}"
    diff = diff_contracts(old, new)
    if not diff.changes:
        return
    report.diffs.append(diff)
    bump = label_bump(old.version, new.version)
    if diff.breaking:
        kinds = sorted(
            {f"{c.kind}({c.column})" if c.column else c.kind for c in diff.changes if c.breaking}
        )
        report.findings.append(
            Finding(
                "error",
                "breaking_change",
                subject,
                f"breaking change without a new major version ({', '.join(kinds)}); publish it "
                f"as v{new.major + 1} and deprecate v{new.major} with a sunset date",
                consumers(new.product, new.major, _changed_columns(diff)) if consumers else None,
            )
        )
    elif bump == "down":
        report.findings.append(
            Finding(
                "error",
                "version_label",
                subject,
                f"version went down {old.version} -> {new.version}",
            )
        )
    elif diff.required_bump == "minor" and bump not in ("minor",):
        report.findings.append(
            Finding(
                "error",
                "version_label",
                subject,
                f"compatible contract change needs a minor bump of {old.version} "
                f"(found {new.version})",
            )
        )
    elif diff.required_bump == "patch" and bump == "none":
        report.findings.append(
            Finding(
                "warning",
                "version_label",
                subject,
                f"metadata changed: bump the patch of {old.version}",
            )
        )
    else:
        report.findings.append(
            Finding(
                "info",
                "compatible_change",
                subject,
                f"{diff.required_bump} change, {old.version} -> {new.version}",
            )
        )


def compare(
    base: ProjectDefinitions,
    head: ProjectDefinitions,
    today: dt.date,
    consumers: Consumers | None = None,
    base_label: str = "base",
) -> GateReport:
    """The semver findings of ``head`` against ``base``."""
    report = GateReport(base_label)
    for (product, major), new in sorted(head.specs.items()):
        old = base.specs.get((product, major))
        if old is not None:
            _compare_version(report, old, new, consumers)
            base_meta = _version_meta(base, product, major)
            if new.status == "retired" and base_meta and base_meta["status"] != "retired":
                allowed, why = _removal_allowed(base_meta, today)
                if not allowed:
                    report.findings.append(
                        Finding(
                            "error",
                            "retired_early",
                            f"{product} v{major}",
                            f"retired while consumers may still read it: {why}",
                            consumers(product, major, None) if consumers else None,
                        )
                    )
        elif _version_meta(base, product, major) is None:
            report.findings.append(
                Finding("info", "new_version", f"{product} v{major}", f"new major {new.version}")
            )
    for (product, major), _old in sorted(base.specs.items()):
        if (product, major) in head.specs or _version_meta(head, product, major) is not None:
            continue
        allowed, why = _removal_allowed(_version_meta(base, product, major), today)
        report.findings.append(
            Finding(
                "info" if allowed else "error",
                "major_removed",
                f"{product} v{major}",
                f"removed: {why}",
                None if allowed or consumers is None else consumers(product, major, None),
            )
        )
    return report


def check(
    head: ProjectDefinitions,
    today: dt.date,
    base: ProjectDefinitions | None = None,
    base_label: str | None = None,
    consumers: Consumers | None = None,
    published: set[str] | None = None,
    extra: list[Violation] | None = None,
) -> GateReport:
    """Definitions and central policies of ``head`` (plus ``extra`` violations found elsewhere,
    e.g. in the dbt marts), then the semver gate against ``base``."""
    report = (
        compare(base, head, today, consumers, base_label or "base")
        if base is not None
        else GateReport(None)
    )
    report.findings[:0] = [
        Finding("error", f"policy:{v.policy}", v.subject, v.message)
        for v in [*all_violations(head, published), *(extra or [])]
    ]
    return report
