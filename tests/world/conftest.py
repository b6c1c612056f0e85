"""One tiny world per test session, and readers that load an extract with its contract types."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.dataset as ds
import pytest

from supplymesh.publishing.landing import latest_batch
from supplymesh.settings import MeshPaths
from supplymesh.world import EXTRACTS, WorldSummary, generate_world

BATCH = "20260101T000000Z"


def read_extract(landing: Path, name: str) -> pa.Table:
    """The newest batch of ``name``; CSVs parsed with the extract's column types."""
    e = EXTRACTS[name]
    path = latest_batch(landing / e.domain, name)
    assert path is not None, f"no batch of {name}"
    if e.fmt == "csv":
        types = {f.name: f.type for f in e.schema}
        return pacsv.read_csv(
            path, convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=True)
        )
    return ds.dataset(path, format="parquet").to_table()


@dataclass
class World:
    summary: WorldSummary
    landing: Path

    def table(self, name: str) -> pa.Table:
        return read_extract(self.landing, name)

    def frame(self, name: str) -> pd.DataFrame:
        df = self.table(name).to_pandas()
        for col, typ in zip(EXTRACTS[name].schema.names, EXTRACTS[name].schema.types, strict=True):
            if typ == pa.date32():
                df[col] = pd.to_datetime(df[col])
        return df


@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> World:
    home = tmp_path_factory.mktemp("tiny")
    summary = generate_world(MeshPaths(home), "tiny", seed=7, batch_id=BATCH)
    return World(summary, MeshPaths(home).landing)


@pytest.fixture(scope="session")
def daily(tiny: World) -> pd.DataFrame:
    """One row per SKU x DC x stocked day: sales, end-of-day stock, promotion and weekday."""
    orders = tiny.frame("orders")
    sales = (
        orders.groupby(["sku", "location_id", "order_date"], as_index=False)["quantity"]
        .sum()
        .rename(columns={"order_date": "day", "quantity": "sales"})
    )
    stock = tiny.frame("stock_snapshot").rename(columns={"snapshot_date": "day"})
    df = stock.merge(sales, on=["sku", "location_id", "day"], how="left")
    df["sales"] = df["sales"].fillna(0).astype(int)
    locations = tiny.frame("locations")[["location_id", "region"]]
    df = df.merge(locations, on="location_id")
    promos = tiny.frame("promotions")
    promos["n"] = (promos["end_date"] - promos["start_date"]).dt.days + 1
    days = promos.loc[promos.index.repeat(promos["n"])].copy()
    days["day"] = days["start_date"] + pd.to_timedelta(days.groupby(level=0).cumcount(), "D")
    df = df.merge(
        days[["sku", "region", "day", "promo_id"]], on=["sku", "region", "day"], how="left"
    )
    df["on_promo"] = df["promo_id"].notna()
    df["weekday"] = df["day"].dt.dayofweek
    return df.sort_values(["sku", "location_id", "day"]).reset_index(drop=True)
