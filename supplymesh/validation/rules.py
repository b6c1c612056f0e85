"""Compile a pandera contract into per-row SQL rules that DuckDB evaluates in one pass.

pandera is the single definition of a product's contract; running it on pandas means loading the
whole product into memory first. Its built-in checks carry their parameters (``check.statistics``),
so the common ones translate one-to-one into SQL predicates that DuckDB evaluates straight over the
landing file. Checks with no SQL form (custom Python checks) stay in pandera and run on pandas
(see ``engine.py``), so every rule of the contract is enforced either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the checks come from a contract, whose module imports pandera
    import pandera.pandas as pa


def quote(identifier: str) -> str:
    """Quote a SQL identifier."""
    return '"' + identifier.replace('"', '""') + '"'


def literal(value: Any) -> str:
    """A SQL literal for a check parameter."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


@dataclass(frozen=True)
class Rule:
    """One contract rule: a row violates it when ``violation_sql`` is true.

    ``check`` holds the pandera check when the rule has no SQL form and must run on pandas.
    ``window_keys`` names the columns a uniqueness rule compares rows within: a rule with no
    window judges each row alone.
    """

    column: str | None
    name: str
    expected: str
    violation_sql: str | None = None
    check: pa.Check | None = None
    severity: str = "ERROR"
    window_keys: tuple[str, ...] | None = None

    def is_local_to(self, partition_column: str) -> bool:
        """Whether the rule can judge one partition's rows without seeing the others'."""
        if self.check is not None:
            return False  # custom pandas checks may look at the whole frame
        return self.window_keys is None or partition_column in self.window_keys

    @property
    def label(self) -> str:
        return f"{self.column}: {self.name}" if self.column else self.name


# Python's regex syntax as pandera runs it (``re``, Unicode) in RE2's (DuckDB): ``\d`` is any
# Unicode decimal digit, ``$`` also matches before a final newline, ``\Z`` is the very end.
_RE2_ESCAPES = {"d": r"\p{Nd}", "D": r"\P{Nd}", "Z": r"\z"}
# escapes whose Unicode meaning RE2 has no spelling for, and Python-only syntax: such a pattern
# runs in pandera's own check on pandas instead
_PYTHON_ONLY = ("\\w", "\\W", "\\s", "\\S", "\\b", "\\B", "(?=", "(?!", "(?<", "(?P=")


def re2_pattern(pattern: str) -> str | None:
    """``pattern`` as RE2 matching exactly what Python's ``re`` matches, or None when RE2
    cannot say the same thing."""
    if any(token in pattern for token in _PYTHON_ONLY):
        return None
    out, i, in_class = [], 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            out.append(_RE2_ESCAPES.get(nxt, ch + nxt))
            i += 2
            continue
        if in_class:
            in_class = ch != "]" or out[-1] in ("[", "[^")
        elif ch == "[":
            in_class = True
            if pattern[i + 1 : i + 2] == "^":
                out.append("[^")
                i += 2
                continue
        elif ch == "$":
            ch = r"\n?\z"  # Python: the end, or just before a newline that ends the value
        out.append(ch)
        i += 1
    return "".join(out)


def _check_violation(check: pa.Check, col: str) -> str | None:
    """The SQL predicate true for rows that break a built-in pandera check, or None."""
    s, c = check.statistics or {}, quote(col)
    match check.name:
        case "greater_than_or_equal_to":
            return f"{c} < {literal(s['min_value'])}"
        case "greater_than":
            return f"{c} <= {literal(s['min_value'])}"
        case "less_than_or_equal_to":
            return f"{c} > {literal(s['max_value'])}"
        case "less_than":
            return f"{c} >= {literal(s['max_value'])}"
        case "equal_to":
            return f"{c} <> {literal(s['value'])}"
        case "not_equal_to":
            return f"{c} = {literal(s['value'])}"
        case "in_range":
            low = "<" if s.get("include_min", True) else "<="
            high = ">" if s.get("include_max", True) else ">="
            return f"({c} {low} {literal(s['min_value'])} OR {c} {high} {literal(s['max_value'])})"
        case "isin":
            values = ", ".join(literal(v) for v in s["allowed_values"])
            return f"{c} NOT IN ({values})"
        case "notin":
            values = ", ".join(literal(v) for v in s["forbidden_values"])
            return f"{c} IN ({values})"
        case "str_matches":
            pattern = re2_pattern(str(s["pattern"]))
            if pattern is None:
                return None
            return f"NOT regexp_matches({c}, {literal('^(?:' + pattern + ')')})"
        case "str_startswith":
            return f"NOT starts_with({c}, {literal(s['string'])})"
        case "str_endswith":
            return f"NOT ends_with({c}, {literal(s['string'])})"
        case "str_length":
            parts = []
            if s.get("min_value") is not None:
                parts.append(f"length({c}) < {literal(s['min_value'])}")
            if s.get("max_value") is not None:
                parts.append(f"length({c}) > {literal(s['max_value'])}")
            return "(" + " OR ".join(parts) + ")" if parts else None
    return None


