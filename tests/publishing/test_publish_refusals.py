"""A batch that cannot be read, or that would empty or shrink its product, is refused: the product
keeps serving its rows, the landing file stays byte for byte, the reason is one paragraph."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from supplymesh.consumer import connect, run_query
from supplymesh.governance import audit
from supplymesh.publishing.manifest import current_snapshot, read_manifest
from supplymesh.publishing.publish import publish_frame, publish_landing
from supplymesh.settings import MeshPaths
from tests.validation.malformed_extracts import (
    HEADER_ONLY,
    KINDS,
    ROWS,
    UPPER_CASE_HEADER,
    Extract,
    valid_extracts,
)

GOOD_BATCH, NEW_BATCH = "20260101T000000Z", "20260102T000000Z"


def _land(paths: MeshPaths, extract: Extract, batch: str, suffix: str, data: bytes) -> Path:
    folder = paths.landing_dir(extract.domain)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{extract.extract}__{batch}{suffix}"
    path.write_bytes(data)
    return path


def _served_rows(paths: MeshPaths, product: str) -> int:
    view = f"{product}_v{1 if product.startswith('inventory') else 2}"
    return int(run_query(connect(paths), f"select count(*) n from {view}")["n"][0])


def _publish_good(paths: MeshPaths, product: str) -> tuple[MeshPaths, Extract]:
    """``product`` published from a good CSV batch of the tiny world's first 2,000 rows."""
    extract = valid_extracts()[product]
    _land(paths, extract, GOOD_BATCH, ".csv", extract.csv)
    assert all(r.published for r in publish_landing(extract.product, paths=paths))
    return paths, extract


@pytest.fixture
def published(tmp_path, request) -> tuple[MeshPaths, Extract]:
    return _publish_good(MeshPaths(tmp_path / "mesh"), request.param)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """One published home per product, shared by the tests that only land refused batches."""
    homes: dict[str, tuple[MeshPaths, Extract]] = {}

    def home(product: str) -> tuple[MeshPaths, Extract]:
        if product not in homes:
            homes[product] = _publish_good(MeshPaths(tmp_path_factory.mktemp("mesh")), product)
        return homes[product]

    return home


PRODUCTS = ["sales.orders", "inventory.stock_snapshots"]


@pytest.mark.parametrize("product", PRODUCTS)
@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_a_malformed_batch_is_refused_and_the_product_keeps_its_rows(served, product, kind):
    paths, extract = served(product)
    serving = {
        m: current_snapshot(read_manifest(paths), extract.product, m)["snapshot_id"]
        for m in (1, 2)
        if current_snapshot(read_manifest(paths), extract.product, m)
    }
    data = kind.make(extract)
    batch = f"20260102T{KINDS.index(kind):06d}Z"  # each kind the newest batch in its turn
    landed = _land(paths, extract, batch, kind.suffix, data)

    results = publish_landing(extract.product, paths=paths)

    for r in results:
        assert not r.published and r.serving_snapshot_id == serving[r.major]
        summary = r.report.summary()
        assert "\n" not in summary and str(landed) in summary and "Traceback" not in summary
        assert all(words in summary for words in kind.says), summary
        assert r.quarantine_path is None  # no row was read, none is kept
    assert hashlib.sha256(landed.read_bytes()).digest() == hashlib.sha256(data).digest()
    assert _served_rows(paths, extract.product) == ROWS
    last = read_manifest(paths)["products"][extract.product]["versions"]
    assert all(v["last_validation"]["source"] == str(landed) for v in last.values())


@pytest.mark.parametrize("published", PRODUCTS, indirect=True)
def test_a_header_in_upper_case_publishes_under_the_contract_names(published):
    paths, extract = published
    _land(paths, extract, NEW_BATCH, ".csv", UPPER_CASE_HEADER.make(extract))
    assert all(
        r.published and r.rows == ROWS for r in publish_landing(extract.product, paths=paths)
    )
    assert _served_rows(paths, extract.product) == ROWS


