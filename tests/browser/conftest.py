"""One tiny mesh, one Dagster UI and one Chromium for the whole browser session.

Starting ``dagster dev`` costs about 36 s on two cores, so every browser test shares the server.
Before it starts, the mesh is materialized headless and a bad sales batch (a negative quantity)
is landed and materialized, so the UI has both a healthy plan and a refused contract to show.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from orchestration.jobs import TRAINING_GROUP
from supplymesh.headless import materialize
from supplymesh.publishing.landing import latest_batch, new_batch_id
from supplymesh.registry import Product, all_products
from supplymesh.settings import MeshPaths
from tests.browser.chromium import (
    CHROMIUM_FLAGS,
    chromium_executable,
    dagster_ui_init_script,
    screenshot_dir,
)
from tests.browser.dagster_server import DagsterUI, start_ui
from tests.mesh_world import generate_tiny_world, mesh_environment

BAD_QUANTITY = -7


def land_bad_orders_batch(paths: MeshPaths) -> Path:
    """A copy of the latest orders extract with one negative quantity, as a new batch."""
    source = latest_batch(paths.landing_dir("sales"), "orders")
    frame = pd.read_parquet(source)
    frame.loc[5, "quantity"] = BAD_QUANTITY
    target = paths.landing_dir("sales") / f"orders__{new_batch_id()}"
    target.mkdir()
    frame.to_parquet(target / "part-00000.parquet", index=False)
    return target


@pytest.fixture(scope="session")
def ui_mesh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MeshPaths]:
    with mesh_environment(tmp_path_factory.mktemp("browser_mesh")) as paths:
        generate_tiny_world(paths)
        healthy = materialize([])
        assert healthy.success, healthy.errors
        land_bad_orders_batch(paths)
        refused = materialize(["sales.orders"])
        assert not refused.success and refused.failed_checks == 2
        yield paths


@pytest.fixture(scope="session")
def dagster_ui(ui_mesh: MeshPaths) -> Iterator[DagsterUI]:
    ui = start_ui(ui_mesh.home, ui_mesh.home / "dagster_ui.log")
    try:
        yield ui
    finally:
        ui.stop()


@pytest.fixture(scope="session")
def domains() -> list[str]:
    """The asset groups the products are drawn in (what the lineage page opens)."""
    return sorted({asset_group(p) for p in all_products()})


def asset_group(product: Product) -> str:
    """A product's asset group: its domain, except the model registry's products, which live
    in the model life cycle's group (trained on their own cadence)."""
    return TRAINING_GROUP if product.domain == "ml" else product.domain


@pytest.fixture(scope="session")
def browser(ui_mesh: MeshPaths) -> Iterator[Browser]:
    """Chromium, started after the mesh is built: Playwright's event loop must not be running
    in this thread while Dagster executes the headless runs."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable(), args=CHROMIUM_FLAGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def open_page(browser: Browser, domains: list[str]) -> Iterator[Callable[[int, int], Page]]:
    """A fresh browser context per page (its own local storage), closed after the test."""
    contexts: list[BrowserContext] = []

    def open_page(width: int = 1600, height: int = 1200) -> Page:
        context = browser.new_context(viewport={"width": width, "height": height})
        context.add_init_script(dagster_ui_init_script(domains))
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(60_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page: Callable[[int, int], Page]) -> Page:
    return open_page(1600, 1200)


@pytest.fixture(scope="session")
def screenshots() -> Path:
    return screenshot_dir()
