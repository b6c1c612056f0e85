"""Per-partition validation of daily products: what changed is validated, the rest is reused.

A daily product (``partitioning: {column: snapshot_date}`` in its YAML) is validated and reported
day by day. The ledger keeps, per product version, each day's row count, a content fingerprint
and the rules it broke. When every rule of the contract can judge a day on its own (row rules, and
uniqueness keys that include the day), a day whose fingerprint, contract and clean result are
unchanged since the last validation is reused instead of re-validated: a backfill that re-delivers
three days re-validates three days, and a re-delivery of identical history validates nothing
twice. A day that failed before is always re-validated, so its rows are quarantined again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

import duckdb

from supplymesh.registry import ProductVersion
from supplymesh.validation.rules import Rule, quote

LEDGER_FORMAT = 1
FAILING_PARTITIONS_SHOWN = 20


@dataclass(frozen=True)
class PartitionState:
    """The last validation of one partition."""

    rows: int
    fingerprint: str | None
    failing: dict[str, int]
    validated_at: str
    run_id: str

    @property
    def clean(self) -> bool:
        return not any(self.failing.values())


@dataclass(frozen=True)
class PartitionSummary:
    """How a daily product's partitions were validated in one run, for reports and checks."""

    column: str
    partitions: int
    validated: int
    reused: int
    local: bool
    failing: list[dict[str, Any]] = field(default_factory=list)

    def describe(self) -> str:
        mode = (
            "changed partitions only" if self.local else "all partitions (a rule spans partitions)"
        )
        return (
            f"{self.partitions:,} partitions by {self.column}: {self.validated:,} validated, "
            f"{self.reused:,} reused unchanged ({mode}); {len(self.failing)} failing"
        )


def contract_fingerprint(version: ProductVersion, rules: list[Rule]) -> str:
    """Changes whenever a column or a rule of the contract changes: every day is then re-judged."""
    parts = [(c.name, c.type, c.nullable) for c in version.columns]
    parts += [(r.column, r.name, r.violation_sql, r.severity) for r in rules]
    return hashlib.sha256(
        json.dumps([parts, duckdb.__version__], default=str).encode()
    ).hexdigest()[:16]


@dataclass
class Ledger:
    """Partition states of one product version under one contract fingerprint."""

    contract: str
    partitions: dict[str, PartitionState]

    def reusable(self, contract: str, fingerprints: dict[str, tuple[int, str]]) -> set[str]:
        """Partitions unchanged since a clean validation under the same contract."""
        if contract != self.contract:
            return set()
        out = set()
        for key, (rows, fingerprint) in fingerprints.items():
            state = self.partitions.get(key)
            if (
                state is not None
                and state.clean
                and state.rows == rows
                and state.fingerprint == fingerprint
            ):
                out.add(key)
        return out


def ledger_from_json(text: str) -> Ledger | None:
    """A ledger read back; None when it was written by another format version."""
    raw = json.loads(text)
    if raw.get("format") != LEDGER_FORMAT:
        return None
    return Ledger(raw["contract"], {k: PartitionState(**v) for k, v in raw["partitions"].items()})


def ledger_to_json(ledger: Ledger) -> str:
    doc = {
        "format": LEDGER_FORMAT,
        "contract": ledger.contract,
        "partitions": {k: asdict(v) for k, v in sorted(ledger.partitions.items())},
    }
    return json.dumps(doc, indent=1, sort_keys=True)


def failing_partitions(states: dict[str, PartitionState]) -> list[dict[str, Any]]:
    """The failing partitions, newest first, with the rules each broke (for reports)."""
    out = []
    for key in sorted(states, reverse=True):
        state = states[key]
        if state.clean:
            continue
        rules = {k: v for k, v in state.failing.items() if v}
        out.append({"partition": key, "rows": state.rows, "rules": rules})
    return out[:FAILING_PARTITIONS_SHOWN]


@dataclass(frozen=True)
class PartitionPlan:
    """Which partitions of a daily product this validation judges and which it reuses."""

    column: str
    local: bool
    contract: str
    fingerprints: dict[str, tuple[int, str]]
    reused: set[str]

    @property
    def key_sql(self) -> str:
        return f"coalesce(CAST({quote(self.column)} AS VARCHAR), 'null')"

    @property
    def reused_sql(self) -> str:
        return f"{self.key_sql} IN (SELECT p FROM _reused)"


def plan_partitions(
    con: duckdb.DuckDBPyConnection,
    version: ProductVersion,
    rules: list[Rule],
    column: str,
    previous: Ledger | None,
) -> PartitionPlan:
    """Fingerprint each partition (when every rule is partition-local) and pick the unchanged
    clean ones to reuse; the engine reads the choice from temp table ``_reused`` (one row per
    reused partition)."""
    local = all(r.is_local_to(column) for r in rules)
    contract = contract_fingerprint(version, rules)
    fingerprints: dict[str, tuple[int, str]] = {}
    plan = PartitionPlan(column, local, contract, fingerprints, set())
    if local:
        rows = con.execute(
            f"SELECT {plan.key_sql}, count(*), sum(_fp::HUGEINT)::VARCHAR FROM _typed GROUP BY 1"
        ).fetchall()
        fingerprints.update({key: (int(n), fp) for key, n, fp in rows})
        if previous is not None:
            plan.reused.update(previous.reusable(contract, fingerprints))
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _reused AS SELECT unnest(?::VARCHAR[]) AS p",
        [sorted(plan.reused)],
    )
    return plan


def partition_results(
    plan: PartitionPlan,
    rules: list[Rule],
    judged: list[tuple],
    previous: Ledger | None,
    run_id: str,
) -> tuple[Ledger, PartitionSummary]:
    """Each validated partition's failing rows per rule (``judged``: per partition not reused,
    its key, rows and failing rows per rule); reused partitions keep their state."""
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    states: dict[str, PartitionState] = {
        key: previous.partitions[key] for key in plan.reused if previous is not None
    }
    for key, n, *failing in judged:
        states[key] = PartitionState(
            rows=int(n),
            fingerprint=plan.fingerprints.get(key, (0, None))[1],
            failing={r.label: int(f) for r, f in zip(rules, failing, strict=True) if f},
            validated_at=now,
            run_id=run_id,
        )
    summary = PartitionSummary(
        column=plan.column,
        partitions=len(states),
        validated=len(judged),
        reused=len(plan.reused),
        local=plan.local,
        failing=failing_partitions(states),
    )
    return Ledger(plan.contract, states), summary
