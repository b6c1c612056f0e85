"""The Dagster UI as a user sees it, in a real Chromium against the real webserver.

Each test opens a page the way a person would (by URL or by clicking), checks what is on screen
and saves a screenshot under ``artifacts/screenshots/``.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from supplymesh.registry import all_products
from tests.browser.conftest import BAD_QUANTITY, asset_group
from tests.browser.dagster_server import DagsterUI

pytestmark = pytest.mark.browser

RUN_TIMEOUT_S = 300


def graph_label_matches(label: str, name: str) -> bool:
    """The lineage graph shortens long names in the middle (``purchase_recei…_v1``)."""
    label = label.strip()
    if "…" not in label:
        return label == name
    prefix, suffix = label.split("…", 1)
    return name.startswith(prefix) and name.endswith(suffix)


def graph_boxes(page: Page) -> dict[str, dict]:
    """Every labelled box of the lineage graph (groups and asset nodes) by its label.

    Group outlines and group headers share a label; the header box, drawn after the outline,
    spans the same area, so keeping the last one per label is enough.
    """
    boxes: dict[str, dict] = {}
    objects = page.locator("svg foreignObject")
    for i in range(objects.count()):
        node = objects.nth(i)
        label = (node.text_content() or "").strip()
        box = node.bounding_box()
        if label and box:
            boxes[label] = box
    return boxes


def find_box(boxes: dict[str, dict], name: str) -> dict | None:
    return next((box for label, box in boxes.items() if graph_label_matches(label, name)), None)


def inside(inner: dict, outer: dict) -> bool:
    return (
        outer["x"] <= inner["x"]
        and outer["y"] <= inner["y"]
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 1
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 1
    )


def in_view(page: Page, boxes) -> bool:
    """Every box lies below the toolbar and above the window's bottom edge."""
    height = page.viewport_size["height"]
    return all(box["y"] >= 100 and box["y"] + box["height"] <= height - 10 for box in boxes)


def open_markdown(page: Page, metadata_label: str) -> Locator:
    """Click ``[Show Markdown]`` in a metadata row and return the dialog it opens."""
    row = page.locator("tr:not(:has(tr))", has=page.get_by_text(metadata_label, exact=True)).first
    row.get_by_text("[Show Markdown]").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    settle(page)
    return dialog


def settle(page: Page) -> None:
    """Wait for running CSS animations (a dialog fading in) so a screenshot shows the end state."""
    page.evaluate("Promise.allSettled(document.getAnimations().map(a => a.finished))")


def zoom_out(page: Page) -> None:
    """The lineage view's zoom-out control (second of its zoom buttons)."""
    page.locator("button[class*='SVGViewport_iconButton']").nth(1).click()
    page.wait_for_timeout(800)


def test_materialize_a_product_from_the_ui_succeeds(
    page: Page, dagster_ui: DagsterUI, screenshots: Path
) -> None:
    page.goto(f"{dagster_ui.url}/assets/catalog/products_v1")
    page.get_by_text("Materialize", exact=True).first.click()
    toast = page.get_by_text(re.compile(r"Launched run [0-9a-f]{8}"))
    expect(toast).to_be_visible()
    run_link = page.locator("a[href^='/runs/']").filter(has_text="View").first
    run_path = run_link.get_attribute("href")
    assert run_path
    page.screenshot(path=screenshots / "materialize_launched.png")

    page.goto(f"{dagster_ui.url}{run_path}")
    # the run page's status tag, once the run has ended; the page follows the run live, and a
    # reload now and then covers a dropped subscription (the tag renders a moment after a load)
    ended = page.get_by_text(re.compile(r"^(Success|Failure|Canceled)$")).first
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while True:
        try:
            expect(ended).to_be_visible(timeout=30_000)
            break
        except AssertionError:
            assert time.monotonic() < deadline, f"run {run_path} did not end in {RUN_TIMEOUT_S} s"
            page.reload()
    assert ended.inner_text() == "Success", f"run {run_path} ended: {ended.inner_text()}"
    expect(page.get_by_text("ASSET_MATERIALIZATION").first).to_be_visible()
    page.screenshot(path=screenshots / "materialize_run_succeeded.png")