@pytest.mark.parametrize("published", PRODUCTS, indirect=True)
def test_a_header_only_batch_is_refused_naming_the_counts_and_the_bound(published):
    paths, extract = published
    landed = _land(paths, extract, NEW_BATCH, ".csv", HEADER_ONLY.make(extract))
    for r in publish_landing(extract.product, paths=paths):
        assert not r.published
        [refusal] = [f for f in r.report.blocking_failures if f.rule == "volume"]
        text = refusal.describe(r.report.label)
        assert f"{extract.product} v{r.major}" in text
        assert f"0 rows where {ROWS:,} rows are served" in text
        assert "volume.max_shrink 50%" in text and "--allow-shrink" in text
    assert landed.read_bytes() == HEADER_ONLY.make(extract)
    assert _served_rows(paths, extract.product) == ROWS


@pytest.mark.parametrize("published", ["sales.orders"], indirect=True)
def test_a_batch_of_one_day_where_the_history_belongs_is_a_shrink(published):
    """A batch replaces the product: the days it leaves out are gone from the new version."""
    paths, extract = published
    one_day = [extract.csv_lines[0]] + [
        line for line in extract.csv_lines[1:] if b",2025-10-24," in line
    ]
    _land(paths, extract, NEW_BATCH, ".csv", b"".join(one_day))
    [v2, _] = publish_landing(extract.product, paths=paths)
    assert not v2.published
    assert f"{len(one_day) - 1:,} rows where {ROWS:,} rows are served would shrink it by" in (
        v2.report.summary()
    )


@pytest.mark.parametrize("published", ["sales.orders"], indirect=True)
def test_a_shrink_within_the_bound_publishes(published):
    paths, extract = published
    _land(paths, extract, NEW_BATCH, ".csv", b"".join(extract.csv_lines[: ROWS * 6 // 10 + 1]))
    assert all(r.published for r in publish_landing(extract.product, paths=paths))


@pytest.mark.parametrize("published", ["sales.orders"], indirect=True)
def test_a_steward_lets_a_shrink_through_and_the_audit_log_records_it(published):
    paths, extract = published
    _land(paths, extract, NEW_BATCH, ".csv", HEADER_ONLY.make(extract))
    results = publish_landing(
        extract.product, paths=paths, run_id="run-7", allow_shrink=True, requested_by="ada"
    )
    assert all(r.published and r.rows == 0 and r.volume_override for r in results)
    overrides = [e for e in audit.read_entries(paths) if e["action"] == "volume_override"]
    assert {e["subject"] for e in overrides} == {"sales.orders v1", "sales.orders v2"}
    for entry in overrides:
        assert entry["actor"] == "run:run-7" and entry["at"]
        assert entry["details"] == {
            "previous_rows": ROWS,
            "new_rows": 0,
            "max_shrink": 0.5,
            "may_be_empty": False,
            "requested_by": "ada",
        }
    assert audit.verify(paths).ok


def test_a_first_publish_of_nothing_is_refused(tmp_path):
    paths = MeshPaths(tmp_path / "mesh")
    extract = valid_extracts()["inventory.stock_snapshots"]
    _land(paths, extract, GOOD_BATCH, ".csv", HEADER_ONLY.make(extract))
    [result] = publish_landing(extract.product, paths=paths)
    assert not result.published and result.serving_snapshot_id is None
    assert "a new version of 0 rows would leave the product empty" in result.report.summary()


@pytest.mark.parametrize(
    ("product", "publishes"), [("planning.truck_loads", True), ("planning.inventory_plan", False)]
)
def test_only_a_product_whose_yaml_says_it_may_be_empty_publishes_an_empty_plan(
    tmp_path, product, publishes
):
    import pandas as pd

    from supplymesh.registry import get_product

    paths = MeshPaths(tmp_path / "mesh")
    empty = pd.DataFrame({c.name: [] for c in get_product(product).latest.columns})
    result = publish_frame(product, empty, paths=paths)
    assert result.published is publishes
    refusals = [f.rule for f in result.report.blocking_failures]
    assert refusals == ([] if publishes else ["volume"])


def test_a_batch_folder_without_parts_is_refused(tmp_path):
    paths = MeshPaths(tmp_path / "mesh")
    extract = valid_extracts()["sales.orders"]
    _land(paths, extract, GOOD_BATCH, ".csv", extract.csv)
    publish_landing(extract.product, paths=paths)
    folder = paths.landing_dir("sales") / f"orders__{NEW_BATCH}"
    folder.mkdir()
    for r in publish_landing(extract.product, paths=paths):
        assert not r.published
        assert "holds no Parquet parts" in r.report.summary()
    assert folder.is_dir()
