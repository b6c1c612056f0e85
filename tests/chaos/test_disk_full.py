"""The disk fills up mid-publish: nothing half-written is served or left, the previous snapshot
stays served, and the error names the product, where it wrote and why it failed.

Two ways to fill the disk: a real one (the warehouse on a 2 MiB tmpfs, filled but for a few
KiB; needs root and a kernel that lets the container mount it, else skipped) and a write that
fails after writing part of the snapshot (always runs).
"""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from supplymesh.consumer import connect, run_query
from supplymesh.publishing import publish
from supplymesh.publishing.manifest import current_snapshot, read_manifest
from supplymesh.publishing.publish import SnapshotWriteError, publish_landing
from supplymesh.settings import MeshPaths
from tests.publishing.test_publish import land
from tests.validation.test_engine import orders_frame


@pytest.fixture
def paths(tmp_path) -> MeshPaths:
    return MeshPaths(tmp_path / "mesh")


def served_orders(paths: MeshPaths) -> int:
    return int(run_query(connect(paths), "select count(*) n from sales.orders_v2")["n"][0])


def hidden_leftovers(paths: MeshPaths) -> list[str]:
    """Hidden files a failed write left; a live reader's lease (``catalog/leases``) is none."""
    return sorted(
        str(p)
        for p in paths.home.rglob(".*")
        if not p.name.endswith((".lock", ".owner")) and paths.leases not in p.parents
    )


def assert_previous_version_served(paths: MeshPaths, before: dict, rows: int) -> None:
    manifest = read_manifest(paths)
    assert {
        m: current_snapshot(manifest, "sales.orders", m)["snapshot_id"] for m in (1, 2)
    } == before
    assert served_orders(paths) == rows
    assert hidden_leftovers(paths) == []  # no staging folder, no half-written file


def publish_good_then_bigger(paths: MeshPaths) -> dict:
    land(paths, orders_frame(30), "20260101T000000Z")
    first = {r.major: r.snapshot_id for r in publish_landing("sales.orders", paths=paths)}
    land(paths, orders_frame(20_000), "20260102T000000Z")
    return first


def test_a_write_failing_midway_keeps_the_previous_snapshot_with_a_clear_error(
    paths, monkeypatch
) -> None:
    before = publish_good_then_bigger(paths)

    def disk_full_midway(staging: Path, final: Path) -> None:
        data = staging / "data.parquet"
        data.write_bytes(data.read_bytes()[: data.stat().st_size // 2])  # half of it landed
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(data))

    monkeypatch.setattr(publish, "durable_replace", disk_full_midway)
    with pytest.raises(SnapshotWriteError) as failed:
        publish_landing("sales.orders", paths=paths)
    message = str(failed.value)
    assert message.startswith("sales.orders v2: writing snapshot ")
    assert "No space left on device" in message and "consumers keep the previous" in message
    assert_previous_version_served(paths, before, 30)


@contextlib.contextmanager
def small_tmpfs(folder: Path, size: str = "2m") -> Iterator[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path, leave: int) -> None:
    stats = os.statvfs(folder)
    with open(folder / "filler", "wb") as out:
        out.write(b"\0" * max(0, stats.f_bavail * stats.f_frsize - leave))


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")
def test_a_full_disk_under_the_warehouse_keeps_the_previous_snapshot(paths) -> None:
    with small_tmpfs(paths.warehouse):
        before = publish_good_then_bigger(paths)
        fill(paths.warehouse, leave=8 * 1024)
        with pytest.raises(
            SnapshotWriteError, match=r"sales\.orders v2: writing snapshot"
        ) as failed:
            publish_landing("sales.orders", paths=paths)
        assert "No space left on device" in str(failed.value)
        (paths.warehouse / "filler").unlink()
        assert_previous_version_served(paths, before, 30)
