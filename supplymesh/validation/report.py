"""What a validation found: one result per contract rule, with evidence."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from supplymesh.validation.partitions import PartitionSummary

READABLE = "readable"  # the schema rule an input breaks when it cannot be read at all
WHOLE_INPUT_KINDS = ("schema", "volume")  # failures that block the whole version, never quarantine


@dataclass(frozen=True)
class RuleResult:
    """The outcome of one rule: how many rows broke it and a few of them."""

    rule: str
    column: str | None
    expected: str
    failing_rows: int
    severity: str = "ERROR"
    kind: str = "row"  # "schema" and "volume" rules fail the whole version; "row" rules quarantine
    sample: list[dict[str, Any]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.failing_rows == 0

    @property
    def message(self) -> str | None:
        """The one-paragraph explanation a whole-input failure carries (an unreadable file, a
        refused volume) instead of rows."""
        if self.kind in WHOLE_INPUT_KINDS and self.sample and "error" in self.sample[0]:
            return str(self.sample[0]["error"])
        return None

    def describe(self, product: str) -> str:
        if self.message is not None:
            return f"{product}: {self.message}"
        where = f"column '{self.column}'" if self.column else "table"
        return (
            f"{product}: {where} breaks rule {self.rule} (expected {self.expected}) "
            f"in {self.failing_rows:,} rows"
        )


@dataclass(frozen=True)
class ValidationReport:
    """All rule results of one product version against one input."""

    product: str
    major: int
    version: str
    source: str
    rows_checked: int
    rejected_rows: int
    results: list[RuleResult]
    quarantine_tolerance: float = 0.0
    partitions: PartitionSummary | None = None

    @property
    def label(self) -> str:
        return f"{self.product} v{self.major}"

    @property
    def failures(self) -> list[RuleResult]:
        return [r for r in self.results if not r.passed]

    @property
    def blocking_failures(self) -> list[RuleResult]:
        return [r for r in self.failures if r.severity == "ERROR"]

    @property
    def schema_failures(self) -> list[RuleResult]:
        return [r for r in self.blocking_failures if r.kind == "schema"]

    @property
    def publishable(self) -> bool:
        """Whether the valid rows may be published.

        A schema break (missing column, unreadable file) or a refused volume always blocks.
        Row-level breaks block unless the product tolerates quarantining a small share of its rows.
        """
        if any(r.kind in WHOLE_INPUT_KINDS for r in self.blocking_failures):
            return False
        if not self.blocking_failures:
            return True
        share = self.rejected_rows / self.rows_checked if self.rows_checked else 1.0
        return share <= self.quarantine_tolerance

    @property
    def passed(self) -> bool:
        return not self.blocking_failures

    def summary(self) -> str:
        """A human report: one line per failing rule with a sample of offending rows."""
        verdict = "PASSED" if self.passed else "FAILED"
        unreadable = next((r for r in self.failures if r.rule == READABLE), None)
        if unreadable is not None:  # one paragraph: there are no rows to report on
            return f"{self.label} ({self.version}): {verdict} - {unreadable.message}"
        lines = [
            f"{self.label} ({self.version}) against {self.source}: {verdict} - "
            f"{self.rows_checked:,} rows checked, {self.rejected_rows:,} rejected, "
            f"{len(self.failures)} of {len(self.results)} rules failing"
        ]
        if self.partitions is not None:
            lines.append(f"  {self.partitions.describe()}")
            for p in self.partitions.failing[:5]:
                rules = ", ".join(f"{k} ({v:,})" for k, v in p["rules"].items())
                lines.append(f"    {self.partitions.column}={p['partition']}: {rules}")
        for r in self.failures:
            lines.append(f"  [{r.severity}] {r.describe(self.label)}")
            for row in [] if r.message is not None else r.sample[:3]:
                lines.append(f"      e.g. {json.dumps(row, default=str)}")
        for r in self.results:
            if r.kind == "skipped":
                lines.append(f"  [SKIP] {r.rule}: {r.expected}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.update(passed=self.passed, publishable=self.publishable)
        return out
