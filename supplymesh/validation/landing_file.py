"""Reading a landing file: what its bytes are, how DuckDB reads it, and why it cannot.

A producer's export can break in ways no contract rule describes: an empty file, gzip under a
``.csv`` name, binary garbage, another encoding or delimiter, a quote that never closes, a last
row cut short, a header naming a column twice. Each must end in one paragraph naming the file,
the line where reading stopped and what to do, never in a traceback. So a file is looked at
before DuckDB reads it (``source_sql``: its first bytes and its header line, then an explicit
CSV dialect instead of DuckDB's sniffer, so that an error names its line), and an error DuckDB
raises while streaming the rest is translated by ``read_error``. Nothing here writes: a landing
file is only ever read.

The landing CSV dialect: UTF-8 (a byte-order mark is allowed), comma-separated, one header line,
values quoted with ``"`` when needed and a quote inside a quoted value doubled (``""``).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb

from supplymesh.validation.rules import literal

HEAD_BYTES = 64 * 1024  # how much of a file the checks before reading look at
COMPRESSED = {  # magic bytes at the start of a file -> what it is
    b"\x1f\x8b": "gzip-compressed",
    b"\x28\xb5\x2f\xfd": "zstd-compressed",
    b"BZh": "bzip2-compressed",
    b"\xfd7zXZ\x00": "xz-compressed",
    b"PK\x03\x04": "a zip archive",
}
PARQUET_MAGIC = b"PAR1"
OTHER_DELIMITERS = (";", "\t", "|")
REDELIVER = "Nothing was published from it and the file was left as it is."


class UnreadableInputError(Exception):
    """A landing file that cannot be read as what its name says: where and why, and what to do."""

    def __init__(self, source: str, problem: str, advice: str, line: int | None = None) -> None:
        super().__init__(source, problem, advice, line)
        self.source, self.problem, self.advice, self.line = source, problem, advice, line

    def describe(self) -> str:
        """One paragraph: the file, the line where reading stopped if known, why, what to do."""
        where = f", line {self.line:,}" if self.line else ""
        return f"cannot read {self.source}{where}: {self.problem}. {self.advice} {REDELIVER}"

    def __str__(self) -> str:
        return self.describe()


def source_sql(path: Path) -> str:
    """A DuckDB table expression for a landing file or folder of Parquet parts, after checking
    that the file is what its suffix says (raises ``UnreadableInputError`` when it is not).

    CSV is read as text, every column VARCHAR, so a bad value becomes a per-row type violation
    instead of an error that hides every other problem in the file.
    """
    if path.is_dir():
        parts = sorted(path.glob("*.parquet"))
        if not parts:
            raise UnreadableInputError(
                str(path),
                "the batch folder holds no Parquet parts (*.parquet)",
                "Deliver the extract's parts as part-*.parquet inside the folder.",
            )
        for part in parts:
            _check_parquet(part)
        return f"read_parquet({literal(str(path) + '/*.parquet')})"
    if path.suffix == ".parquet":
        _check_parquet(path)
        return f"read_parquet({literal(str(path))})"
    if path.suffix == ".csv":
        header = csv_header(path)
        columns = "{" + ", ".join(f"{literal(name)}: 'VARCHAR'" for name in header) + "}"
        return (
            f"read_csv({literal(str(path))}, header = true, auto_detect = false, "
            f"columns = {columns}, delim = ',', quote = '\"', escape = '\"', "
            "encoding = 'utf-8', strict_mode = true)"
        )
    raise UnreadableInputError(
        str(path),
        f"unsupported file type {path.suffix or '(no suffix)'}",
        "Deliver a .csv file, a .parquet file or a folder of .parquet parts.",
    )


def _head(path: Path) -> tuple[bytes, int]:
    """The file's first bytes and its size; a file the mesh may not open is unreadable too."""
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            return f.read(HEAD_BYTES), size
    except OSError as exc:
        raise UnreadableInputError(
            str(path),
            f"the file cannot be opened ({exc.strerror or exc})",
            "Make it readable by the mesh's user (or land it again).",
        ) from None


def _compressed(head: bytes) -> str | None:
    return next((kind for magic, kind in COMPRESSED.items() if head.startswith(magic)), None)


def _check_parquet(path: Path) -> None:
    """A Parquet file starts and ends with ``PAR1``: the end missing means it was cut short."""
    head, size = _head(path)
    source = str(path)
    if size == 0:
        raise UnreadableInputError(
            source, "the file is empty (0 bytes)", "Export the extract again: it wrote nothing."
        )
    if (kind := _compressed(head)) is not None:
        raise UnreadableInputError(
            source,
            f"the file is {kind} data under a .parquet name",
            "Decompress it (Parquet compresses inside the file) and deliver plain Parquet.",
        )
    if not head.startswith(PARQUET_MAGIC):
        looks = "text (a CSV file?)" if _looks_like_text(head) else "binary data of another kind"
        raise UnreadableInputError(
            source,
            f"not a Parquet file: it does not start with the Parquet magic bytes and looks like "
            f"{looks}",
            "Deliver the extract as Parquet, or a CSV under a .csv name.",
        )
    with path.open("rb") as f:
        f.seek(max(size - len(PARQUET_MAGIC), 0))
        tail = f.read()
    if size < 2 * len(PARQUET_MAGIC) or tail != PARQUET_MAGIC:
        raise UnreadableInputError(
            source,
            f"the file ends after {size:,} bytes without its Parquet footer: it was cut short "
            "(a copy or an export that did not finish)",
            "Deliver the complete file again.",
        )


def _looks_like_text(head: bytes) -> bool:
    try:
        head[:1024].decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in head[:1024]


