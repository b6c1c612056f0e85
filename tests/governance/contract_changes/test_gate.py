"""`mesh contracts check --base` on a throwaway git repository: additive changes pass, breaking
ones fail unless they ship as a new major, and a major cannot vanish before its sunset."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from supplymesh.cli import main
from supplymesh.governance.contract_changes.gate import check
from supplymesh.governance.contract_changes.project_tree import load_ref, load_tree
from supplymesh.governance.lineage import LineageGraph, affected_consumers
from supplymesh.settings import PROJECT_ROOT

TODAY = "2026-11-28"


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@example.com", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    """A git repository holding a copy of the project's product definitions, committed once."""
    monkeypatch.setenv("MESH_HOME", str(tmp_path / "mesh"))
    root = tmp_path / "repo"
    for folder in ("data_products", "contracts"):
        shutil.copytree(
            PROJECT_ROOT / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "base")
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def commit_and_check(repo: Path, capsys, *extra: str) -> tuple[int, str]:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "change")
    code = main(
        [
            "contracts",
            "check",
            "--base",
            "HEAD~1",
            "--project",
            str(repo),
            "--no-dbt",
            "--today",
            TODAY,
            *extra,
        ]
    )
    return code, capsys.readouterr().out


ORDERS_V2 = "contracts/sales/orders_v2.py"
ORDERS_YAML = "data_products/sales/orders.yaml"
PROMO = '    promo_id: Series[str] = column("Promotion the line was sold under, if any.", nullable=True)\n'


def test_additive_change_with_a_minor_bump_passes(repo, capsys):
    edit(
        repo / ORDERS_V2,
        PROMO,
        PROMO + '    channel: Series[str] = column("Sales channel.", "public", nullable=True)\n',
    )
    edit(repo / ORDERS_YAML, "version: 2.2.0", "version: 2.3.0")
    code, out = commit_and_check(repo, capsys)
    assert code == 0, out
    assert "compatible_change" in out and "PASSED" in out


def test_compatible_change_without_a_version_bump_fails(repo, capsys):
    edit(repo / ORDERS_V2, "ge=0, le=100_000", "ge=1, le=100_000")
    code, out = commit_and_check(repo, capsys)
    assert code == 1
    assert "needs a minor bump of 2.2.0" in out


def test_breaking_change_without_a_new_major_fails(repo, capsys):
    edit(repo / ORDERS_V2, "ge=0, le=100_000", "ge=0, le=1_000_000")
    edit(repo / ORDERS_V2, PROMO, "")
    edit(repo / ORDERS_YAML, "version: 2.2.0", "version: 2.3.0")
    code, out = commit_and_check(repo, capsys, "--json")
    assert code == 1
    report = json.loads(out)
    [error] = [f for f in report["findings"] if f["level"] == "error"]
    assert error["kind"] == "breaking_change" and error["subject"] == "sales.orders v2"
    assert "column_removed(promo_id)" in error["message"]
    assert "range_widened(quantity)" in error["message"]
    assert "publish it as v3" in error["message"]
    [diff] = report["diffs"]
    assert diff["breaking"] and diff["required_bump"] == "major"


def test_breaking_change_shipped_as_a_new_major_passes(repo, capsys):
    v3 = (repo / ORDERS_V2).read_text().replace("OrdersV2", "OrdersV3").replace("v2", "v3")
    (repo / "contracts/sales/orders_v3.py").write_text(v3.replace(PROMO, ""))
    edit(
        repo / ORDERS_YAML,
        "versions:\n",
        "versions:\n  - major: 3\n    version: 3.0.0\n    status: active\n"
        "    contract: contracts.sales.orders_v3:OrdersV3\n",
    )
    edit(
        repo / ORDERS_YAML,
        "    version: 2.2.0\n    status: active\n",
        "    version: 2.2.1\n    status: deprecated\n    deprecated_on: 2026-12-01\n"
        "    sunset_on: 2027-06-30\n",
    )
    code, out = commit_and_check(repo, capsys)
    assert code == 0, out
    assert "new_version" in out and "sales.orders v3" in out


