"""Classify every change between two versions of a contract by one rule, the consumer's:

**a change is breaking when data valid under the new version can break a consumer written
against the old one.**

So a column removed or renamed, a type widened or changed incompatibly, required made optional,
uniqueness or the primary key dropped or changed, a range widened, an allowed value added, a
pattern or length limit loosened, an enforced rule removed or relaxed and a classification
changed (what a role sees changes) are breaking and need a new major version. A column added, a
range narrowed, an allowed value removed, optional made required, uniqueness added, a type
narrowed to a compatible one and a rule added are minor. Descriptions and other metadata are
patch-level.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from supplymesh.governance.contract_changes.spec import Bound, ColumnSpec, ContractSpec, RuleSpec
from supplymesh.registry import ACCESS_LEVELS

Bump = Literal["major", "minor", "patch", "none"]
_ORDER: tuple[Bump, ...] = ("none", "patch", "minor", "major")

# (old, new) type pairs where every new value is a valid old value: a compatible narrowing
COMPATIBLE_NARROWING = {
    ("DOUBLE", "BIGINT"),
    ("DOUBLE", "INTEGER"),
    ("BIGINT", "INTEGER"),
    ("TIMESTAMP", "DATE"),
}
# registered rules whose statistics describe an accepted interval
_INTERVALS = {
    "days_between": ("min_days", "max_days"),
    "ratio_between": ("min_ratio", "max_ratio"),
    "ratio_to": ("min_ratio", "max_ratio"),
}


@dataclass(frozen=True)
class Change:
    kind: str
    column: str | None
    bump: Bump
    detail: str

    @property
    def breaking(self) -> bool:
        return self.bump == "major"

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "breaking": self.breaking}


@dataclass
class ContractDiff:
    old: str
    new: str
    changes: list[Change] = field(default_factory=list)

    @property
    def breaking(self) -> bool:
        return any(c.breaking for c in self.changes)

    @property
    def required_bump(self) -> Bump:
        return max((c.bump for c in self.changes), key=_ORDER.index, default="none")

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "breaking": self.breaking,
            "required_bump": self.required_bump,
            "changes": [c.to_dict() for c in self.changes],
        }

    def summary(self) -> str:
        head = (
            f"{self.old} -> {self.new}: "
            f"{'BREAKING' if self.breaking else 'compatible'}, "
            f"required bump {self.required_bump} ({len(self.changes)} changes)"
        )
        lines = [head]
        for c in self.changes:
            where = f" {c.column}" if c.column else ""
            lines.append(f"  [{c.bump:<5}] {c.kind}{where}: {c.detail}")
        return "\n".join(lines)


def _fmt(b: Bound | None, side: str) -> str:
    if b is None:
        return "unbounded"
    op = {"min": (">", ">="), "max": ("<", "<=")}[side][0 if b.exclusive else 1]
    return f"{op} {b.value}"


def _loosened(old: Bound | None, new: Bound | None, side: str) -> bool | None:
    """True if ``new`` admits values ``old`` did not, False if stricter, None if equal.

    ``side`` is ``"min"`` for a lower bound (loosened by a smaller value) or ``"max"``.
    """
    if old == new:
        return None
    if new is None:
        return True
    if old is None:
        return False
    if new.value != old.value:
        return new.value < old.value if side == "min" else new.value > old.value
    return old.exclusive and not new.exclusive


def _range_changes(old: ColumnSpec, new: ColumnSpec) -> list[Change]:
    out = []
    for side, loosened in (
        ("min", _loosened(old.minimum, new.minimum, "min")),
        ("max", _loosened(old.maximum, new.maximum, "max")),
    ):
        if loosened is None:
            continue
        before = _fmt(old.minimum if side == "min" else old.maximum, side)
        after = _fmt(new.minimum if side == "min" else new.maximum, side)
        kind = "range_widened" if loosened else "range_narrowed"
        out.append(Change(kind, new.name, "major" if loosened else "minor", f"{before} -> {after}"))
    return out


def _set_changes(old: ColumnSpec, new: ColumnSpec) -> list[Change]:
    a, b = old.allowed_values, new.allowed_values
    if a == b:
        return []
    if b is None:
        return [Change("allowed_values_dropped", new.name, "major", f"any value (was {list(a)})")]
    if a is None:
        return [Change("allowed_values_added", new.name, "minor", f"only {list(b)}")]
    out = []
    added, removed = sorted(set(b) - set(a), key=str), sorted(set(a) - set(b), key=str)
    if added:
        out.append(Change("allowed_value_added", new.name, "major", f"now also {added}"))
    if removed:
        out.append(Change("allowed_value_removed", new.name, "minor", f"no longer {removed}"))
    return out


def _length_changes(old: ColumnSpec, new: ColumnSpec) -> list[Change]:
    out = []
    lo_old, lo_new = old.min_length, new.min_length
    if lo_old != lo_new:
        loosened = lo_new is None or (lo_old is not None and lo_new < lo_old)
        out.append(
            Change(
                "length_loosened" if loosened else "length_tightened",
                new.name,
                "major" if loosened else "minor",
                f"min length {lo_old} -> {lo_new}",
            )
        )
    hi_old, hi_new = old.max_length, new.max_length
    if hi_old != hi_new:
        loosened = hi_new is None or (hi_old is not None and hi_new > hi_old)
        out.append(
            Change(
                "length_loosened" if loosened else "length_tightened",
                new.name,
                "major" if loosened else "minor",
                f"max length {hi_old} -> {hi_new}",
            )
        )
    return out


def _type_change(old: ColumnSpec, new: ColumnSpec) -> list[Change]:
    if old.type == new.type:
        return []
    if (old.type, new.type) in COMPATIBLE_NARROWING:
        return [Change("type_narrowed", new.name, "minor", f"{old.type} -> {new.type}")]
    return [
        Change(
            "type_changed", new.name, "major", f"{old.type} -> {new.type} (wider or incompatible)"
        )
    ]


def _interval_loosened(kind: str, old: dict, new: dict) -> bool | None:
    """For interval rules: True if widened, False if narrowed, None if not comparable."""
    lo, hi = _INTERVALS[kind]
    others_same = {k: v for k, v in old.items() if k not in (lo, hi)} == {
        k: v for k, v in new.items() if k not in (lo, hi)
    }
    if not others_same:
        return None
    # narrowed when inside the old interval; widened or shifted admits values it refused
    return not (new[lo] >= old[lo] and new[hi] <= old[hi])


def _rule_changes(old: tuple[RuleSpec, ...], new: tuple[RuleSpec, ...], column: str | None):
    out = []
    before, after = {r.key: r for r in old}, {r.key: r for r in new}
    for key in sorted(before.keys() - after.keys()):
        r = before[key]
        bump = "major" if r.severity == "ERROR" else "patch"
        out.append(Change("rule_removed", column, bump, f"{r.name}: {r.description}"))
    for key in sorted(after.keys() - before.keys()):
        r = after[key]
        bump = "minor" if r.severity == "ERROR" else "patch"
        out.append(Change("rule_added", column, bump, f"{r.name}: {r.description}"))
    for key in sorted(before.keys() & after.keys()):
        a, b = before[key], after[key]
        if a.severity != b.severity:
            relaxed = b.severity == "WARN"
            out.append(
                Change(
                    "rule_enforcement_removed" if relaxed else "rule_enforcement_added",
                    column,
                    "major" if relaxed else "minor",
                    f"{a.name}: severity {a.severity} -> {b.severity}",
                )
            )
        if a.statistics != b.statistics:
            interval_kind = a.statistics.get("kind", a.name)
            loosened = (
                _interval_loosened(interval_kind, a.statistics, b.statistics)
                if interval_kind in _INTERVALS
                else None
            )
            enforced = b.severity == "ERROR" and a.severity == "ERROR"
            if loosened is False:
                bump = "minor" if enforced else "patch"
                kind = "rule_tightened"
            else:  # widened, or changed in a way nobody can prove narrower
                bump = "major" if enforced else "patch"
                kind = "rule_loosened" if loosened else "rule_changed"
            out.append(Change(kind, column, bump, f"{a.name}: {a.statistics} -> {b.statistics}"))
        elif a.description != b.description:
            out.append(Change("rule_description_changed", column, "patch", a.name))
    return out


def _same_column(r: ColumnSpec, a: ColumnSpec, old: ContractSpec, new: ContractSpec) -> bool:
    """Whether added column ``a`` is removed column ``r`` renamed: the same classification, and
    two of type, description and position in common."""
    same = (
        a.type == r.type,
        a.description == r.description,
        old.columns.index(r) == new.columns.index(a),
    )
    return a.classification == r.classification and sum(same) >= 2


def _renames(old: ContractSpec, new: ContractSpec) -> dict[str, str]:
    """Removed -> added columns that are the same column under a new name."""
    removed = [c for c in old.columns if new.column(c.name) is None]
    added = [c for c in new.columns if old.column(c.name) is None]
    pairs: dict[str, str] = {}
    for r in removed:
        candidates = [
            a for a in added if a.name not in pairs.values() and _same_column(r, a, old, new)
        ]
        if len(candidates) == 1:
            pairs[r.name] = candidates[0].name
    return pairs


def _column_changes(old: ColumnSpec, new: ColumnSpec) -> list[Change]:
    out = _type_change(old, new)
    if old.required != new.required:
        out.append(
            Change("required_to_optional", new.name, "major", "nulls now allowed")
            if old.required
            else Change("optional_to_required", new.name, "minor", "nulls no longer allowed")
        )
    if old.unique != new.unique:
        out.append(
            Change("uniqueness_dropped", new.name, "major", "duplicates now allowed")
            if old.unique
            else Change("uniqueness_added", new.name, "minor", "values now unique")
        )
    out += _range_changes(old, new) + _set_changes(old, new)
    if old.pattern != new.pattern:
        if new.pattern is None:
            out.append(Change("pattern_removed", new.name, "major", f"was {old.pattern!r}"))
        elif old.pattern is None:
            out.append(Change("pattern_added", new.name, "minor", f"{new.pattern!r}"))
        else:  # no general proof that a regex accepts less: a consumer must re-check
            out.append(
                Change("pattern_changed", new.name, "major", f"{old.pattern!r} -> {new.pattern!r}")
            )
    out += _length_changes(old, new)
    if old.classification != new.classification:
        out.append(
            Change(
                "classification_changed",
                new.name,
                "major",
                f"{old.classification} -> {new.classification} (what each role sees changes)",
            )
        )
    out += _rule_changes(old.rules, new.rules, new.name)
    if old.description != new.description:
        out.append(Change("description_changed", new.name, "patch", "column description"))
    return out


_METADATA = (
    "description",
    "contract_description",
    "owner_team",
    "owner_email",
    "freshness_sla_hours",
    "status",
    "deprecated_on",
    "sunset_on",
    "partition_column",
    "contract_ref",
)


def diff_contracts(old: ContractSpec, new: ContractSpec) -> ContractDiff:
    """Every change from ``old`` to ``new``, each classified major / minor / patch."""
    result = ContractDiff(
        f"{old.product} v{old.major} ({old.version})", f"{new.product} v{new.major} ({new.version})"
    )
    changes = result.changes
    renames = _renames(old, new)
    for col in old.columns:
        if col.name in renames:
            changes.append(
                Change("column_renamed", col.name, "major", f"renamed to {renames[col.name]}")
            )
            changes += _column_changes(col, new.column(renames[col.name]))
        elif new.column(col.name) is None:
            changes.append(Change("column_removed", col.name, "major", f"{col.type} column gone"))
        else:
            changes += _column_changes(col, new.column(col.name))
    for col in new.columns:
        if old.column(col.name) is None and col.name not in renames.values():
            changes.append(Change("column_added", col.name, "minor", f"new {col.type} column"))
    if old.primary_key != new.primary_key:
        if not new.primary_key:
            changes.append(
                Change("primary_key_dropped", None, "major", f"was {list(old.primary_key)}")
            )
        elif not old.primary_key:
            changes.append(Change("primary_key_added", None, "minor", f"{list(new.primary_key)}"))
        else:
            changes.append(
                Change(
                    "primary_key_changed",
                    None,
                    "major",
                    f"{list(old.primary_key)} -> {list(new.primary_key)}",
                )
            )
    if old.strict != new.strict:
        changes.append(
            Change("enforcement_removed", None, "major", "extra columns now allowed")
            if old.strict
            else Change("enforcement_added", None, "minor", "extra columns now refused")
        )
    changes += _rule_changes(old.rules, new.rules, None)
    if old.access != new.access:
        restricted = ACCESS_LEVELS.index(new.access) > ACCESS_LEVELS.index(old.access)
        changes.append(
            Change(
                "access_restricted" if restricted else "access_widened",
                None,
                "major" if restricted else "patch",
                f"{old.access} -> {new.access}"
                + (" (roles that read it lose it)" if restricted else ""),
            )
        )
    for name in _METADATA:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            changes.append(
                Change("metadata_changed", None, "patch", f"{name}: {before} -> {after}")
            )
    return result
