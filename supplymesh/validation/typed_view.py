"""The schema phase of validation: every contract column typed from the input, as ``_typed``.

A value that does not cast becomes a per-row type violation (``_cast<i>`` is true) rather than
an error that hides every other problem; a missing column is reported once, as a schema
failure, and typed as all-NULL so the rules on other columns still run.

Each value is cast once: an inner projection casts every contract column and passes every input
column through as ``__in_<j>``; the cast failures, the rules and the row fingerprint read those
names. ``_typed`` reads the input as it streams (no row ids); ``_typed_rows`` adds the row
number ``_row`` for the rare pass that needs to name rows (failing rules, custom pandas checks).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from supplymesh.registry import ProductVersion
from supplymesh.validation.report import RuleResult
from supplymesh.validation.rules import quote

_INTEGER_TYPES = {"BIGINT", "INTEGER"}
_FLOAT_TYPES = {"DOUBLE", "FLOAT", "DECIMAL"}


@dataclass(frozen=True)
class TypedColumns:
    """How to type each contract column, and what the input's schema already broke."""

    expressions: list[str]  # one ``<cast> AS "<column>"`` per contract column
    cast_failures: list[str]  # per contract column: true where a present value did not cast
    schema_results: list[RuleResult]  # failing rows filled in by ``counted``
    input_columns: list[str]  # every column of the input, in order

    @property
    def missing_columns(self) -> set[str]:
        return {r.column for r in self.schema_results if r.rule == "column_present"}

    def counted(self, rows: int) -> list[RuleResult]:
        """The schema results, each failing every one of the input's ``rows`` (and failing even
        when there are none: a header without the column is no less broken)."""
        return [replace(r, failing_rows=max(rows, 1)) for r in self.schema_results]

    def view_sql(self, name: str, source: str, *, row_ids: bool, fingerprint: bool) -> str:
        """View ``name`` typing ``source``: contract columns, ``_cast<i>`` flags, the input's
        columns as ``__in_<j>``; ``_row`` with ``row_ids``, ``_fp`` (a hash of the raw row) with
        ``fingerprint`` (partitions reused when unchanged)."""
        inner = ["_row"] if row_ids else []
        inner += self.expressions
        inner += [f"{quote(c)} AS {input_alias(j)}" for j, c in enumerate(self.input_columns)]
        outer = [f"{cf} AS _cast{i}" for i, cf in enumerate(self.cast_failures)]
        if fingerprint:
            raw = ", ".join(input_alias(j) for j in range(len(self.input_columns)))
            outer.append(f"hash({raw}) AS _fp")
        return (
            f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT *, {', '.join(outer)} "
            f"FROM (SELECT {', '.join(inner)} FROM {source})"
        )


def input_alias(index: int) -> str:
    """The name of the input's ``index``-th column, as delivered, inside the typed views."""
    return f"__in_{index}"


def cast_expression(source_col: str, source_type: str, target: str) -> str:
    """SQL casting one input column to its contract type, NULL where the value does not fit."""
    src = quote(source_col)
    if source_type == target:
        return src
    if target in _INTEGER_TYPES and source_type.split("(")[0] in _FLOAT_TYPES:
        # TRY_CAST would silently round 2.5 to 3: a fractional quantity is a type error.
        return f"CASE WHEN {src} = round({src}) THEN TRY_CAST({src} AS {target}) END"
    if target in _INTEGER_TYPES and source_type == "VARCHAR":
        # a whole number ("7", "2.0", "1e3"), read from its digits when it has them: through
        # DOUBLE alone, 2**53 + 1 would silently become 2**53
        as_double = f"TRY_CAST({src} AS DOUBLE)"
        exact = f"coalesce(TRY_CAST({src} AS {target}), TRY_CAST({as_double} AS {target}))"
        return f"CASE WHEN {as_double} = round({as_double}) THEN {exact} END"
    if target in {"DATE", "TIMESTAMP"} and source_type == "VARCHAR":
        # a day is written with digits: DuckDB's special values (infinity, epoch) are no dates
        return f"CASE WHEN regexp_matches({src}, '^\\s*[0-9]') THEN TRY_CAST({src} AS {target}) END"
    if target == "BOOLEAN" and source_type == "VARCHAR":
        return f"TRY_CAST(lower(trim({src})) AS BOOLEAN)"
    return f"TRY_CAST({src} AS {target})"


def type_columns(
    version: ProductVersion, source_types: dict[str, str], allow_extra_columns: bool
) -> TypedColumns:
    """Typing expressions for the contract's columns, and the schema rules the input breaks."""
    schema_results: list[RuleResult] = []
    expressions, cast_failures = [], []
    rows = 0  # every row fails a schema rule: the count is known after the counting pass
    inputs = list(source_types)
    for col in version.columns:
        src = version.source_column(col.name)
        if src not in source_types:
            found = [{"columns_found": sorted(source_types)}]
            schema_results.append(
                RuleResult(
                    "column_present",
                    col.name,
                    f"column '{src}' in the input",
                    rows,
                    kind="schema",
                    sample=found,
                )
            )
            expressions.append(f"NULL::{col.type} AS {quote(col.name)}")
            cast_failures.append("false")
            continue
        expr = cast_expression(src, source_types[src], col.type)
        expressions.append(f"{expr} AS {quote(col.name)}")
        if source_types[src] == col.type:
            cast_failures.append("false")  # already of its type: nothing to cast, nothing fails
        else:
            raw = input_alias(inputs.index(src))
            cast_failures.append(f"({raw} IS NOT NULL AND {quote(col.name)} IS NULL)")
    if not allow_extra_columns:
        expected = {version.source_column(c.name) for c in version.columns}
        extra = sorted(set(source_types) - expected)
        if extra:
            schema_results.append(
                RuleResult(
                    "no_extra_columns",
                    None,
                    "only the contract's columns",
                    rows,
                    kind="schema",
                    sample=[{"unexpected_columns": extra}],
                )
            )
    return TypedColumns(expressions, cast_failures, schema_results, inputs)
