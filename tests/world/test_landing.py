"""Finding the newest batch, and publishing a batch all at once or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from supplymesh.settings import MeshPaths
from supplymesh.world import generate_world, latest_batch, new_batch_id
from supplymesh.world.landing import is_batch_id


def test_latest_batch_picks_the_newest(tmp_path: Path) -> None:
    assert latest_batch(tmp_path / "missing", "orders") is None
    assert latest_batch(tmp_path, "orders") is None
    for name in ("orders__20260101T000000Z", "orders__20261127T080000Z"):
        (tmp_path / name).mkdir()
    (tmp_path / ".orders__20261201T000000Z.partial").mkdir()  # still being written
    (tmp_path / "orders_v1__20261231T000000Z").mkdir()  # another extract
    (tmp_path / "orders__20261231T000000Z.parquet.tmp").touch()  # not a batch name
    (tmp_path / "orders__20261230T000000Z.csv").mkdir()  # a folder with a file suffix
    assert latest_batch(tmp_path, "orders") == tmp_path / "orders__20261127T080000Z"
    (tmp_path / "receipts__20260102T000000Z.csv").touch()
    (tmp_path / "receipts__20260101T235959Z.csv").touch()
    assert latest_batch(tmp_path, "receipts") == tmp_path / "receipts__20260102T000000Z.csv"


def test_new_batch_id_format() -> None:
    assert is_batch_id(new_batch_id())
    assert not is_batch_id("2026-11-27")


def test_existing_batch_is_not_overwritten(tmp_path: Path) -> None:
    generate_world(MeshPaths(tmp_path), "tiny", batch_id="20260101T000000Z")
    with pytest.raises(FileExistsError):
        generate_world(MeshPaths(tmp_path), "tiny", batch_id="20260101T000000Z")


def test_failed_generation_publishes_nothing(tmp_path: Path) -> None:
    def fail_midway(stage: str, done: int, total: int) -> None:
        if stage == "chunks":
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        generate_world(
            MeshPaths(tmp_path), "tiny", batch_id="20260101T000000Z", progress=fail_midway
        )
    assert [p for p in MeshPaths(tmp_path).landing.rglob("*") if p.is_file()] == []


def test_progress_reports_every_chunk(tmp_path: Path) -> None:
    seen: list[tuple[str, int, int]] = []
    generate_world(
        MeshPaths(tmp_path), "tiny", batch_id="20260101T000000Z", progress=lambda *a: seen.append(a)
    )
    chunks = [s for s in seen if s[0] == "chunks"]
    assert chunks[-1][1] == chunks[-1][2] == len(chunks) >= 2


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown scale"):
        generate_world(MeshPaths(tmp_path), "huge")
    with pytest.raises(ValueError, match="batch_id"):
        generate_world(MeshPaths(tmp_path), "tiny", batch_id="today")
