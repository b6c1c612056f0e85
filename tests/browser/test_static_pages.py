"""Pages a user opens from a file, offline: the plan report and the dbt docs of the transforms."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from supplymesh.cli import main
from supplymesh.settings import TRANSFORMS_DIR, MeshPaths

pytestmark = pytest.mark.browser

PLOTS = ["forecast vs actuals", "projected inventory", "truck utilization by lane"]


def test_mesh_report_opens_offline_in_chromium_with_every_plot(
    ui_mesh: MeshPaths, page: Page, tmp_path: Path, screenshots: Path, capsys
) -> None:
    out = tmp_path / "report"
    assert main(["report", "--out", str(out)]) == 0
    assert "report written to" in capsys.readouterr().out
    report = out / "plan_report.html"

    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(report.as_uri())
    expect(page.get_by_role("heading", level=1)).to_contain_text("Supply plan as of 2026-11-27")
    expect(page.locator(".kpi")).to_have_count(14)
    for alt in PLOTS:
        image = page.get_by_role("img", name=alt)
        expect(image).to_be_visible()
        image.evaluate("img => img.decode()")
        assert image.evaluate("img => img.naturalWidth") > 300, alt
    assert all(url.startswith(("file:", "data:")) for url in requests), requests
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=screenshots / "plan_report.png", full_page=True)


def test_dbt_docs_of_the_transforms_render_offline(
    ui_mesh: MeshPaths, page: Page, screenshots: Path
) -> None:
    """The same ``dbt docs generate`` as ``make docs``, opened as its offline static page."""
    target = ui_mesh.dbt_target
    dbt = str(Path(sys.executable).with_name("dbt"))
    env = {
        **os.environ,
        "MESH_HOME": str(ui_mesh.home),
        "DBT_LOG_PATH": str(target / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    done = subprocess.run(
        [
            dbt,
            "docs",
            "generate",
            "--project-dir",
            str(TRANSFORMS_DIR),
            "--profiles-dir",
            str(TRANSFORMS_DIR),
            "--target-path",
            str(target),
            "--static",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    page.goto(
        (target / "static_index.html").as_uri() + "#!/model/model.supplymesh.fct_demand_features"
    )
    expect(page.get_by_text("fct_demand_features").first).to_be_visible()
    expect(page.get_by_text("units_sold").first).to_be_visible()
    page.screenshot(path=screenshots / "dbt_docs.png")
