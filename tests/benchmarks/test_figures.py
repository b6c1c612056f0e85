"""The figures behind the targets, read from a results dict."""

import pytest

from benchmarks.figures import per_line_ratio, seconds_per_line, training_seconds
from tests.benchmarks.results import scale


def test_seconds_per_line_counts_generate_and_the_first_run() -> None:
    medium = scale("medium", 10.0, 90.0, 500.0, 1_000_000)  # the second run does not count
    assert seconds_per_line(medium) == pytest.approx(100.0 / 1_000_000)


def test_seconds_per_line_needs_order_lines_and_a_first_run() -> None:
    assert seconds_per_line(scale("medium", 10.0, 90.0, None, 0)) is None
    no_run = {**scale("medium", 10.0, 90.0, None, 1_000), "runs": {}}
    assert seconds_per_line(no_run) is None


def test_per_line_ratio_divides_the_larger_scale_by_its_base() -> None:
    results = {
        "scales": {
            "medium": scale("medium", 10.0, 90.0, 50.0, 1_000_000),
            "large": scale("large", 50.0, 1_150.0, None, 10_000_000),
        }
    }
    figure = per_line_ratio("large", "medium")(results)
    assert figure.value == pytest.approx(1.2)
    assert figure.ok
    assert figure.text == "large 120.00 µs/line vs medium 100.00 µs/line"
    assert len(figure.loads) == 4  # before and after of both first runs


def test_per_line_ratio_of_a_failed_large_run_is_not_ok() -> None:
    results = {
        "scales": {
            "medium": scale("medium", 10.0, 90.0, 50.0, 1_000_000),
            "large": scale("large", 50.0, 300.0, None, 10_000_000, ok=False),
        }
    }
    assert not per_line_ratio("large", "medium")(results).ok


def test_training_time_is_the_forecast_model_step_of_the_first_run() -> None:
    small = scale("small", 1.0, 130.0, 60.0, 1_000, first_steps={"forecast_model": 70.5})
    figure = training_seconds("small")({"scales": {"small": small}})
    assert figure.value == 70.5
    assert training_seconds("medium")({"scales": {"small": small}}) is None
