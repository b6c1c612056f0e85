"""One scorecards table for every place that shows it: the same cells, in the same order, from
``Scorecard`` objects and from the published product's rows."""

import datetime as dt

import pandas as pd

from supplymesh.governance.scorecards import Scorecard, scorecards_frame
from supplymesh.governance.scorecards.table import (
    HEADINGS,
    markdown_table,
    scorecard_rows,
    text_table,
)

NOW = dt.datetime(2026, 12, 6, 12, 0)


def card(product: str, major: int, score: float, **changes) -> Scorecard:
    fields = dict(
        product=product,
        major=major,
        version=f"{major}.0.0",
        status="active",
        owner="team@example.com",
        documentation=1.0,
        rule_coverage=0.9,
        pass_rate=1.0,
        validations=3,
        freshness=1.0,
        hours_since_publish=1.0,
        freshness_sla_hours=24.0,
        quality=1.0,
        quality_trend="steady",
        deprecated_on=None,
        sunset_on=None,
        downstream_products=2,
        consumers="planning.demand_forecast",
        score=score,
        scored_at=NOW,
    )
    return Scorecard(**(fields | changes))


CARDS = [
    card("sales.orders", 2, 96.5),
    card(
        "sales.orders",
        1,
        40.0,
        status="deprecated",
        deprecated_on=dt.date(2026, 11, 1),
        sunset_on=dt.date(2027, 1, 31),
    ),
    card("planning.truck_loads", 1, 30.0, pass_rate=None, quality=None, downstream_products=0),
]


def test_rows_come_lowest_score_first_with_percentages_and_a_dash_for_no_evidence():
    rows = scorecard_rows(CARDS)
    assert [(r[0], r[1]) for r in rows] == [
        ("planning.truck_loads", "v1 (1.0.0)"),
        ("sales.orders", "v1 (1.0.0)"),
        ("sales.orders", "v2 (2.0.0)"),
    ]
    truck = dict(zip(HEADINGS, rows[0], strict=True))
    assert truck["score"] == "30.0" and truck["rules"] == "90%"
    assert truck["pass rate"] == "-" and truck["quality"] == "-" and truck["consumers"] == "0"
    assert rows[1][HEADINGS.index("status")] == "deprecated (sunset 2027-01-31)"


def test_the_published_rows_give_the_same_cells_as_the_scorecards():
    published = scorecards_frame(CARDS).to_dict("records")  # NaN where a card has None
    assert scorecard_rows(published) == scorecard_rows(CARDS)
    bare = pd.DataFrame([{k: v for k, v in vars(c).items() if k != "version"} for c in CARDS])
    assert scorecard_rows(bare.to_dict("records"))[0][1] == "v1"  # no version field: the major


def test_markdown_and_text_tables_lay_out_the_same_rows():
    markdown = markdown_table(CARDS).splitlines()
    assert markdown[0] == "| " + " | ".join(HEADINGS) + " |"
    assert markdown[1].startswith("|---|---|---:|")
    assert markdown[2] == "| " + " | ".join(scorecard_rows(CARDS)[0]) + " |"
    text = text_table(CARDS)
    assert text[0].split()[:3] == ["product", "version", "score"]
    assert [line.split()[0] for line in text[1:]] == [r[0] for r in scorecard_rows(CARDS)]
    assert text[1].index("30.0") + len("30.0") == text[0].index("score") + len("score")
