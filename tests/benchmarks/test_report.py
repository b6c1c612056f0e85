"""The Markdown a run leaves: machine, targets table, per-scale figures, slowest steps."""

from datetime import UTC, datetime

from benchmarks.report import document, machine, markdown_table, scale_row, slowest_steps
from benchmarks.targets import TARGETS
from tests.benchmarks.results import cli, scale

MACHINE = {
    "nproc": 2,
    "ram_gib": 23.4,
    "cpu": "Test CPU",
    "python": "3.11.9",
    "duckdb": "2.0.1",
    "dagster": "1.13.27",
}


def _results(**scales) -> dict:
    return {
        "scales": scales,
        "cli": cli(),
        "seed": 7,
        "machine": MACHINE,
        "load_average": (1.5, 2.5),
        "finished": datetime(2026, 12, 6, 12, 0, tzinfo=UTC),
    }


def test_markdown_table_escapes_pipes_in_cells() -> None:
    table = markdown_table(["a", "b"], [["x | y", "z"]])
    assert table.splitlines() == ["| a | b |", "| --- | --- |", "| x \\| y | z |"]


def test_document_notes_machine_and_load_and_has_one_row_per_target() -> None:
    small = scale(
        "small",
        0.5,
        130.0,
        60.0,
        276_356,
        first_steps={"forecast_model": 70.0, "dbt": 30.0, "orders": 5.0},
        model={"mase_ratio": 0.70, "p90_coverage": 0.9, "model_version": "v1"},
    )
    text = document(_results(small=small))
    assert "2 cores (Test CPU), 23.4 GiB RAM; Python 3.11.9, DuckDB 2.0.1, Dagster 1.13.27" in text
    assert "1.50 at the start, 2.50 at the end" in text
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    for target in TARGETS:
        assert len([r for r in rows if r.startswith(f"| {target.text} |")]) == 1, target.text
    assert "not run" in text  # medium and large were not
    assert (
        "- small, first run (trained (no champion yet)): forecast_model 70.0 s, dbt 30.0 s" in text
    )


def test_scale_row_shows_the_mase_delta_and_leaves_a_missing_second_run_marked() -> None:
    large = scale("large", 50.0, 1_000.0, None, 10_000_000, peak_mib=10 * 1024)
    cells = scale_row(large)
    assert cells[:6] == ["large", "10,000,000", "50.0", "1000.0", "", "not run"]
    assert cells[6] == "10.00"  # peak GiB
    assert cells[7] == "105.00"  # µs per line
    small = scale("small", 1.0, 2.0, 3.0, 10, model={"mase_ratio": 0.70, "p90_coverage": 0.9})
    assert scale_row(small)[8] == "0.7000 (+0.0090)"


def test_slowest_steps_lists_each_run() -> None:
    small = scale("small", 1.0, 130.0, 60.0, 10)
    lines = slowest_steps(small)
    assert [line.split(",")[1].strip().split(" run")[0] for line in lines] == ["first", "second"]


def test_machine_reads_this_machine() -> None:
    m = machine()
    assert m["nproc"] >= 1
    assert m["ram_gib"] > 0
    assert m["dagster"] != "not installed"


def test_a_run_of_no_scale_prints_only_the_targets() -> None:
    text = document(_results())
    assert "| scale |" not in text
    assert "Slowest steps" not in text
    assert "| `mesh --help` | <= 1 s | 0.20 s" in text
