"""`mesh report` shows the product scorecards, lowest score first, when they are published."""

import pandas as pd

from supplymesh.reporting.html_report import render_report
from tests.reporting.test_html_report import latest_plan


def scorecards() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "product": ["sales.orders", "planning.truck_loads"],
            "major": [2, 1],
            "score": [96.5, 30.0],
            "documentation": [1.0, 1.0],
            "rule_coverage": [0.9, 0.5],
            "pass_rate": [1.0, None],
            "freshness": [1.0, 0.0],
            "quality": [1.0, None],
            "quality_trend": ["steady", "unknown"],
            "status": ["active", "active"],
            "downstream_products": [9, 0],
        }
    )


def test_the_report_has_a_scorecards_section_lowest_score_first() -> None:
    page = render_report(latest_plan(scorecards=scorecards()))
    assert "<h2>Product scorecards</h2>" in page
    section = page.split("<h2>Product scorecards</h2>", 1)[1]
    assert section.index("planning.truck_loads") < section.index("sales.orders")
    assert "<td>90%</td>" in section and "<td>-</td>" in section  # shares; no evidence


def test_without_published_scorecards_the_section_is_left_out() -> None:
    assert "Product scorecards" not in render_report(latest_plan())
