"""The evidence pass: only when a rule fails, the rows that broke it, with their row ids.

The counting pass (``rule_counts.py``) knows which rules fail. This second pass numbers the input
rows as they stream, flags only the failing rules and keeps only the rows that broke one, as
delivered, in temp table ``_failed`` (``_row``, every input column, one flag per failing rule).
The samples of the report, the quarantine rows with their violations and the rows held back from
the snapshot all come from it; a clean input never reaches this pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from supplymesh.validation.partitions import PartitionPlan
from supplymesh.validation.rule_counts import RuleFlags
from supplymesh.validation.rules import Rule, literal, quote
from supplymesh.validation.typed_view import input_alias

SAMPLE_ROWS = 5


@dataclass(frozen=True)
class FailedRows:
    """The rows in ``_failed`` and the failing rules flagged there."""

    rules: list[Rule]
    flags: list[str]

    @property
    def blocking(self) -> list[tuple[str, Rule]]:
        """(flag, rule) of every rule whose failure rejects the row (severity ERROR)."""
        return [
            (f, r) for f, r in zip(self.flags, self.rules, strict=True) if r.severity == "ERROR"
        ]

    @property
    def blocking_flags(self) -> list[str]:
        return [f for f, _ in self.blocking]

    def rejected_count(self, con: duckdb.DuckDBPyConnection) -> int:
        """Rows that broke at least one blocking rule."""
        if not self.blocking_flags:
            return 0
        where = " OR ".join(self.blocking_flags)
        return int(con.execute(f"SELECT count(*) FROM _failed WHERE {where}").fetchone()[0])

    def sample(self, con: duckdb.DuckDBPyConnection, flag: str, columns: list[str]) -> list[dict]:
        """The first offending input rows, as delivered, limited to the contract's columns (an
        extract's other columns are no evidence, and may hold what this version does not
        expose); the row numbers alone when the input has none of the contract's columns."""
        shown = ", ".join(quote(c) for c in columns) or "_row"
        df = con.execute(
            f"SELECT {shown} FROM _failed WHERE {flag} ORDER BY _row LIMIT {SAMPLE_ROWS}"
        ).df()
        return [
            {k: (None if pd.isna(v) else v) for k, v in row.items()}
            for row in df.astype(object).to_dict("records")
        ]

    def rejected_rows_sql(self) -> str:
        """Input rows that broke a blocking rule, as delivered (with ``_row``), with the list of
        rules each broke, in input order."""
        labels = [
            f"CASE WHEN {flag} THEN {literal(rule.label)} END" for flag, rule in self.blocking
        ]
        if not labels:
            return no_rows_sql()
        violations = f"list_filter([{', '.join(labels)}], lambda x: x IS NOT NULL)"
        return (
            f"SELECT * EXCLUDE ({', '.join(self.flags)}), {violations} AS _violations "
            f"FROM _failed WHERE len({violations}) > 0 ORDER BY _row"
        )

    def valid_rows_sql(self, columns: list[str]) -> str:
        """The typed rows no blocking rule rejected, in input order."""
        cols = ", ".join(f"t.{quote(c)}" for c in columns)
        blocking = " OR ".join(self.blocking_flags) or "false"
        return (
            f"SELECT {cols} FROM _typed_rows t ANTI JOIN "
            f"(SELECT _row FROM _failed WHERE {blocking}) r ON t._row = r._row ORDER BY t._row"
        )


def materialize_failures(
    con: duckdb.DuckDBPyConnection,
    flags: RuleFlags,
    failing: list[int],
    input_columns: list[str],
    plan: PartitionPlan | None,
) -> FailedRows | None:
    """Keep, in ``_failed``, the rows that broke a rule with failing rows; None when none did."""
    picked = [i for i, n in enumerate(failing) if n]
    if not picked:
        return None
    names = [flags.names[i] for i in picked]
    flagged = ", ".join(f"{flags.expressions[i]} AS {flags.names[i]}" for i in picked)
    raw = ", ".join(f"{input_alias(j)} AS {quote(c)}" for j, c in enumerate(input_columns))
    where = " OR ".join(names)
    if plan is not None:
        where = f"({where}) AND NOT ({plan.reused_sql})"  # reused partitions are not judged
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _failed AS SELECT _row, {raw}, {', '.join(names)} "
        f"FROM (SELECT *, {flagged} FROM _typed_rows) WHERE {where}"
    )
    return FailedRows([flags.rules[i] for i in picked], names)


def no_rows_sql() -> str:
    """The quarantine of an input no blocking rule rejected: no rows, the usual columns."""
    return "SELECT *, []::VARCHAR[] AS _violations FROM _numbered WHERE false"


__all__ = ["SAMPLE_ROWS", "FailedRows", "materialize_failures", "no_rows_sql"]