def _frame_check_violation(check: pa.Check) -> str | None:
    """SQL for the registered supply-chain row rules of ``contracts/checks.py``, or None."""
    s = check.statistics or {}
    match check.name:
        case "days_between":
            days = f"date_diff('day', {quote(s['start'])}, {quote(s['end'])})"
            return f"{days} NOT BETWEEN {literal(s['min_days'])} AND {literal(s['max_days'])}"
        case "ratio_between":
            # as pandas divides: x / 0 is an infinite ratio (out of any band), 0 / 0 is NaN
            # (like a null, it passes)
            ratio = f"({quote(s['numerator'])}::DOUBLE / {quote(s['denominator'])})"
            band = f"{literal(s['min_ratio'])} AND {literal(s['max_ratio'])}"
            return f"(NOT isnan({ratio}) AND {ratio} NOT BETWEEN {band})"
    return None


def _describe(check: pa.Check) -> str:
    return check.error or check.name or "custom check"


def severity_of(check: pa.Check) -> str:
    """``WARN`` for a check pandera itself only warns about (``raise_warning=True``), else
    ``ERROR``: the same check blocks or lets data through in pandera and in the publisher."""
    return "WARN" if getattr(check, "raise_warning", False) else "ERROR"


def null_sql(column: str, dtype: str) -> str:
    """SQL true where a value is missing as pandas sees it: NULL, and NaN in a float column
    (pandera reads a NaN as a null: it breaks ``nullable=False`` and no value check)."""
    c = quote(column)
    return f"({c} IS NULL OR isnan({c}))" if dtype.startswith("float") else f"({c} IS NULL)"


def compile_rules(schema: pa.DataFrameSchema) -> list[Rule]:
    """Every row-level rule of a contract, in declaration order.

    Nulls never violate a value check (pandera's ``ignore_na`` default); nullability is its own
    rule so a null is reported once, as a null.
    """
    rules: list[Rule] = []
    for name, col in schema.columns.items():
        c, missing = quote(name), null_sql(name, str(col.dtype))
        if not col.nullable:
            rules.append(Rule(name, "not_nullable", "no null values", missing))
        if col.unique:
            rules.append(
                Rule(
                    name,
                    "unique",
                    "no duplicate values",
                    f"NOT {missing} AND count(*) OVER (PARTITION BY {c}) > 1",
                    window_keys=(name,),
                )
            )
        for check in col.checks:
            sql = _check_violation(check, name)
            severity = severity_of(check)
            if sql is None:
                rules.append(
                    Rule(name, _describe(check), _describe(check), check=check, severity=severity)
                )
            else:
                rules.append(
                    Rule(
                        name,
                        _describe(check),
                        _describe(check),
                        f"NOT {missing} AND {sql}",
                        severity=severity,
                    )
                )
    if schema.unique:
        keys = list(schema.unique)
        partition = ", ".join(quote(k) for k in keys)
        rules.append(
            Rule(
                None,
                f"unique({', '.join(keys)})",
                f"one row per {' x '.join(keys)}",
                f"count(*) OVER (PARTITION BY {partition}) > 1",
                window_keys=tuple(keys),
            )
        )
    for check in schema.checks:
        sql = _frame_check_violation(check)
        rules.append(
            Rule(
                None,
                _describe(check),
                _describe(check),
                violation_sql=sql,
                check=None if sql else check,
                severity=severity_of(check),
            )
        )
    return rules
