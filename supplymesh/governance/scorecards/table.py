"""The scorecards as a table: one choice of columns, order and cell formats for every place
that shows them, so the Dagster UI, the terminal and the report never disagree.

``scorecard_rows`` gives the cells (lowest score first: what needs care comes first; each
component as a percentage, ``-`` where it has no evidence); ``markdown_table`` lays them out for
the scorecards asset's metadata, ``text_table`` for ``mesh products scorecard``, and ``mesh
report`` hands them to its HTML template. The cards are ``Scorecard`` objects or mappings with
their fields (the rows of the published ``governance.product_scorecards``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from supplymesh.governance.scorecards.cards import Scorecard

HEADINGS = (
    "product",
    "version",
    "score",
    "docs",
    "rules",
    "pass rate",
    "fresh",
    "quality",
    "trend",
    "status",
    "consumers",
)
NUMBERS = frozenset({"score", "docs", "rules", "pass rate", "fresh", "quality", "consumers"})


def _missing(value: Any) -> bool:
    """None, or a frame's NaN / NaT (the only values not equal to themselves)."""
    return value is None or value != value


def share(value: float | None) -> str:
    """A score component (a share from 0 to 1) as a percentage; ``-`` without evidence."""
    return "-" if _missing(value) else f"{value:.0%}"


def _fields(card: Scorecard | Mapping[str, Any]) -> Mapping[str, Any]:
    return card if isinstance(card, Mapping) else vars(card)


def _cells(card: Mapping[str, Any]) -> tuple[str, ...]:
    version = f"v{int(card['major'])}"
    if not _missing(card.get("version")):
        version += f" ({card['version']})"
    status = str(card["status"])
    if not _missing(card.get("sunset_on")):
        status += f" (sunset {str(card['sunset_on'])[:10]})"
    return (
        str(card["product"]),
        version,
        f"{float(card['score']):.1f}",
        share(card["documentation"]),
        share(card["rule_coverage"]),
        share(card["pass_rate"]),
        share(card["freshness"]),
        share(card["quality"]),
        str(card["quality_trend"]),
        status,
        str(int(card["downstream_products"])),
    )


def scorecard_rows(cards: Iterable[Scorecard | Mapping[str, Any]]) -> list[tuple[str, ...]]:
    """The cells of every card under ``HEADINGS``, lowest score first."""
    fields = sorted(map(_fields, cards), key=lambda c: (c["score"], c["product"], c["major"]))
    return [_cells(card) for card in fields]


def markdown_table(cards: Iterable[Scorecard | Mapping[str, Any]]) -> str:
    """The scorecards as a markdown table (numbers right-aligned)."""
    align = ("---:" if h in NUMBERS else "---" for h in HEADINGS)
    lines = [f"| {' | '.join(HEADINGS)} |", f"|{'|'.join(align)}|"]
    lines += [f"| {' | '.join(row)} |" for row in scorecard_rows(cards)]
    return "\n".join(lines)


def text_table(cards: Iterable[Scorecard | Mapping[str, Any]]) -> list[str]:
    """The scorecards as fixed-width lines, a heading line first, each column as wide as its
    widest cell (numbers right-aligned)."""
    rows = [HEADINGS, *scorecard_rows(cards)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADINGS))]
    return [
        "  ".join(
            cell.rjust(width) if heading in NUMBERS else cell.ljust(width)
            for cell, width, heading in zip(row, widths, HEADINGS, strict=True)
        ).rstrip()
        for row in rows
    ]
