"""Writing one batch of extracts into the landing folder, atomically.

Everything is first written under a hidden temporary name next to its final place (CSV and
single-file Parquet appended chunk by chunk, the orders folder filled part by part) and only
renamed into ``<extract>__<batch_id>[.csv|.parquet]`` once the whole batch is complete, small
extracts first and orders last. A watcher therefore never sees half a file, and never sees a batch
with some extracts missing for longer than a few renames. If generation fails, the temporaries are
removed and nothing is published.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from types import TracebackType

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from supplymesh.world.extracts import EXTRACTS, conform

PUBLISH_ORDER = (
    "calendar",
    "locations",
    "lanes",
    "item_master",
    "promotions",
    "receipts",
    "stock_snapshot",
    "orders",
)
PARQUET_OPTIONS = {"compression": "zstd"}
ROW_GROUP_ROWS = 1_000_000
CSV_OPTIONS = pacsv.WriteOptions(quoting_style="needed")


class BatchWriter:
    """Collects the extracts of one batch under temporary names, then publishes them together."""

    def __init__(self, landing: Path, batch_id: str) -> None:
        self.landing, self.batch_id = Path(landing), batch_id
        self.rows: dict[str, int] = {}
        self._parquet: dict[str, pq.ParquetWriter] = {}
        self._csv: dict[str, tuple[object, pacsv.CSVWriter]] = {}
        self._parts: dict[str, int] = {}  # parts closed so far, per folder extract
        self._open_part: dict[str, pq.ParquetWriter] = {}
        taken = [p for p in map(self.final_path, EXTRACTS) if p.exists()]
        if taken:
            raise FileExistsError(f"batch {batch_id} already landed: {taken[0]}")

    def final_path(self, name: str) -> Path:
        e = EXTRACTS[name]
        return self.landing / e.domain / f"{name}__{self.batch_id}{e.suffix}"

    def temp_path(self, name: str) -> Path:
        final = self.final_path(name)
        return final.with_name(f".{final.name}.partial")

    def write(self, name: str, table: pa.Table) -> None:
        """Write a whole extract in one go (the reference extracts)."""
        self.append(name, table)

    def append(self, name: str, table: pa.Table) -> None:
        """Add rows to an extract: a CSV is appended, a Parquet file gets row groups, and a folder
        extract's open part gets row groups (see ``end_part``)."""
        table = conform(name, table)
        fmt = EXTRACTS[name].fmt
        tmp = self.temp_path(name)
        tmp.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "csv":
            if name not in self._csv:
                sink = open(tmp, "wb")  # noqa: SIM115 - closed in _close()
                self._csv[name] = (
                    sink,
                    pacsv.CSVWriter(sink, table.schema, write_options=CSV_OPTIONS),
                )
            self._csv[name][1].write_table(table)
        elif fmt == "parquet":
            if name not in self._parquet:
                self._parquet[name] = pq.ParquetWriter(tmp, table.schema, **PARQUET_OPTIONS)
            self._parquet[name].write_table(table, row_group_size=ROW_GROUP_ROWS)
        else:
            if name not in self._open_part:
                tmp.mkdir(exist_ok=True)
                part = tmp / f"part-{self._parts.get(name, 0):05d}.parquet"
                self._open_part[name] = pq.ParquetWriter(part, table.schema, **PARQUET_OPTIONS)
            self._open_part[name].write_table(table, row_group_size=ROW_GROUP_ROWS)
        self.rows[name] = self.rows.get(name, 0) + table.num_rows

    def end_part(self, name: str) -> None:
        """Close the open part of a folder extract; the next ``append`` starts a new part."""
        writer = self._open_part.pop(name, None)
        if writer is not None:
            writer.close()
            self._parts[name] = self._parts.get(name, 0) + 1

    def publish(self) -> dict[str, Path]:
        """Close everything and rename each extract to its final name; returns the paths."""
        self._close()
        missing = [n for n in EXTRACTS if not self.temp_path(n).exists()]
        if missing:
            raise RuntimeError(f"batch {self.batch_id} is missing extracts {missing}")
        out = {}
        for name in PUBLISH_ORDER:
            os.replace(self.temp_path(name), self.final_path(name))
            out[name] = self.final_path(name)
        return out

    def abort(self) -> None:
        """Drop every temporary of this batch."""
        self._close()
        for name in EXTRACTS:
            tmp = self.temp_path(name)
            if tmp.is_dir():
                shutil.rmtree(tmp)
            elif tmp.exists():
                tmp.unlink()

    def _close(self) -> None:
        for name in list(self._open_part):
            self.end_part(name)
        for writer in self._parquet.values():
            writer.close()
        for sink, writer in self._csv.values():
            writer.close()
            sink.close()  # type: ignore[attr-defined]
        self._parquet.clear()
        self._csv.clear()

    def __enter__(self) -> BatchWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            self.abort()
