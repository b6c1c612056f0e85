"""The text of a scaffolded product: its YAML, its v1 contract and its test, in the project's style.

The contract reads like the hand-written ones (``contracts/logistics/lanes_v1.py``): one
``column(description, classification, **checks)`` per field, ``Config`` with the name, the key and
``strict``. What the sample cannot say (what a column means, who owns the product, who may read
it, how fresh it must be) is written as a placeholder the owner replaces, listed by
``decisions`` for the command to print.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from supplymesh.scaffold.inference import InferredColumn, InferredContract

ANNOTATIONS = {
    "int": "int",
    "float": "float",
    "str": "str",
    "bool": "bool",
    "date": "pa.Date",
    "datetime": "pa.DateTime",
}
# one value of each type a scaffolded contract accepts (every lower bound is 0, every value here
# is above it): the generated test's row
PLACEHOLDERS = {
    "int": 1,
    "float": 1.0,
    "str": "x",
    "bool": True,
    "date": "2026-01-01",
    "datetime": "2026-01-01 00:00:00",
}
LINE_LENGTH = 100  # pyproject.toml's [tool.ruff]
# until the owner decides: readable by stewards only, one day fresh
DEFAULT_ACCESS = "restricted"
DEFAULT_SLA_HOURS = 24


@dataclass(frozen=True)
class ProductName:
    """``<domain>.<name>`` and the names derived from it."""

    domain: str
    name: str

    @property
    def key(self) -> str:
        return f"{self.domain}.{self.name}"

    @property
    def contract_class(self) -> str:
        return "".join(part.capitalize() for part in self.name.split("_")) + "V1"

    @property
    def contract_module(self) -> str:
        return f"contracts.{self.domain}.{self.name}_v1"


def _quoted(value: object) -> str:
    """A Python literal in the project's style: strings in double quotes."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)


def _field(c: InferredColumn, key: tuple[str, ...]) -> list[str]:
    words = c.name.replace("_", " ")
    description = f"{words[0].upper()}{words[1:]} (scaffolded: describe it)."
    args = [_quoted(description), _quoted(c.classification)]
    if key == (c.name,):
        args.append("unique=True")
    if c.lower_bound:
        args.append(f"{c.lower_bound}=0")
    if c.nullable:
        args.append("nullable=True")
    lines = [f"    # sample: {c.observed[0]} to {c.observed[1]}"] if c.observed else []
    head = f"    {c.name}: Series[{ANNOTATIONS[c.type]}] = column("
    call = ", ".join(args)
    if len(head) + len(call) + 1 <= LINE_LENGTH:
        return [*lines, f"{head}{call})"]
    return [*lines, head, f"        {call}", "    )"]  # as ruff format wraps it


def contract_module(product: ProductName, inferred: InferredContract, sample_name: str) -> str:
    fields = [line for c in inferred.columns for line in _field(c, inferred.key)]
    config = [f'        name = "{product.key} v1"']
    if len(inferred.key) > 1:
        config.append(f"        unique = [{', '.join(map(_quoted, inferred.key))}]")
    config.append("        strict = True")
    return "\n".join(
        [
            f'"""{product.key} v1: scaffolded by `mesh products new` from {sample_name} '
            f'({inferred.rows:,} rows).',
            "",
            "Types, nullability, the key and the lower bounds are what the sample supports; the",
            "descriptions and classifications are the owner's to write.",
            '"""',
            "",
            "import pandera.pandas as pa",
            "from pandera.typing import Series",
            "",
            "from contracts.columns import column",
            "",
            "",
            f"class {product.contract_class}(pa.DataFrameModel):",
            f'    """One row of {product.key} (scaffolded: say what a row is)."""',
            "",
            *fields,
            "",
            "    class Config:",
            *config,
            "",
        ]
    )


