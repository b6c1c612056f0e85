"""A moment resolves to the snapshot each version served then; a version whose record was pruned
past it is named, never served wrong."""

import datetime as dt

import pytest

from supplymesh.publishing.history.as_of import AsOfError, as_of, parse_moment

ID_A = "20261201T100000000000Z-aaaaaa"
ID_B = "20261202T100000000000Z-bbbbbb"
ID_C = "20261202T100000500000Z-cccccc"  # published in the same second as B


def _snap(snapshot_id: str, at: str) -> dict:
    return {"snapshot_id": snapshot_id, "published_at": at, "path": f"/w/{snapshot_id}"}


def _manifest(pruned: int = 0) -> dict:
    history = [
        _snap(ID_A, "2026-12-01T10:00:00+00:00"),
        _snap(ID_B, "2026-12-02T10:00:00+00:00"),
        _snap(ID_C, "2026-12-02T10:00:00+00:00"),
    ]
    version = {"current": history[-1], "history": history, "pruned": pruned}
    return {"products": {"network.locations": {"versions": {"1": version}}}}


def _served(view, product="network.locations") -> str | None:
    current = view.manifest["products"][product]["versions"]["1"]["current"]
    return current["snapshot_id"] if current else None


def test_timestamps_read_as_utc_unless_they_carry_a_zone():
    assert parse_moment("2026-12-06 23:10") == dt.datetime(2026, 12, 6, 23, 10, tzinfo=dt.UTC)
    assert parse_moment("2026-12-07T00:10:00+01:00") == dt.datetime(
        2026, 12, 6, 23, 10, tzinfo=dt.UTC
    )
    assert parse_moment(ID_A) == ID_A
    with pytest.raises(AsOfError, match="takes a timestamp"):
        parse_moment("last tuesday")


def test_a_timestamp_reads_the_snapshot_served_then():
    assert _served(as_of(_manifest(), "2026-12-01T12:00:00Z")) == ID_A
    assert _served(as_of(_manifest(), "2026-12-03")) == ID_C  # the later of one second's two


def test_a_snapshot_id_pins_its_own_version_even_within_one_second():
    view = as_of(_manifest(), ID_B)
    assert _served(view) == ID_B
    assert view.at == dt.datetime(2026, 12, 2, 10, tzinfo=dt.UTC)


def test_before_the_first_publish_a_version_is_not_served_and_not_missing():
    view = as_of(_manifest(), "2026-11-01")
    assert _served(view) is None and view.missing == ()


def test_a_version_pruned_past_the_moment_is_named_missing():
    view = as_of(_manifest(pruned=3), "2026-11-01")
    assert _served(view) is None
    assert view.missing == ("network.locations v1 (on record since 2026-12-01T10:00:00+00:00)",)


def test_an_unknown_snapshot_id_says_how_to_list_them():
    with pytest.raises(AsOfError, match="mesh products history"):
        as_of(_manifest(), "20250101T000000000000Z-000000")
