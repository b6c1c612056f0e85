"""The landing reader: valid CSV in every ordinary shape still reads; what DuckDB stops on is
translated into a reason with its line."""

from __future__ import annotations

import duckdb
import pytest

from supplymesh.validation.landing_file import (
    UnreadableInputError,
    csv_header,
    read_error,
    source_sql,
)

HEADER = "sku,location_id,note\n"
ROWS = ['A,DC01,"with, comma"\n', 'B,DC02,"two\nlines"\n', 'C,DC03,"a ""quoted"" word"\n']


@pytest.mark.parametrize(
    "shape",
    ["plain", "crlf", "bom", "no_final_newline", "blank_lines_at_end", "unicode"],
)
def test_valid_csv_in_every_ordinary_shape_reads_row_for_row(tmp_path, shape):
    text = HEADER + "".join(ROWS)
    if shape == "crlf":
        text = text.replace("\n", "\r\n")
    elif shape == "no_final_newline":
        text = text.rstrip("\n")
    elif shape == "blank_lines_at_end":
        text += "\n\n"
    elif shape == "unicode":
        text = text.replace("with, comma", "Zürich, Łódź")
    path = tmp_path / "x.csv"
    path.write_bytes(text.encode("utf-8-sig" if shape == "bom" else "utf-8"))
    rows = duckdb.sql(f"SELECT * FROM {source_sql(path)}").fetchall()
    assert [r[0] for r in rows] == ["A", "B", "C"]
    assert rows[2][2] == 'a "quoted" word' and rows[1][2].splitlines() == ["two", "lines"]
    assert csv_header(path) == ["sku", "location_id", "note"]


def test_a_header_naming_a_column_twice_in_different_case_is_refused(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("sku,SKU\nA,B\n")
    with pytest.raises(UnreadableInputError, match="'sku' and 'SKU'"):
        source_sql(path)


def test_an_unknown_suffix_is_refused_naming_what_is_accepted(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(UnreadableInputError, match=r"\.csv file, a \.parquet file or a folder"):
        source_sql(path)


def test_an_error_duckdb_raises_on_a_later_line_names_that_line(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text(HEADER + "A,DC01,x\n" * 5000 + "B,DC02\n")
    with pytest.raises(duckdb.InvalidInputException) as raised:
        duckdb.sql(f"SELECT count(*) FROM {source_sql(path)}").fetchall()
    error = read_error(str(path), raised.value)
    assert error.line == 5002 and "2 of the header's 3 columns" in error.describe()


def test_an_error_of_no_known_kind_keeps_duckdbs_first_line():
    error = read_error("f.parquet", duckdb.IOException("IO Error: disk on fire\nmore"))
    assert "DuckDB could not read it (IO Error: disk on fire)" in error.describe()
    assert error.describe().startswith("cannot read f.parquet: ")
