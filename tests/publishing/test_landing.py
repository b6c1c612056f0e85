"""The landing layout: batch naming, and finding the newest batch of an extract."""

from __future__ import annotations

from pathlib import Path

from supplymesh.publishing.landing import is_batch_id, latest_batch, new_batch_id


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
