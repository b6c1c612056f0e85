"""Product scorecards: how well each product version is documented, checked, kept fresh and
read, as one score per version (``mesh products scorecard``; the product
``governance.product_scorecards``).

``components`` defines every part of the score and the one formula weighing them; ``cards``
gathers the evidence per version; ``table`` is the one table every view of them prints
(``scorecard_rows``, ``markdown_table``, ``text_table``). Public API: ``build_scorecards``,
``Scorecard``, ``scorecards_frame``, ``PRODUCT_SCORECARDS``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from supplymesh.governance.scorecards.cards import Scorecard, ServedSnapshot, build_scorecards

if TYPE_CHECKING:
    import pandas as pd

PRODUCT_SCORECARDS = "governance.product_scorecards"

__all__ = [
    "PRODUCT_SCORECARDS",
    "Scorecard",
    "ServedSnapshot",
    "build_scorecards",
    "scorecards_frame",
]


def scorecards_frame(cards: list[Scorecard]) -> pd.DataFrame:
    """The scorecards typed as the ``ProductScorecardsV1`` contract declares."""
    import pandas as pd

    from supplymesh.registry import get_product

    columns = [c.name for c in get_product(PRODUCT_SCORECARDS).latest.columns]
    frame = pd.DataFrame([c.__dict__ for c in cards], columns=columns)
    return frame.astype(
        {
            "major": "int64",
            "validations": "int64",
            "downstream_products": "int64",
            "pass_rate": "float64",
            "quality": "float64",
            "hours_since_publish": "float64",
            "freshness_sla_hours": "float64",
            "scored_at": "datetime64[ns]",
        }
    )