def test_major_removed_before_its_sunset_fails_and_after_it_passes(repo, capsys):
    yaml_path = repo / ORDERS_YAML
    text = yaml_path.read_text()
    yaml_path.write_text(text[: text.index("  - major: 1")])
    (repo / "contracts/sales/orders_v1.py").unlink()
    code, out = commit_and_check(repo, capsys)
    assert code == 1
    assert "sales.orders v1: removed: its sunset date 2027-03-31 has not passed" in out
    code = main(
        [
            "contracts",
            "check",
            "--base",
            "HEAD~1",
            "--project",
            str(repo),
            "--no-dbt",
            "--today",
            "2027-04-01",
        ]
    )
    assert code == 0, capsys.readouterr().out


def test_active_major_removed_fails_whatever_the_date(repo, capsys):
    edit(
        repo / "data_products/market/calendar.yaml",
        "versions:",
        "versions:\n  - {major: 2, version: 2.0.0, status: active, contract: "
        '"contracts.market.calendar_v1:CalendarV1"}',
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "calendar v2")
    yaml_path = repo / "data_products/market/calendar.yaml"
    lines = [line for line in yaml_path.read_text().splitlines() if "major: 1" not in line]
    yaml_path.write_text("\n".join(lines) + "\n")
    code, out = commit_and_check(repo, capsys)
    assert code == 1 and "never deprecated" in out


def test_broken_definition_fails_the_check(repo, capsys):
    edit(repo / "contracts/market/calendar_v1.py", "class CalendarV1", "class Calendar")
    code, out = commit_and_check(repo, capsys)
    assert code == 1 and "market.calendar v1" in out and "fails to load" in out


def test_breaking_change_lists_the_consumers_of_the_changed_columns(repo):
    """The gate names the downstream products, dbt models (column level) and assets."""
    edit(repo / ORDERS_V2, PROMO, "")
    edit(repo / ORDERS_YAML, "version: 2.2.0", "version: 2.3.0")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "drop promo_id")
    graph = LineageGraph(
        parents={
            "sales/orders_v2": set(),
            "transforms/stg_sales__orders": {"sales/orders_v2"},
            "transforms/int_demand__daily": {"transforms/stg_sales__orders"},
            "transforms/int_sales__daily_demand": {"transforms/stg_sales__orders"},
            "planning/demand_forecast_v1": {"transforms/int_demand__daily"},
        },
        products={
            "sales/orders_v2": ("sales.orders", 2),
            "planning/demand_forecast_v1": ("planning.demand_forecast", 1),
        },
        columns={"sales/orders_v2": ["sku", "promo_id", "quantity"]},
        sql={
            "transforms/stg_sales__orders": "select sku, promo_id, quantity from src",
            "transforms/int_demand__daily": "select sku, promo_id from stg",
            "transforms/int_sales__daily_demand": "select sku, sum(quantity) from stg",
        },
    )
    report = check(
        load_tree(repo),
        __import__("datetime").date(2026, 11, 28),
        base=load_ref(repo, "HEAD~1"),
        consumers=lambda p, m, cols: affected_consumers(graph, p, m, cols),
    )
    [error] = [f for f in report.findings if f.level == "error"]
    assert error.consumers == {
        "products": ["planning.demand_forecast"],
        "dbt_models": ["transforms/int_demand__daily", "transforms/stg_sales__orders"],
        "assets": [
            "planning/demand_forecast_v1",
            "transforms/int_demand__daily",
            "transforms/int_sales__daily_demand",
            "transforms/stg_sales__orders",
        ],
    }
    assert "affects dbt_models: transforms/int_demand__daily" in report.summary()


@pytest.mark.slow
def test_cli_lists_consumers_from_the_real_lineage(repo, capsys):
    edit(repo / ORDERS_V2, PROMO, "")
    edit(repo / ORDERS_YAML, "version: 2.2.0", "version: 2.3.0")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "drop promo_id")
    code = main(
        ["contracts", "check", "--base", "HEAD~1", "--project", str(repo), "--today", TODAY]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert "affects dbt_models: transforms/stg_sales__orders" in out
    assert "planning.demand_forecast" in out
