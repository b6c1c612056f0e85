"""The volume rule: a publish may not empty a product, nor shrink it past its bound.

A producer's failed export (a 0-byte file, a header with no rows, one day where the whole
history belongs) passes every row rule: there are no rows to break them. Yet publishing it would
take the product's rows away from every consumer. So before a new version is switched in, its
row count is compared with the version being served: fewer than ``1 - max_shrink`` of the served
rows, or none at all where the product's YAML does not say ``may_be_empty``, and the publish is
refused as an ERROR (the last good version stays served). A steward who means it lets one
product through (``mesh materialize --allow-shrink PRODUCT``); the override is audited.

A batch replaces the product (the snapshot a publish writes holds the batch's valid rows only,
partitioned products included), so the comparison is always whole version against whole
version: a daily product's batch of one new day shrinks it to that day.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from supplymesh.governance import audit
from supplymesh.registry import Product
from supplymesh.settings import MeshPaths
from supplymesh.validation.report import RuleResult, ValidationReport

RULE = "volume"
OVERRIDE = "volume_override"  # the audit action of a refusal a steward overrode
ALL_PRODUCTS = (
    "all"  # ``--allow-shrink all``: every product, e.g. when switching to a smaller world
)


@dataclass(frozen=True)
class VolumeVerdict:
    """How a new version's rows compare with the served ones, and what the rule says."""

    product: str
    previous_rows: int | None  # None: nothing served yet
    new_rows: int
    max_shrink: float
    may_be_empty: bool

    @property
    def empties(self) -> bool:
        return self.new_rows == 0 and not self.may_be_empty

    @property
    def shrink(self) -> float:
        """The share of the served rows the new version loses (0 when it grows)."""
        if not self.previous_rows:
            return 0.0
        return max(0.0, 1 - self.new_rows / self.previous_rows)

    @property
    def breaks(self) -> bool:
        return self.empties or self.shrink > self.max_shrink

    def describe(self) -> str:
        """Previous and new row counts and the bound, in one sentence (the caller names the
        product)."""
        served = f" where {self.previous_rows:,} rows are served" if self.previous_rows else ""
        if self.empties:
            what = (
                "would leave the product empty (its YAML does not declare volume.may_be_empty; "
                f"bound volume.max_shrink {self.max_shrink:.0%})"
            )
        else:
            what = (
                f"would shrink it by {self.shrink:.0%}, more than its bound "
                f"volume.max_shrink {self.max_shrink:.0%}"
            )
        return f"a new version of {self.new_rows:,} rows{served} {what}"


def judge(product: Product, previous_rows: int | None, new_rows: int) -> VolumeVerdict:
    """The volume rule for ``product`` moving from ``previous_rows`` to ``new_rows``."""
    bounds = product.governance.volume
    return VolumeVerdict(
        product.key, previous_rows, new_rows, bounds.max_shrink, bounds.may_be_empty
    )


def allowed(product_key: str, allow_shrink: frozenset[str] | set[str]) -> bool:
    """Whether a steward let ``product_key`` through (by name, or ``all``)."""
    return product_key in allow_shrink or ALL_PRODUCTS in allow_shrink


def refusal(verdict: VolumeVerdict, what_to_do: str) -> RuleResult:
    """The blocking result of a broken volume rule, as the contract check shows it
    (``what_to_do``: the sentence after the verdict)."""
    return RuleResult(
        RULE,
        None,
        f"at most {verdict.max_shrink:.0%} fewer rows than served"
        + ("" if verdict.may_be_empty else ", never none"),
        1,  # the whole version breaks it, not some of its rows
        kind="volume",
        sample=[
            {
                "error": f"{verdict.describe()}. {what_to_do}",
                "previous_rows": verdict.previous_rows,
                "new_rows": verdict.new_rows,
                "max_shrink": verdict.max_shrink,
            }
        ],
    )


def apply(
    report: ValidationReport,
    product: Product,
    served_rows: int | None,
    *,
    allow: bool,
    what_to_do: str,
) -> tuple[ValidationReport, VolumeVerdict | None]:
    """The volume rule over a validated ``report`` (its valid rows against ``served_rows``): the
    report with the refusal added when the rule breaks, or unchanged with the broken verdict a
    steward overrides (``allow``). Only a publishable report is judged: another failure already
    refuses the version."""
    if not report.publishable:
        return report, None
    verdict = judge(product, served_rows, report.rows_checked - report.rejected_rows)
    if not verdict.breaks:
        return report, None
    if allow:
        return report, verdict
    return replace(report, results=[*report.results, refusal(verdict, what_to_do)]), None


def record_override(
    paths: MeshPaths, verdict: VolumeVerdict, subject: str, actor: str, requested_by: str
) -> dict:
    """Audit a publish the volume rule would have refused and a steward let through."""
    return audit.record(
        paths,
        OVERRIDE,
        subject,
        actor,
        f"volume rule overridden by --allow-shrink: {verdict.product}: {verdict.describe()}",
        {
            "previous_rows": verdict.previous_rows,
            "new_rows": verdict.new_rows,
            "max_shrink": verdict.max_shrink,
            "may_be_empty": verdict.may_be_empty,
            "requested_by": requested_by,
        },
    )
