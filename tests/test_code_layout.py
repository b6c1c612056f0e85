"""Sizes a reader can hold (docs/architecture.md, "Code"), checked on every source module
outside the tests: no module over 400 lines, no function over 80 lines, no folder with more
than 15 modules."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ["supplymesh", "orchestration", "contracts", "data_products", "benchmarks"]
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80
MAX_MODULES_PER_FOLDER = 15

SOURCES = sorted(p for folder in FOLDERS for p in (ROOT / folder).rglob("*.py"))


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_no_module_is_over_400_lines() -> None:
    long = {_name(p): n for p in SOURCES if (n := p.read_text().count("\n")) > MAX_MODULE_LINES}
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"


def test_no_function_is_over_80_lines() -> None:
    long = [
        f"{_name(p)}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for p in SOURCES
        for node in ast.walk(ast.parse(p.read_text()))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines: {long}"


def test_no_folder_holds_more_than_15_modules() -> None:
    crowded = {
        _name(folder): count
        for folder in {p.parent for p in SOURCES}
        if (count := len(list(folder.glob("*.py")))) > MAX_MODULES_PER_FOLDER
    }
    assert not crowded, f"folders over {MAX_MODULES_PER_FOLDER} modules: {crowded}"