def _check_text(path: Path, head: bytes, size: int) -> str:
    """The file's first bytes decoded, or why it is no UTF-8 text at all."""
    source = str(path)
    if size == 0:
        raise UnreadableInputError(
            source,
            "the file is empty (0 bytes), not even a header line",
            "Export the extract again: a CSV extract starts with its header line.",
        )
    if (kind := _compressed(head)) is not None:
        raise UnreadableInputError(
            source,
            f"the file is {kind} data under a .csv name",
            "Decompress it and deliver the plain CSV file.",
        )
    if head.startswith(PARQUET_MAGIC):
        raise UnreadableInputError(
            source,
            "the file is Parquet under a .csv name",
            "Deliver it with the .parquet suffix.",
        )
    window = head[:4096]
    control = [i for i, b in enumerate(window) if b < 0x09 or 0x0E <= b < 0x20]
    nul = head.find(b"\x00")
    if nul >= 0 or len(control) > len(window) // 100:  # text has no NUL and few control bytes
        nul = nul if nul >= 0 else control[0]
        raise UnreadableInputError(
            source,
            f"binary data, not text (a control byte 0x{head[nul]:02X} at byte {nul:,})",
            "Deliver the extract as a UTF-8 CSV file (or Parquet under a .parquet name).",
            line=head[:nul].count(b"\n") + 1,
        )
    text = head if size <= len(head) else head[: head.rfind(b"\n") + 1]  # whole lines only
    try:
        return text.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _not_utf8(source, text[exc.start], head[: exc.start].count(b"\n") + 1) from None


def _not_utf8(source: str, byte: int | None, line: int | None) -> UnreadableInputError:
    which = f" (byte 0x{byte:02X})" if byte is not None else ""
    return UnreadableInputError(
        source,
        f"the text is not UTF-8{which}; it looks like another encoding such as Latin-1 or "
        "Windows-1252",
        "Export the extract again encoded as UTF-8.",
        line=line,
    )


def csv_header(path: Path) -> list[str]:
    """The column names of a landing CSV's header line, checked: UTF-8 text, comma-separated,
    each name given once (names are matched regardless of case, so ``SKU`` and ``sku`` clash)."""
    head, size = _head(path)
    text = _check_text(path, head, size)
    source = str(path)
    first = text.splitlines()[0] if text.strip() else ""
    if not first.strip():
        raise UnreadableInputError(
            source,
            "the first line is empty where the header line belongs",
            "Start the file with its header line (the column names, comma-separated).",
            line=1,
        )
    header = next(csv.reader([first]))
    if len(header) == 1 and (found := [d for d in OTHER_DELIMITERS if d in header[0]]):
        shown = "a tab" if found[0] == "\t" else f"'{found[0]}'"
        raise UnreadableInputError(
            source,
            f"the header is one column, {header[0][:80]!r}: the file looks delimited by {shown}, "
            "and landing CSV files are comma-separated",
            "Export the extract again with ',' as the delimiter.",
            line=1,
        )
    if blank := [str(i + 1) for i, name in enumerate(header) if not name.strip()]:
        raise UnreadableInputError(
            source,
            f"header column(s) {', '.join(blank)} have no name",
            "Name every column in the header line.",
            line=1,
        )
    seen: dict[str, str] = {}
    twice = []
    for name in header:
        if name.lower() in seen:
            twice.append(
                f"{seen[name.lower()]!r} and {name!r}" if seen[name.lower()] != name else repr(name)
            )
        seen.setdefault(name.lower(), name)
    if twice:
        raise UnreadableInputError(
            source,
            f"the header names a column twice: {', '.join(twice)} (column names are matched "
            "regardless of case)",
            "Give every column one header name, once.",
            line=1,
        )
    return header


_LINE = re.compile(r"CSV Error on Line: (\d+)")
_COLUMNS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


def read_error(source: str, exc: duckdb.Error) -> UnreadableInputError:
    """What an error DuckDB raised while reading ``source`` means, as ``UnreadableInputError``."""
    message = str(exc)
    found = _LINE.search(message)
    line = int(found.group(1)) if found else None
    if columns := _COLUMNS.search(message):
        expected, got = int(columns.group(1)), int(columns.group(2))
        if got < expected:
            problem = (
                f"a row has {got} of the header's {expected} columns: the row is truncated (an "
                "export cut short, or a line break inside an unquoted value)"
            )
            advice = "Export the extract again and deliver the complete file."
        else:
            problem = (
                f"a row has {got} values where the header has {expected} columns (a comma "
                "inside an unquoted value, or a header missing a name)"
            )
            advice = "Quote values that contain commas and export the extract again."
        return UnreadableInputError(source, problem, advice, line)
    if "unterminated quote" in message:
        return UnreadableInputError(
            source,
            "a quoted value opens here and never closes (an unbalanced '\"'), so the rest of "
            "the file reads as one value",
            "Fix the quoting of that line in the export (a quote inside a value is written "
            'twice, "") and deliver the file again.',
            line,
        )
    if "Invalid unicode" in message or "not utf-8" in message.lower():
        return _not_utf8(source, None, line)
    if "invalid state" in message:
        return UnreadableInputError(
            source,
            "the CSV parser found no comma-separated rows it could read (binary data or "
            "another format)",
            "Deliver the extract as a UTF-8, comma-separated CSV file.",
            line,
        )
    first = message.splitlines()[0] if message else type(exc).__name__
    return UnreadableInputError(
        source,
        f"DuckDB could not read it ({first})",
        "Check that the file is a complete CSV or Parquet export and deliver it again.",
        line,
    )


READ_ERRORS = (duckdb.InvalidInputException, duckdb.IOException)
"""The errors DuckDB raises when a file's content cannot be read (not a mistake in our SQL)."""
