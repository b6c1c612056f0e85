"""What a CSV value reads as, per contract type: the engine's per-value typing, written down.

A CSV holds text. The engine reads every value of a CSV as text and types it alone
(``typed_view.cast_expression``): a value that is not of its column's type is a dtype failure of
its row and no other rule's business. These are the texts the differential tests write into
CSV cells in place of a drawn value, each with the value it must read as, or ``BAD``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

BAD = object()  # not a value of the column's type: a dtype failure of its row


@dataclass(frozen=True)
class Text:
    """A CSV cell written verbatim, and what it reads as."""

    text: str
    value: Any

    @property
    def bad(self) -> bool:
        return self.value is BAD


TEXTS: dict[str, list[Text]] = {
    "BIGINT": [
        Text("2.0", 2),
        Text("1e3", 1000),
        Text(" 7 ", 7),
        Text("+5", 5),
        Text("9007199254740993", 2**53 + 1),  # beyond a double's precision: digits kept
        Text("2.5", BAD),  # a fraction of a unit is no quantity
        Text("abc", BAD),
        Text("inf", BAD),
        Text("\u0661\u0662", BAD),  # Arabic-Indic digits
        Text("9223372036854775808", BAD),  # one past int64
        Text("true", BAD),
    ],
    "DOUBLE": [
        Text("1e3", 1000.0),
        Text(" 2.5 ", 2.5),
        Text("-0", -0.0),
        Text("inf", math.inf),
        Text("-inf", -math.inf),
        Text("nan", math.nan),
        Text("1e309", math.inf),  # overflows to infinity, as Python's float() reads it
        Text("abc", BAD),
        Text("1,5", BAD),
        Text("\u0661\u0662", BAD),
        Text("0x10", BAD),
    ],
    "DATE": [
        Text("2024-1-2", dt.date(2024, 1, 2)),
        Text("2024-02-29", dt.date(2024, 2, 29)),
        Text("2024-02-30", BAD),
        Text("01/02/2024", BAD),  # day or month first: ambiguous, not read
        Text("infinity", BAD),  # DuckDB's special dates are no days
        Text("epoch", BAD),
        Text("abc", BAD),
    ],
    "TIMESTAMP": [
        Text("2024-01-02T03:04:05", dt.datetime(2024, 1, 2, 3, 4, 5)),
        Text("2024-01-02", dt.datetime(2024, 1, 2)),
        Text("2024-13-01 00:00:00", BAD),
        Text("infinity", BAD),
        Text("abc", BAD),
    ],
    # DuckDB's boolean spellings, in any case: pandas' read_csv knows only True/true/TRUE
    "BOOLEAN": [
        Text("TRUE", True),
        Text("False", False),
        Text("yes", True),
        Text("0", False),
        Text("maybe", BAD),
        Text("2", BAD),
    ],
    "VARCHAR": [],
}


def csv_cell(value: Any) -> str:
    """How a producer writes a typed value into a CSV (an empty field for a null)."""
    if isinstance(value, Text):
        return value.text
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)  # exact: 'nan', 'inf' and every digit a double holds
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