def test_asset_graph_shows_each_domain_as_a_group_with_planning_downstream(
    open_page, dagster_ui: DagsterUI, domains: list[str], screenshots: Path
) -> None:
    dagster_ui.wait_until_idle()  # statuses settled: no run (a sensor's or a test's) in flight
    page = open_page(1700, 2600)  # tall, so the whole mesh fits the view at a readable zoom
    page.goto(f"{dagster_ui.url}/asset-groups")
    expect(page.locator("svg foreignObject", has_text="demand_forecast_v1")).to_be_visible()
    page.wait_for_timeout(2000)  # let the layout settle before measuring
    boxes = graph_boxes(page)
    for _ in range(4):  # the graph only draws what is in view: zoom out until all of it is
        if all(d in boxes for d in domains) and in_view(page, boxes.values()):
            break
        zoom_out(page)
        boxes = graph_boxes(page)
    page.screenshot(path=screenshots / "asset_graph.png")

    missing_groups = [d for d in domains if d not in boxes]
    assert not missing_groups, f"groups not shown: {missing_groups}; saw {sorted(boxes)}"
    products = all_products()
    for product in products:
        group = boxes[asset_group(product)]
        for version in product.versions:
            node = find_box(boxes, version.table)
            assert node, f"{product.domain}/{version.table} not in the graph"
            assert inside(node, group), f"{version.table} drawn outside {asset_group(product)}"

    source_domains = sorted({p.domain for p in products if p.source_kind == "landing"})
    planning_left = boxes["planning"]["x"]
    assert all(boxes[d]["x"] < planning_left for d in source_domains)
    if "transforms" in boxes:  # the dbt models sit between the domains and the planners
        assert max(boxes[d]["x"] for d in source_domains) < boxes["transforms"]["x"]
        assert boxes["transforms"]["x"] < planning_left


def test_failed_contract_shows_rule_failing_count_and_sample_rows(
    open_page, dagster_ui: DagsterUI, screenshots: Path
) -> None:
    dagster_ui.wait_until_idle()  # the check's latest evaluation, not one still running
    page = open_page(1600, 1900)  # the check's verdict and its whole rules table in one view
    page.goto(f"{dagster_ui.url}/assets/sales/orders_v2?view=checks")
    expect(page.get_by_text("Failed", exact=True).first).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"column 'quantity' breaks rule greater_than_or_equal_to\(0\)"))
    ).to_be_visible()

    rows = page.locator("tr:not(:has(tr))")  # table rows, not the metadata rows around them
    failing_rule = rows.filter(has_text="greater_than_or_equal_to(0)").filter(
        has=page.locator("td", has_text=re.compile(r"^quantity$"))
    )
    expect(failing_rule).to_have_count(1)
    cells = [c.strip() for c in failing_rule.locator("td").all_inner_texts()]
    assert cells[:2] == ["greater_than_or_equal_to(0)", "quantity"], cells
    assert "1" in cells[3:4], f"failing_rows cell should read 1: {cells}"
    # the failing rule heads the table (failing rules first), and every rule is still listed
    rules_table = page.locator(
        "table:not(:has(table))",
        has=page.locator("td", has_text=re.compile(r"^greater_than_or_equal_to\(0\)$")),
    ).first
    table_rows = rules_table.evaluate(
        "t => [...t.rows].map(r => [...r.cells].map(c => c.innerText.trim()))"
    )
    rules = [row for row in table_rows if len(row) >= 5 and row[4] in ("ERROR", "WARN")]
    assert rules[0][:2] == ["greater_than_or_equal_to(0)", "quantity"], rules[:3]
    assert len(rules) > 20 and all(row[3] == "0" for row in rules[1:]), rules
    page.screenshot(path=screenshots / "failed_contract_rules.png")

    dialog = open_markdown(page, "offending_rows_sample")
    expect(dialog).to_contain_text("quantity - greater_than_or_equal_to(0)")
    expect(dialog).to_contain_text(f'"quantity": {BAD_QUANTITY}')
    page.screenshot(path=screenshots / "failed_contract_sample_rows.png")


@pytest.mark.parametrize(
    ("asset_path", "metadata_label", "alt"),
    [
        ("planning/demand_forecast_v1", "forecast_vs_actuals", "forecast vs actuals"),
        ("planning/inventory_plan_v1", "projected_inventory", "projected inventory"),
        ("planning/truck_loads_v1", "truck_utilization", "truck utilization by lane"),
    ],
)
def test_planning_asset_shows_its_plot(
    page: Page,
    dagster_ui: DagsterUI,
    screenshots: Path,
    asset_path: str,
    metadata_label: str,
    alt: str,
) -> None:
    dagster_ui.wait_until_idle()
    page.goto(f"{dagster_ui.url}/assets/{asset_path}?view=events")
    dialog = open_markdown(page, metadata_label)
    image = dialog.get_by_role("img", name=alt)
    expect(image).to_be_visible()
    image.evaluate("img => img.decode()")
    width = image.evaluate("img => img.naturalWidth")
    assert width > 300, f"{alt} plot did not render (naturalWidth {width})"
    page.screenshot(path=screenshots / f"plot_{metadata_label}.png")
