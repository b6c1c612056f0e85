"""Debian's Chromium driven by Playwright: launched by path, headless, off the network.

Playwright cannot download its own browsers here, so the tests use the ``chromium`` package
(``make test-browser`` installs it). The flags keep Chromium from calling home: on a closed
network its background connections would only fail, many at a time.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from supplymesh.settings import PROJECT_ROOT

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_executable() -> str:
    path = shutil.which("chromium")
    if path is None:
        raise RuntimeError(
            "Debian's chromium is not installed: `make test-browser` installs it "
            "(apt-get install -y chromium)"
        )
    return path


def screenshot_dir() -> Path:
    """``artifacts/screenshots`` (git-ignored), or ``$MESH_SCREENSHOTS``."""
    folder = Path(os.environ.get("MESH_SCREENSHOTS", PROJECT_ROOT / "artifacts" / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def dagster_ui_init_script(expanded_groups: list[str]) -> str:
    """Local storage a returning user would have: the community dialog dismissed and the
    lineage graph's groups open (the lineage page otherwise starts with every group collapsed)."""
    expanded = ",".join(f"global@global:{group}" for group in expanded_groups)
    state = json.dumps({"expanded": expanded})
    return (
        "localStorage.setItem('communityNux', '1');\n"
        "localStorage.setItem('asset-graph-open-graph-nodes-global-__GLOBAL__', "
        f"{json.dumps(state)});\n"
    )
