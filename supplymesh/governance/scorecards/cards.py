"""One scorecard per product version, from the evidence the mesh already keeps.

The audit trail holds every contract check (``validation`` entries), the quality history every
measured snapshot, the manifest what each version serves and since when, and lineage who reads
it. This module gathers that evidence per version and hands it to ``components`` (the formula).
The manifest belongs to publishing, a layer above governance, so callers pass the served
snapshot in (``served``), as they pass the asset graph to ``lineage.lineage_graph``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any

from supplymesh.governance import audit
from supplymesh.governance.contract_changes.spec import contract_spec
from supplymesh.governance.lineage import LineageGraph, affected_consumers
from supplymesh.governance.quality import read_metrics
from supplymesh.governance.scorecards import components
from supplymesh.registry import Product, ProductVersion
from supplymesh.settings import MeshPaths

# (product, major) -> the snapshot the manifest serves (``published_at`` ISO UTC), or None
ServedSnapshot = Callable[[str, int], dict[str, Any] | None]


@dataclass(frozen=True)
class Scorecard:
    """How well one product version is kept; components are shares from 0 to 1."""

    product: str
    major: int
    version: str
    status: str
    owner: str
    documentation: float
    rule_coverage: float
    pass_rate: float | None
    validations: int
    freshness: float
    hours_since_publish: float | None
    freshness_sla_hours: float
    quality: float | None
    quality_trend: str
    deprecated_on: dt.date | None
    sunset_on: dt.date | None
    downstream_products: int
    consumers: str  # the downstream products, comma-separated
    score: float
    scored_at: dt.datetime

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("deprecated_on", "sunset_on", "scored_at"):
            out[key] = out[key].isoformat() if out[key] else None
        return out


def _label(product: str, major: int) -> str:
    return f"{product} v{major}"  # the audit trail's subject of a version


def validation_outcomes(entries: Iterable[dict[str, Any]]) -> dict[str, list[bool]]:
    """Every contract check's verdict per version (``sales.orders v2``), oldest first."""
    out: dict[str, list[bool]] = defaultdict(list)
    for entry in entries:
        if entry.get("action") == audit.VALIDATION:
            out[entry["subject"]].append(bool(entry.get("details", {}).get("passed")))
    return out


def breach_shares(metrics: Iterable[dict[str, Any]]) -> dict[str, list[float]]:
    """Per version, each measured snapshot's share of thresholded metrics breached (0 when it
    had none to breach), oldest first."""
    per_snapshot: dict[tuple[str, str], list[bool]] = {}
    order: dict[str, list[str]] = defaultdict(list)
    for m in metrics:
        label = _label(m["product"], int(m["major"]))
        key = (label, m["snapshot_id"])
        if key not in per_snapshot:
            per_snapshot[key] = []
            order[label].append(m["snapshot_id"])
        if m.get("threshold") is not None:
            per_snapshot[key].append(bool(m["breached"]))
    return {
        label: [
            sum(flags) / len(flags) if (flags := per_snapshot[(label, s)]) else 0.0
            for s in snapshots
        ]
        for label, snapshots in order.items()
    }


def _hours_since(snapshot: dict[str, Any] | None, now: dt.datetime) -> float | None:
    if not snapshot or not snapshot.get("published_at"):
        return None
    published = dt.datetime.fromisoformat(snapshot["published_at"])
    return round(max((now - published).total_seconds(), 0.0) / 3600, 2)


def scorecard(
    product: Product,
    version: ProductVersion,
    evidence: tuple[list[bool], list[float], dict[str, Any] | None],
    consumers: list[str],
    now: dt.datetime,
) -> Scorecard:
    """The scorecard of one version from its evidence: (contract check verdicts, quality breach
    shares per snapshot, the served snapshot)."""
    outcomes, shares, snapshot = evidence
    spec = contract_spec(product, version)
    hours = _hours_since(snapshot, now)
    parts: dict[str, float | None] = {
        "documentation": components.documentation(spec),
        "rule_coverage": components.rule_coverage(spec),
        "pass_rate": components.pass_rate(outcomes),
        "freshness": components.freshness(hours, product.freshness_sla_hours),
        "quality": components.quality(shares),
    }
    return Scorecard(
        product=product.key,
        major=version.major,
        version=version.version,
        status=version.status,
        owner=product.owner_team,
        documentation=round(parts["documentation"] or 0.0, 4),
        rule_coverage=round(parts["rule_coverage"] or 0.0, 4),
        pass_rate=parts["pass_rate"],
        validations=len(outcomes[-components.VALIDATION_WINDOW :]),
        freshness=round(parts["freshness"] or 0.0, 4),
        hours_since_publish=hours,
        freshness_sla_hours=product.freshness_sla_hours,
        quality=None if parts["quality"] is None else round(parts["quality"], 4),
        quality_trend=components.quality_trend(shares),
        deprecated_on=version.deprecated_on,
        sunset_on=version.sunset_on,
        downstream_products=len(consumers),
        consumers=", ".join(consumers),
        score=components.score(parts),
        scored_at=now.replace(tzinfo=None),
    )


def build_scorecards(
    paths: MeshPaths,
    products: Iterable[Product],
    graph: LineageGraph,
    served: ServedSnapshot,
    now: dt.datetime | None = None,
) -> list[Scorecard]:
    """A scorecard per version of ``products``, from the audit trail and quality history under
    ``paths``, the ``served`` snapshots and the lineage ``graph`` (for consumers)."""
    now = now or dt.datetime.now(dt.UTC)
    outcomes = validation_outcomes(audit.read_entries(paths))
    shares = breach_shares(read_metrics(paths))
    cards = []
    for product in products:
        for version in product.versions:
            label = _label(product.key, version.major)
            consumers = affected_consumers(graph, product.key, version.major, None)["products"]
            evidence = (
                outcomes.get(label, []),
                shares.get(label, []),
                served(product.key, version.major),
            )
            cards.append(scorecard(product, version, evidence, consumers, now))
    return cards
