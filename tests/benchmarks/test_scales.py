"""What each scale measures, its `mesh generate` arguments, and its order lines."""

import duckdb

from benchmarks.scales import PLANS, order_lines, plan_of, world_args
from supplymesh.publishing.landing import latest_batch
from supplymesh.settings import MeshPaths
from supplymesh.world.scales import SCALES
from tests.mesh_world import generate_tiny_world


def test_large_runs_once_without_validation_and_small_and_medium_evaluate() -> None:
    large = plan_of("large")
    assert (large.second_run, large.validation, large.evaluate) == (False, False, False)
    assert large.stages() == 2
    assert plan_of("small").evaluate and plan_of("medium").evaluate
    cj = plan_of("completejourney")
    assert (cj.second_run, cj.validation, cj.evaluate) == (True, True, False)
    assert cj.stages() == 4


def test_every_planned_scale_is_one_the_world_generator_knows() -> None:
    assert set(PLANS) <= set(SCALES)


def test_completejourney_is_the_real_data_world_at_its_small_size() -> None:
    assert world_args("completejourney", 7) == [
        "--world",
        "completejourney",
        "--scale",
        "small",
        "--seed",
        "7",
    ]
    assert world_args("tiny", 3) == ["--scale", "tiny", "--seed", "3"]


def test_order_lines_are_the_rows_of_the_orders_landing_batch(tmp_path) -> None:
    assert order_lines(tmp_path) is None  # nothing generated yet
    generate_tiny_world(MeshPaths(tmp_path))
    batch = latest_batch(tmp_path / "landing" / "sales", "orders")
    files = [str(p) for p in batch.rglob("*.parquet")] if batch.is_dir() else [str(batch)]
    [(rows,)] = duckdb.sql(f"SELECT count(*) FROM read_parquet({files})").fetchall()
    assert order_lines(tmp_path) == rows > 0
