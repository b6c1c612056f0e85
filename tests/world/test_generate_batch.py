"""Generating a batch: all at once or not at all, never over an existing one."""

from __future__ import annotations

from pathlib import Path

import pytest

from supplymesh.settings import MeshPaths
from supplymesh.world import generate_world


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