def product_yaml(product: ProductName, inferred: InferredContract, sample_name: str) -> str:
    contract = f"{product.contract_module}:{product.contract_class}"
    return "\n".join(
        [
            f"name: {product.name}",
            f"domain: {product.domain}",
            "description: >-",
            f"  Scaffolded by `mesh products new` from {sample_name} ({inferred.rows:,} rows, "
            f"{len(inferred.columns)} columns):",
            "  the owner says what the product holds, for whom, and from which source system.",
            "# scaffolded: the owner decides the team, the access level and the freshness SLA",
            f"owner: {{team: {product.domain}, email: {product.domain}@supplymesh.example}}",
            f"access: {DEFAULT_ACCESS}",
            f"freshness_sla_hours: {DEFAULT_SLA_HOURS}",
            f"source: {{kind: landing, extract: {product.name}}}",
            "versions:",
            f'  - {{major: 1, version: 1.0.0, status: active, contract: "{contract}"}}',
            "",
        ]
    )


def product_test(product: ProductName, inferred: InferredContract) -> str:
    """A test that validates one row of the declared types through the mesh's own engine, and
    that the contract refuses the key twice (or a null where none is allowed)."""
    row = [f'    "{c.name}": {_quoted(PLACEHOLDERS[c.type])},' for c in inferred.columns]
    required = next((c.name for c in inferred.columns if not c.nullable), None)
    stem = f"{product.name}_v1"
    lines = [
        f'"""{product.key} v1 as the mesh validates it (scaffolded by `mesh products new`)."""',
        "",
        "from pathlib import Path",
        "",
        "import pandas as pd",
        "",
        "from supplymesh.registry import get_product",
        "from supplymesh.validation.engine import validate_file",
        "",
        f'VERSION = get_product("{product.key}").version(1)',
        "ROW = {",
        *row,
        "}",
        "",
        "",
        "def _extract(folder: Path, rows: list[dict]) -> Path:",
        f'    path = folder / "{product.name}.csv"',
        "    pd.DataFrame(rows).to_csv(path, index=False)",
        "    return path",
        "",
        "",
        f"def test_{stem}_accepts_a_row_of_its_declared_types(tmp_path):",
        "    report = validate_file(_extract(tmp_path, [ROW]), VERSION)",
        "    assert report.passed, report.summary()",
    ]
    if inferred.key:
        lines += [
            "",
            "",
            f"def test_{stem}_refuses_its_key_twice(tmp_path):",
            "    report = validate_file(_extract(tmp_path, [ROW, ROW]), VERSION)",
            "    assert not report.passed",
        ]
    elif required:
        lines += [
            "",
            "",
            f"def test_{stem}_refuses_a_null_{required}(tmp_path):",
            f'    report = validate_file(_extract(tmp_path, [{{**ROW, "{required}": None}}]), VERSION)',
            "    assert not report.passed",
        ]
    return "\n".join([*lines, ""])


def decisions(product: ProductName, inferred: InferredContract) -> list[str]:
    """What the owner must still decide, one line each, for the command to print."""
    columns = ", ".join(f"{c.name} ({c.classification})" for c in inferred.columns)
    key = " + ".join(inferred.key) or "none found (no column or set of up to 3 is unique)"
    out = [
        f"classification of each column (scaffolded: pii where the name says so, else "
        f"internal): {columns}",
        f"owner: team and e-mail (scaffolded: {product.domain}, "
        f"{product.domain}@supplymesh.example)",
        f"freshness SLA (scaffolded: {DEFAULT_SLA_HOURS}h)",
        f"access level (scaffolded: {DEFAULT_ACCESS}, stewards only; roles may ask with "
        "`mesh access request`)",
        f"the key (the sample's: {key})",
        "descriptions of the product and of every column",
    ]
    if inferred.other_unique:
        out.append(f"also unique in the sample: {', '.join(inferred.other_unique)}")
    bounds = [
        f"{c.name} {'> 0' if c.lower_bound == 'gt' else '>= 0'} (sample {c.observed[0]} to "
        f"{c.observed[1]})"
        for c in inferred.columns
        if c.lower_bound and c.observed
    ]
    if bounds:
        out.append(f"ranges (only lower bounds were inferred): {'; '.join(bounds)}")
    return out
