"""What a sample supports of a contract: types, nullability, key, lower bounds, classification;
and the samples that cannot become one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from supplymesh.scaffold.inference import infer_contract
from supplymesh.scaffold.sample import SampleError, read_sample


def appointments(n: int = 6) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "appointment_id": [f"AP{i:03d}" for i in range(n)],
            "dock_id": ["D1", "D2"] * (n // 2),
            "slot_date": [dt.date(2026, 12, 1 + i // 2) for i in range(n)],
            "booked_at": pd.to_datetime([f"2026-11-30 0{i}:15:00" for i in range(n)]),
            "pallets": pd.array([1, None, 3, 4, 5, 33], dtype="Int64"),
            "weight_kg": [0.0, 10.5, 2.25, 7.0, 1.0, 3.0],
            "temperature_c": [-18.0, 4.0, 4.0, -18.0, 2.0, 4.0],
            "is_cold": [True, False, False, True, False, False],
            "driver_email": [f"d{i}@example.com" for i in range(n)],
        }
    )


def write(frame: pd.DataFrame, path: Path) -> Path:
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)
    return path


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_each_column_gets_the_type_and_nullability_the_sample_supports(tmp_path, suffix):
    inferred = infer_contract(read_sample(write(appointments(), tmp_path / f"s{suffix}")))
    columns = {c.name: c for c in inferred.columns}
    assert {name: (c.type, c.nullable) for name, c in columns.items()} == {
        "appointment_id": ("str", False),
        "dock_id": ("str", False),
        "slot_date": ("date", False),
        "booked_at": ("datetime", False),
        "pallets": ("int", True),  # a gap does not make it a float
        "weight_kg": ("float", False),
        "temperature_c": ("float", False),
        "is_cold": ("bool", False),
        "driver_email": ("str", False),
    }
    assert columns["slot_date"].observed == ("2026-12-01", "2026-12-03")


def test_lower_bounds_follow_the_sign_of_the_sample_and_its_range_is_only_recorded(tmp_path):
    inferred = infer_contract(read_sample(write(appointments(), tmp_path / "s.csv")))
    columns = {c.name: c for c in inferred.columns}
    assert (columns["pallets"].lower_bound, columns["pallets"].observed) == ("gt", ("1", "33"))
    assert columns["weight_kg"].lower_bound == "ge"
    assert columns["temperature_c"].lower_bound is None


def test_the_key_is_the_first_unique_column_and_others_are_left_to_the_owner(tmp_path):
    inferred = infer_contract(read_sample(write(appointments(), tmp_path / "s.csv")))
    assert inferred.key == ("appointment_id",)
    assert inferred.other_unique == ["booked_at", "driver_email"]


def test_without_a_unique_column_the_smallest_unique_set_is_the_key(tmp_path):
    frame = appointments().drop(columns=["appointment_id", "booked_at", "driver_email"])
    frame["pallets"] = 2  # no longer unique, nor part of a smaller key
    assert infer_contract(read_sample(write(frame, tmp_path / "s.csv"))).key == (
        "dock_id",
        "slot_date",
    )


def test_personal_data_by_name_is_classified_pii_and_the_rest_internal(tmp_path):
    inferred = infer_contract(read_sample(write(appointments(), tmp_path / "s.csv")))
    assert {c.name for c in inferred.columns if c.classification == "pii"} == {"driver_email"}
    assert {c.classification for c in inferred.columns} == {"pii", "internal"}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("s.parquet", b"PAR1 not really", "is unreadable"),
        ("s.csv", b"a,b\n", "has no rows"),
        ("s.csv", b"Order ID,qty\n1,2\n", "not lower-case identifiers"),
        ("s.json", b"[]", "a .csv or .parquet file"),
    ],
)
def test_a_sample_that_cannot_become_a_contract_is_refused(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SampleError, match=message):
        read_sample(path)
